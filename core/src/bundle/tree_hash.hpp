// The content hash of a directory tree: what makes two bundles the same.
#pragma once

#include <filesystem>
#include <string>

namespace platbench {

// Hex SHA-256 over every entry below `root`, in sorted order of relative path:
// its path, type, permission bits, and for a file its size and bytes (for a
// symbolic link its target). Timestamps and owners are left out, so the same
// inputs give the same hash on every build. Throws std::runtime_error on I/O errors.
std::string hash_tree(const std::filesystem::path& root);

}  // namespace platbench
