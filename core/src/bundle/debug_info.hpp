// Debug information kept out of the bundle: platbench's own libraries and
// plugins carry line tables (-g1) for backtraces on the host, which every
// container image, SIF and VM initramfs would otherwise carry too.
#pragma once

#include <filesystem>
#include <string>

namespace platbench {

// Whether `file` is an ELF file with DWARF sections (.debug_*). False for
// anything else, an unreadable or malformed file included.
bool has_debug_sections(const std::filesystem::path& file);

// Writes `source` without its debug sections to `target` (objcopy --strip-debug,
// Debian's binutils). Returns "" on success, else why not (no objcopy, it
// failed); `target` is then left as it was.
std::string copy_without_debug_sections(const std::filesystem::path& source, const std::filesystem::path& target);

}  // namespace platbench
