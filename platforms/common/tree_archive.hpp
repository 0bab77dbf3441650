// Writing a root-filesystem tree as an archive, reproducibly: entries sorted,
// owned by root, dated 1970. The docker platform imports the bundle as a tarball;
// the kvm platform boots it as a cpio initramfs.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>

struct archive;

namespace platbench {

enum class ArchiveFormat {
    PaxTar,     // docker image import
    CpioNewc,   // Linux initramfs
};

class TreeArchiveWriter {
public:
    // Opens `output` for writing. Throws std::runtime_error (as does every call below).
    TreeArchiveWriter(const std::filesystem::path& output, ArchiveFormat format);
    ~TreeArchiveWriter();
    TreeArchiveWriter(const TreeArchiveWriter&) = delete;
    TreeArchiveWriter& operator=(const TreeArchiveWriter&) = delete;

    // Everything under `root` (not root itself), named relative to it, in sorted order.
    void add_tree(const std::filesystem::path& root);
    void add_directory(const std::string& name, mode_t permissions);
    void add_file(const std::string& name, mode_t permissions, const std::filesystem::path& source);
    void add_file_bytes(const std::string& name, mode_t permissions, std::string_view bytes);
    void add_char_device(const std::string& name, mode_t permissions, unsigned major, unsigned minor);

    // Whether an entry of that name was written ("tmp", "usr/bin").
    bool contains(const std::string& name) const { return names_.count(name) != 0; }

    // Finishes the archive; the destructor only frees it.
    void close();

private:
    struct Closer {
        void operator()(archive* a) const;
    };
    void write_entry(const std::string& name, const struct stat& info, const std::filesystem::path* symlink_target);

    std::unique_ptr<archive, Closer> archive_;
    std::filesystem::path output_;
    std::set<std::string> names_;
};

}  // namespace platbench
