// Synthetic kernels and module trees for the kvm unit tests: small files with
// exactly the structure the code reads (a bzImage setup header, an XZ payload,
// an ELF with a PVH note, modules.dep).
#pragma once

#include <lzma.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace test {

inline void put_le(std::string& bytes, std::size_t offset, std::uint64_t value, int width) {
    if (bytes.size() < offset + width) bytes.resize(offset + width, '\0');
    for (int i = 0; i < width; ++i) bytes[offset + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

inline std::string xz_compressed(const std::string& data) {
    std::string out(data.size() + 4096, '\0');
    std::size_t used = 0;
    lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, nullptr, reinterpret_cast<const std::uint8_t*>(data.data()),
                            data.size(), reinterpret_cast<std::uint8_t*>(out.data()), &used, out.size());
    out.resize(used);
    return out;
}

// A 64-bit ELF with one PT_NOTE segment; with_pvh: the note is Xen's PHYS32_ENTRY.
inline std::string synthetic_elf(bool with_pvh) {
    std::string elf(64, '\0');
    elf.replace(0, 4, "\x7f" "ELF");
    elf[4] = 2;
    put_le(elf, 0x20, 64, 8);   // e_phoff
    put_le(elf, 0x36, 56, 2);   // e_phentsize
    put_le(elf, 0x38, 1, 2);    // e_phnum
    elf.resize(120, '\0');
    put_le(elf, 64, 4, 4);      // p_type PT_NOTE
    put_le(elf, 64 + 8, 120, 8);
    put_le(elf, 64 + 0x20, 20, 8);
    put_le(elf, 120, 4, 4);     // namesz
    put_le(elf, 124, 4, 4);     // descsz
    put_le(elf, 128, with_pvh ? 18 : 17, 4);
    elf += std::string("Xen\0", 4) + std::string("\x00\x00\x10\x00", 4);
    elf += std::string(4096, 'k');  // something to compress
    return elf;
}

// A bzImage-shaped file: setup header with "HdrS", a version string, and the payload.
inline std::string synthetic_bzimage(const std::string& release, const std::string& payload) {
    std::string image(1024, '\0');    // setup_sects = 1: protected-mode code at 1024
    image[0x1F1] = 1;
    image.replace(0x202, 4, "HdrS");
    put_le(image, 0x20E, 0x100, 2);   // version string at 0x100 + 0x200
    const std::string version = release + " (builder@host) #1 SMP";
    image.replace(0x300, version.size() + 1, version + '\0');
    put_le(image, 0x248, 0, 4);       // payload_offset
    put_le(image, 0x24C, payload.size() + 4, 4);
    image += payload;
    put_le(image, image.size(), 0x12345678, 4);  // the build appends the uncompressed size
    return image;
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace test
