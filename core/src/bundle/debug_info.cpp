#include "bundle/debug_info.hpp"

#include <elf.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <vector>

#include "platbench/process.hpp"

namespace platbench {
namespace fs = std::filesystem;

namespace {

template <typename T>
bool read_at(std::ifstream& in, std::uint64_t offset, T& value) {
    in.seekg(static_cast<std::streamoff>(offset));
    return static_cast<bool>(in.read(reinterpret_cast<char*>(&value), sizeof value));
}

}  // namespace

bool has_debug_sections(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    Elf64_Ehdr header{};
    if (!read_at(in, 0, header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
        header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_shentsize != sizeof(Elf64_Shdr) ||
        header.e_shstrndx >= header.e_shnum || header.e_shnum > 4096)
        return false;
    std::vector<Elf64_Shdr> sections(header.e_shnum);
    for (std::size_t i = 0; i < sections.size(); ++i)
        if (!read_at(in, header.e_shoff + i * sizeof(Elf64_Shdr), sections[i])) return false;
    const Elf64_Shdr& names = sections[header.e_shstrndx];
    if (names.sh_size > (1u << 20)) return false;
    std::string table(names.sh_size, '\0');
    in.seekg(static_cast<std::streamoff>(names.sh_offset));
    if (!in.read(table.data(), static_cast<std::streamsize>(table.size()))) return false;
    for (const Elf64_Shdr& section : sections)
        if (section.sh_name < table.size() && table.compare(section.sh_name, 7, ".debug_") == 0) return true;
    return false;
}

std::string copy_without_debug_sections(const fs::path& source, const fs::path& target) {
    // Debian's binutils puts it in /usr/bin, also where PATH was narrowed.
    auto objcopy = find_program("objcopy");
    if (!objcopy && ::access("/usr/bin/objcopy", X_OK) == 0) objcopy = fs::path("/usr/bin/objcopy");
    if (!objcopy) return "objcopy (Debian package binutils) is not on PATH";
    ChildRequest request;
    request.argv = {objcopy->string(), "--strip-debug", source.string(), target.string()};
    request.timeout = std::chrono::seconds(120);
    const ChildOutcome outcome = run_child(request);
    if (outcome.started && outcome.exit_code == 0) return "";
    std::error_code ignored;
    fs::remove(target, ignored);
    return "objcopy --strip-debug " + source.string() + " failed: " +
           (outcome.started ? outcome.stderr_text : outcome.failure);
}

}  // namespace platbench
