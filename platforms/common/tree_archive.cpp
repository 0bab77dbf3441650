#include "tree_archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace platbench {
namespace fs = std::filesystem;
namespace {

struct EntryFreer {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<archive_entry, EntryFreer>;

[[noreturn]] void fail(archive* a, const fs::path& output, const std::string& what) {
    const char* detail = archive_error_string(a);
    throw std::runtime_error("cannot write " + output.string() + " (" + what + "): " + (detail ? detail : "unknown error"));
}

EntryPtr reproducible_entry(const std::string& name, const struct stat& info) {
    EntryPtr entry(archive_entry_new());
    archive_entry_copy_stat(entry.get(), &info);
    archive_entry_set_pathname(entry.get(), name.c_str());
    // The archive does not remember who built it when: same tree, same bytes.
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    archive_entry_set_uname(entry.get(), "root");
    archive_entry_set_gname(entry.get(), "root");
    archive_entry_set_mtime(entry.get(), 0, 0);
    archive_entry_unset_atime(entry.get());
    archive_entry_unset_ctime(entry.get());
    archive_entry_set_ino(entry.get(), 0);
    archive_entry_set_dev(entry.get(), 0);
    archive_entry_set_nlink(entry.get(), 1);
    return entry;
}

struct stat stat_of(mode_t type_and_permissions, std::size_t size = 0) {
    struct stat info {};
    info.st_mode = type_and_permissions;
    info.st_size = static_cast<off_t>(size);
    return info;
}

}  // namespace

void TreeArchiveWriter::Closer::operator()(archive* a) const { archive_write_free(a); }

TreeArchiveWriter::TreeArchiveWriter(const fs::path& output, ArchiveFormat format)
    : archive_(archive_write_new()), output_(output) {
    archive* a = archive_.get();
    const int status = format == ArchiveFormat::PaxTar ? archive_write_set_format_pax_restricted(a)
                                                       : archive_write_set_format_cpio_newc(a);
    if (status != ARCHIVE_OK) fail(a, output_, "format");
    if (archive_write_open_filename(a, output.c_str()) != ARCHIVE_OK) fail(a, output_, "open");
}

TreeArchiveWriter::~TreeArchiveWriter() = default;

void TreeArchiveWriter::write_entry(const std::string& name, const struct stat& info, const fs::path* symlink_target) {
    EntryPtr entry = reproducible_entry(name, info);
    if (symlink_target != nullptr) archive_entry_set_symlink(entry.get(), symlink_target->c_str());
    if (archive_write_header(archive_.get(), entry.get()) < ARCHIVE_WARN) fail(archive_.get(), output_, name);
    names_.insert(name);
}

void TreeArchiveWriter::add_tree(const fs::path& root) {
    std::vector<fs::path> paths;
    std::error_code ec;
    fs::recursive_directory_iterator items(root, ec);
    for (; !ec && items != fs::recursive_directory_iterator(); items.increment(ec)) paths.push_back(items->path());
    if (ec) throw std::runtime_error("cannot read the tree " + root.string() + " for " + output_.string() + ": " + ec.message());
    std::sort(paths.begin(), paths.end());
    for (const fs::path& path : paths) {
        struct stat info {};
        if (::lstat(path.c_str(), &info) != 0) throw std::runtime_error("cannot stat " + path.string());
        const std::string name = path.lexically_relative(root).generic_string();
        if (S_ISREG(info.st_mode)) {
            add_file(name, info.st_mode & 07777, path);
        } else if (S_ISLNK(info.st_mode)) {
            const fs::path target = fs::read_symlink(path);
            write_entry(name, info, &target);
        } else {
            write_entry(name, info, nullptr);
        }
    }
}

void TreeArchiveWriter::add_directory(const std::string& name, mode_t permissions) {
    write_entry(name, stat_of(S_IFDIR | permissions), nullptr);
}

void TreeArchiveWriter::add_file(const std::string& name, mode_t permissions, const fs::path& source) {
    std::ifstream in(source, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + source.string() + " for " + output_.string());
    std::error_code ec;
    const auto size = fs::file_size(source, ec);
    if (ec) throw std::runtime_error("cannot read " + source.string() + ": " + ec.message());
    write_entry(name, stat_of(S_IFREG | permissions, size), nullptr);
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const std::streamsize got = in.gcount();
        if (got > 0 && archive_write_data(archive_.get(), buffer.data(), static_cast<std::size_t>(got)) != got)
            fail(archive_.get(), output_, source.string());
    }
}

void TreeArchiveWriter::add_file_bytes(const std::string& name, mode_t permissions, std::string_view bytes) {
    write_entry(name, stat_of(S_IFREG | permissions, bytes.size()), nullptr);
    if (!bytes.empty() && archive_write_data(archive_.get(), bytes.data(), bytes.size()) != static_cast<la_ssize_t>(bytes.size()))
        fail(archive_.get(), output_, name);
}

void TreeArchiveWriter::add_char_device(const std::string& name, mode_t permissions, unsigned major, unsigned minor) {
    struct stat info = stat_of(S_IFCHR | permissions);
    info.st_rdev = makedev(major, minor);
    write_entry(name, info, nullptr);
}

void TreeArchiveWriter::close() {
    if (archive_write_close(archive_.get()) != ARCHIVE_OK) fail(archive_.get(), output_, "close");
}

}  // namespace platbench
