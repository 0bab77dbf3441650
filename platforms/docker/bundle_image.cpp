#include "bundle_image.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

namespace platbench::docker {
namespace fs = std::filesystem;

namespace {

constexpr double kImportTimeoutSeconds = 600;
constexpr double kQueryTimeoutSeconds = 30;

struct ArchiveCloser {
    void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFreer {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;
using EntryPtr = std::unique_ptr<archive_entry, EntryFreer>;

[[noreturn]] void fail(archive* a, const std::string& what) {
    const char* detail = archive_error_string(a);
    throw std::runtime_error("cannot write the image tarball (" + what + "): " + (detail ? detail : "unknown error"));
}

void check(archive* a, int status, const std::string& what) {
    if (status < ARCHIVE_WARN) fail(a, what);
}

EntryPtr entry_for(const std::string& name, const struct stat& info) {
    EntryPtr entry(archive_entry_new());
    archive_entry_copy_stat(entry.get(), &info);
    archive_entry_set_pathname(entry.get(), name.c_str());
    // Reproducible and host-independent: the image does not remember who built it when.
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    archive_entry_set_uname(entry.get(), "root");
    archive_entry_set_gname(entry.get(), "root");
    archive_entry_set_mtime(entry.get(), 0, 0);
    archive_entry_unset_atime(entry.get());
    archive_entry_unset_ctime(entry.get());
    archive_entry_set_nlink(entry.get(), 1);
    return entry;
}

void write_file_data(archive* a, const fs::path& source) {
    std::ifstream in(source, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + source.string() + " for the image tarball");
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const std::streamsize got = in.gcount();
        if (got > 0 && archive_write_data(a, buffer.data(), static_cast<std::size_t>(got)) != got)
            fail(a, source.string());
    }
}

void add_path(archive* a, const fs::path& root, const fs::path& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) throw std::runtime_error("cannot stat " + path.string());
    const std::string name = path.lexically_relative(root).generic_string();
    EntryPtr entry = entry_for(name, info);
    if (S_ISLNK(info.st_mode)) archive_entry_set_symlink(entry.get(), fs::read_symlink(path).c_str());
    check(a, archive_write_header(a, entry.get()), name);
    if (S_ISREG(info.st_mode)) write_file_data(a, path);
}

void add_tmp_dir(archive* a) {
    struct stat info {};
    info.st_mode = S_IFDIR | 01777;
    EntryPtr entry = entry_for("tmp", info);
    check(a, archive_write_header(a, entry.get()), "tmp");
}

}  // namespace

std::string bundle_image_tag(const Bundle& bundle) { return bundle.content_hash.substr(0, 16); }

std::string bundle_image_reference(const Bundle& bundle) {
    return std::string(kImageRepository) + ":" + bundle_image_tag(bundle);
}

void write_root_tarball(const fs::path& root, const fs::path& tarball) {
    std::vector<fs::path> paths;
    for (const auto& item : fs::recursive_directory_iterator(root)) paths.push_back(item.path());
    std::sort(paths.begin(), paths.end());

    ArchivePtr a(archive_write_new());
    check(a.get(), archive_write_set_format_pax_restricted(a.get()), "format");
    check(a.get(), archive_write_open_filename(a.get(), tarball.c_str()), tarball.string());
    bool has_tmp = false;
    for (const fs::path& path : paths) {
        has_tmp = has_tmp || path.lexically_relative(root) == "tmp";
        add_path(a.get(), root, path);
    }
    if (!has_tmp) add_tmp_dir(a.get());
    check(a.get(), archive_write_close(a.get()), "close");
}

ImageOutcome ensure_bundle_image(const DockerClient& client, const Bundle& bundle) {
    ImageOutcome outcome;
    outcome.reference = bundle_image_reference(bundle);
    const auto start = Clock::now();
    if (client.image_exists(outcome.reference, within(kQueryTimeoutSeconds))) return outcome;

    const fs::path tarball = fs::temp_directory_path() /
                             ("platbench-image-" + std::to_string(::getpid()) + "-" + bundle_image_tag(bundle) + ".tar");
    struct RemoveTarball {
        fs::path path;
        ~RemoveTarball() {
            std::error_code ec;
            fs::remove(path, ec);
        }
    } cleanup{tarball};
    write_root_tarball(bundle.root, tarball);
    // One label per instruction: Podman reads "LABEL a=1 b=2" as one label a="1 b=2".
    client.import_image(tarball, outcome.reference,
                        {std::string("LABEL ") + kOwnerLabel + "=1", "LABEL platbench.bundle=" + bundle.content_hash},
                        within(kImportTimeoutSeconds));
    outcome.imported = true;
    outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return outcome;
}

}  // namespace platbench::docker
