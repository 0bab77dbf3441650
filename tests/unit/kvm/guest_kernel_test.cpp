// Which kernel the guest boots, its release, its modules in load order, and the
// uncompressed PVH form QEMU starts fastest.
#include <doctest/doctest.h>

#include "guest_kernel.hpp"
#include "kvm_test_support.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace platbench::kvm;

TEST_CASE("kernel auto picks the newest /boot/vmlinuz-* by version, not by text") {
    test::TempDir boot;
    for (const char* name : {"vmlinuz-6.9.0-1-amd64", "vmlinuz-6.10.0-1-amd64", "vmlinuz-6.1.0-56-amd64",
                             "config-6.11.0", "initrd.img-6.12.0"})
        test::write_bytes(boot.path() / name, "x");
    REQUIRE(newest_kernel(boot.path()));
    CHECK(newest_kernel(boot.path())->filename() == "vmlinuz-6.10.0-1-amd64");
    test::TempDir empty;
    CHECK_FALSE(newest_kernel(empty.path()));
}

TEST_CASE("the release comes from the bzImage's setup header") {
    test::TempDir dir;
    test::write_bytes(dir.path() / "vmlinuz", test::synthetic_bzimage("6.1.0-56-amd64", "payload"));
    CHECK(bzimage_release(dir.path() / "vmlinuz") == "6.1.0-56-amd64");
    test::write_bytes(dir.path() / "text", std::string(4096, 'a'));
    CHECK_FALSE(bzimage_release(dir.path() / "text"));
    test::write_bytes(dir.path() / "short", "HdrS");
    CHECK_FALSE(bzimage_release(dir.path() / "short"));
    CHECK_THROWS_WITH_AS(bzimage_release(dir.path() / "missing"), ("cannot read the kernel " + (dir.path() / "missing").string()).c_str(),
                         std::runtime_error);
}

TEST_CASE("modules are resolved from modules.dep, dependencies first, each once, built-ins skipped") {
    test::TempDir modules;
    test::write_bytes(modules.path() / "modules.dep",
                      "kernel/drivers/virtio/virtio_ring.ko:\n"
                      "kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
                      "kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
                      "kernel/drivers/char/virtio_console.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
                      "kernel/fs/ext4/ext4.ko.xz: kernel/fs/jbd2/jbd2.ko.xz\n"
                      "kernel/fs/jbd2/jbd2.ko.xz:\n"
                      "kernel/crypto/crc32c-generic.ko:\n");
    test::write_bytes(modules.path() / "modules.builtin", "kernel/drivers/firmware/qemu_fw_cfg.ko\n");
    const std::vector<std::string> order =
        resolve_modules(modules.path(), {"virtio_pci", "virtio_console", "qemu_fw_cfg", "crc32c_generic", "ext4"});
    const std::vector<std::string> expected{
        "kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko", "kernel/drivers/virtio/virtio_pci.ko",
        "kernel/drivers/char/virtio_console.ko", "kernel/crypto/crc32c-generic.ko", "kernel/fs/jbd2/jbd2.ko.xz",
        "kernel/fs/ext4/ext4.ko.xz"};
    CHECK(order == expected);
    CHECK_THROWS_WITH(resolve_modules(modules.path(), {"virtio_blk"}), doctest::Contains("no module virtio_blk"));
    test::TempDir no_modules;
    CHECK_THROWS_WITH(resolve_modules(no_modules.path(), {"virtio_pci"}), doctest::Contains("linux-image"));
}

TEST_CASE("an XZ bzImage with a PVH note gives its ELF, other kernels give nothing") {
    test::TempDir dir;
    const std::string elf = test::synthetic_elf(true);
    test::write_bytes(dir.path() / "pvh", test::synthetic_bzimage("6.1.0", test::xz_compressed(elf)));
    const std::optional<std::string> extracted = extract_pvh_kernel(dir.path() / "pvh");
    REQUIRE(extracted);
    CHECK(*extracted == elf);
    CHECK(has_pvh_entry(elf));

    test::write_bytes(dir.path() / "no-pvh", test::synthetic_bzimage("6.1.0", test::xz_compressed(test::synthetic_elf(false))));
    CHECK_FALSE(extract_pvh_kernel(dir.path() / "no-pvh"));
    test::write_bytes(dir.path() / "gzip", test::synthetic_bzimage("6.1.0", "\x1f\x8b\x08 not xz"));
    CHECK_FALSE(extract_pvh_kernel(dir.path() / "gzip"));
    std::string corrupt = test::xz_compressed(elf);
    corrupt[corrupt.size() / 2] ^= 0x55;
    test::write_bytes(dir.path() / "corrupt", test::synthetic_bzimage("6.1.0", corrupt));
    CHECK_THROWS_WITH_AS(extract_pvh_kernel(dir.path() / "corrupt"), doctest::Contains("is not valid XZ data (liblzma error"),
                         std::runtime_error);
}

TEST_CASE("the PVH check survives truncated and lying ELF headers") {
    std::string elf = test::synthetic_elf(true);
    for (std::size_t cut : {0, 10, 63, 64, 100, 130})
        CHECK_FALSE(has_pvh_entry(elf.substr(0, cut)));
    std::string lying = elf;
    test::put_le(lying, 64 + 0x20, 1u << 30, 8);  // a note segment far past the end
    CHECK_FALSE(has_pvh_entry(lying));
    test::put_le(lying, 0x38, 65535, 2);
    CHECK_FALSE(has_pvh_entry(lying));
}
