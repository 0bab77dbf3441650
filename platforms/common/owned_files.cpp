#include "owned_files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>
#include <system_error>

#include "platbench/names.hpp"

namespace fs = std::filesystem;

namespace platbench {

void ensure_private_dir(const fs::path& dir, const std::string& setting) {
    fs::create_directories(dir);
    struct stat info {};
    if (::lstat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::getuid())
        throw std::runtime_error(dir.string() + " is not a directory owned by this user; remove it or set `" + setting +
                                 ":`");
    fs::permissions(dir, fs::perms(0755));
}

void remove_leftover_entries(const fs::path& dir, std::vector<std::string>& removed, const std::string& prefix) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0 || object_owner_alive(name)) continue;
        fs::remove_all(entry.path(), ec);
        removed.push_back("file " + entry.path().string());
    }
}

}  // namespace platbench
