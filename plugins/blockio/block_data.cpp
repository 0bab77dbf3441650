#include "block_data.hpp"

#include <cstring>

namespace platbench::blockio {

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index) {
    Random mix(seed ^ (purpose * 0xd1b54a32d192ed03ull) ^ (index * 0x8cb92ba72f3d8dd7ull));
    return mix.next();
}

namespace {
constexpr std::uint64_t kDataPurpose = 0xda7a;
}

void fill_block(void* buffer, std::size_t bytes, std::uint64_t seed, std::uint64_t offset) {
    Random random(derive_seed(seed, kDataPurpose, offset));
    auto* out = static_cast<unsigned char*>(buffer);
    std::size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
        const std::uint64_t word = random.next();
        std::memcpy(out + i, &word, 8);
    }
    if (i < bytes) {  // block sizes that are not a multiple of 8 (buffered I/O only)
        const std::uint64_t word = random.next();
        std::memcpy(out + i, &word, bytes - i);
    }
}

void scramble_block(void* buffer, std::size_t bytes, std::uint64_t offset, std::uint64_t sequence) {
    constexpr std::size_t kSector = 512;
    constexpr std::size_t kCacheLine = 64;
    auto* sector = static_cast<unsigned char*>(buffer);
    const std::size_t line = static_cast<std::size_t>((sequence ^ (offset >> 9)) & 7) * kCacheLine;
    for (std::size_t at = 0; at + kSector <= bytes; at += kSector) {
        const std::uint64_t stamp[2] = {offset + at, sequence};
        std::memcpy(sector + at + line, stamp, sizeof stamp);
    }
}

std::optional<std::size_t> first_mismatch(const void* buffer, std::size_t bytes, std::uint64_t seed,
                                          std::uint64_t offset) {
    Random random(derive_seed(seed, kDataPurpose, offset));
    const auto* in = static_cast<const unsigned char*>(buffer);
    for (std::size_t i = 0; i < bytes; i += 8) {
        const std::uint64_t expected = random.next();
        const std::size_t n = bytes - i < 8 ? bytes - i : 8;
        if (std::memcmp(in + i, &expected, n) == 0) continue;
        for (std::size_t b = 0; b < n; ++b) {
            if (in[i + b] != reinterpret_cast<const unsigned char*>(&expected)[b]) return i + b;
        }
    }
    return std::nullopt;
}

}  // namespace platbench::blockio
