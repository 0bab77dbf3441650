// The initramfs: the bundle's tree plus /init and the modules, a reproducible
// newc cpio, cached by the hash of its inputs.
#include <doctest/doctest.h>

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <map>

#include "golden.hpp"
#include "initramfs.hpp"
#include "kvm_test_support.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace platbench::kvm;

namespace {

struct Entry {
    mode_t mode = 0;
    std::string data;
    unsigned rdev_major = 0, rdev_minor = 0;
    std::string symlink;
};

std::map<std::string, Entry> read_cpio(const fs::path& file) {
    std::map<std::string, Entry> entries;
    archive* a = archive_read_new();
    archive_read_support_format_cpio(a);
    REQUIRE(archive_read_open_filename(a, file.c_str(), 65536) == ARCHIVE_OK);
    archive_entry* header = nullptr;
    while (archive_read_next_header(a, &header) == ARCHIVE_OK) {
        Entry entry;
        entry.mode = archive_entry_mode(header);
        entry.rdev_major = archive_entry_rdevmajor(header);
        entry.rdev_minor = archive_entry_rdevminor(header);
        if (const char* target = archive_entry_symlink(header)) entry.symlink = target;
        char buffer[4096];
        for (la_ssize_t n; (n = archive_read_data(a, buffer, sizeof buffer)) > 0;) entry.data.append(buffer, n);
        entries[archive_entry_pathname(header)] = entry;
    }
    CAPTURE(archive_format_name(a));
    CHECK(archive_format(a) == ARCHIVE_FORMAT_CPIO_SVR4_NOCRC);  // "newc": what the kernel reads
    archive_read_free(a);
    return entries;
}

struct Fixture {
    test::TempDir temp;
    fs::path bundle_root = temp.path() / "bundle";
    fs::path modules = temp.path() / "modules";
    fs::path init = temp.path() / "guest-init";
    fs::path cache = temp.path() / "cache";
    platbench::Bundle bundle{bundle_root, std::string(64, 'a'), "/usr/bin/platbench-runner", "/usr/lib/platbench/plugins"};

    Fixture() {
        test::write_bytes(bundle_root / "usr/bin/platbench-runner", "runner bytes");
        fs::permissions(bundle_root / "usr/bin/platbench-runner", fs::perms(0755));
        test::write_bytes(bundle_root / "usr/lib/platbench/plugins/workload_echo.so", "plugin bytes");
        fs::create_directories(bundle_root / "lib64");
        fs::create_symlink("../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", bundle_root / "lib64/ld-linux-x86-64.so.2");
        test::write_bytes(init, "init bytes");
        test::write_bytes(modules / "kernel/virtio.ko", "virtio module");
        test::write_bytes(modules / "kernel/ext4.ko.xz", test::xz_compressed("ext4 module"));
    }

    InitramfsInputs inputs() const { return {bundle, init, modules, {"kernel/virtio.ko", "kernel/ext4.ko.xz"}}; }
};

}  // namespace

TEST_CASE("the initramfs holds the bundle, /init, the console node and the modules in load order") {
    Fixture f;
    const InitramfsOutcome made = ensure_initramfs(f.inputs(), f.cache);
    CHECK_FALSE(made.reused);
    CHECK(made.path.parent_path() == f.cache);
    CHECK((fs::status(made.path).permissions() & fs::perms::others_read) != fs::perms::none);  // QEMU may be another user
    const auto entries = read_cpio(made.path);
    CHECK(entries.at("usr/bin/platbench-runner").data == "runner bytes");
    CHECK((entries.at("usr/bin/platbench-runner").mode & 0777) == 0755);
    CHECK(entries.at("usr/lib/platbench/plugins/workload_echo.so").data == "plugin bytes");
    CHECK(entries.at("lib64/ld-linux-x86-64.so.2").symlink == "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
    CHECK(entries.at("init").data == "init bytes");
    CHECK((entries.at("init").mode & 0777) == 0755);
    CHECK(S_ISCHR(entries.at("dev/console").mode));
    CHECK(entries.at("dev/console").rdev_major == 5);
    CHECK(entries.at("dev/console").rdev_minor == 1);
    for (const char* dir : {"proc", "sys", "tmp", "work", "run"}) CHECK(S_ISDIR(entries.at(dir).mode));
    CHECK(entries.at("platbench/modules/virtio.ko").data == "virtio module");
    CHECK(entries.at("platbench/modules/ext4.ko").data == "ext4 module");  // unpacked on the host
    CHECK(entries.at(kModuleOrderFile).data == "/platbench/modules/virtio.ko\n/platbench/modules/ext4.ko\n");
}

TEST_CASE("an unchanged initramfs is reused, any changed input gives a new one, and the bytes are reproducible") {
    Fixture f;
    const InitramfsOutcome first = ensure_initramfs(f.inputs(), f.cache);
    const InitramfsOutcome again = ensure_initramfs(f.inputs(), f.cache);
    CHECK(again.reused);
    CHECK(again.path == first.path);

    test::TempDir other_cache;
    const InitramfsOutcome elsewhere = ensure_initramfs(f.inputs(), other_cache.path());
    CHECK(test::read_text_file(elsewhere.path) == test::read_text_file(first.path));

    f.bundle.content_hash = std::string(64, 'b');
    CHECK(ensure_initramfs(f.inputs(), f.cache).path != first.path);
    f.bundle.content_hash = std::string(64, 'a');
    test::write_bytes(f.init, "new init");
    CHECK(ensure_initramfs(f.inputs(), f.cache).path != first.path);
    InitramfsInputs fewer = f.inputs();
    fewer.modules.pop_back();
    CHECK_FALSE(ensure_initramfs(fewer, f.cache).reused);
}
