#include "bundle/tree_hash.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "platbench/hash.hpp"

namespace platbench {
namespace fs = std::filesystem;
namespace {

std::string octal(fs::perms perms) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(perms) & 07777u);
    return text;
}

}  // namespace

std::string hash_tree(const fs::path& root) {
    std::vector<fs::path> entries;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
        entries.push_back(entry.path().lexically_relative(root));
    }
    // Sorted by the generic string, so the order never depends on the file system.
    std::sort(entries.begin(), entries.end(),
              [](const fs::path& a, const fs::path& b) { return a.generic_string() < b.generic_string(); });
    Sha256 hash;
    for (const fs::path& relative : entries) {
        const fs::path path = root / relative;
        const fs::file_status status = fs::symlink_status(path);
        // NUL separates fields: it cannot occur in a path.
        const std::string header = '\0' + relative.generic_string() + '\0' + octal(status.permissions()) + '\0';
        if (fs::is_symlink(status)) {
            hash.update("l" + header + fs::read_symlink(path).string() + '\0');
        } else if (fs::is_directory(status)) {
            hash.update("d" + header);
        } else if (fs::is_regular_file(status)) {
            hash.update("f" + header + std::to_string(fs::file_size(path)) + '\0');
            hash.update_with_file(path);
        } else {
            throw std::runtime_error(path.string() + " is neither a file, a directory nor a link");
        }
    }
    return hash.hex_digest();
}

}  // namespace platbench
