// Which shared libraries an ELF file loads, as the host's dynamic loader resolves them.
//
// We ask the loader itself (through ldd) instead of reading DT_NEEDED entries:
// only the loader applies RUNPATH/$ORIGIN, LD_LIBRARY_PATH, ld.so.cache, the
// multiarch directories and hwcaps subdirectories exactly as it will when the
// runner starts, and ldd already walks the whole transitive closure.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace platbench {

struct SharedLibrary {
    std::string name;               // as requested (DT_NEEDED): "libc.so.6"
    std::filesystem::path path;     // where the loader found it: "/lib/x86_64-linux-gnu/libc.so.6"
};

struct ElfDependencies {
    std::vector<SharedLibrary> libraries;          // transitive, loader excluded
    std::optional<std::filesystem::path> loader;   // PT_INTERP as the loader reports it: "/lib64/ld-linux-x86-64.so.2"
    std::vector<std::string> missing;              // names the loader could not find
};

// Parses ldd's output. Lines it does not understand are ignored (linux-vdso.so.1,
// "statically linked", future decorations); "not found" entries go to `missing`.
ElfDependencies parse_ldd_output(std::string_view text);

// Runs /usr/bin/ldd on `elf` (argv vector, no shell). Throws std::runtime_error
// when ldd cannot run or fails, or when a library is missing, naming the file.
ElfDependencies resolve_dependencies(const std::filesystem::path& elf);

}  // namespace platbench
