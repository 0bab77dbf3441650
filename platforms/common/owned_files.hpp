// Directories and files a platform keeps on the host (images, run directories,
// disks), and finding those a crashed platbench left behind.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace platbench {

// Creates `dir` (mode 0755) and checks that it is a real directory owned by this
// user, not a link someone else planted in a shared place such as /var/tmp.
// Throws std::runtime_error naming `setting`, the setting that chooses another place.
void ensure_private_dir(const std::filesystem::path& dir, const std::string& setting);

// Removes the entries of `dir` whose names start with `prefix` and end in
// "-<pid>-<n>[.ext]" of a platbench process that is gone (object_owner_alive),
// appending "file <path>" for each to `removed`.
void remove_leftover_entries(const std::filesystem::path& dir, std::vector<std::string>& removed,
                             const std::string& prefix = "");

}  // namespace platbench
