// Random numbers for offsets and the data written: fast, seeded, reproducible.
//
// Every block's contents are a function of (seed, offset), so a block written by
// the layout or by a verify job can be checked later without keeping a copy, and
// the data is neither zeros nor compressible (which would flatter storage that
// compresses or deduplicates).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace platbench::blockio {

// splitmix64: one multiply-xorshift step per number, good enough statistically
// for offsets and data, and cheap enough to fill buffers at memory speed.
class Random {
public:
    explicit Random(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, bound), without division (Lemire's multiply-shift).
    std::uint64_t below(std::uint64_t bound) {
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * bound) >> 64);
    }

private:
    std::uint64_t state_;
};

// A stream seed derived from the job's seed and a purpose, so offsets of job 0,
// offsets of job 1 and block data never share a sequence.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index);

// Fills `bytes` with the contents of the block at `offset`.
void fill_block(void* buffer, std::size_t bytes, std::uint64_t seed, std::uint64_t offset);

// Makes this write of a block differ from every other write, as fio's
// scramble_buffers (on by default) does: in each 512-byte sector, 16 bytes at a
// cache line chosen by the write's sequence number take the offset of the sector
// and the sequence number. Storage that deduplicates or compresses then cannot
// absorb a repeated write, and it costs two stores per sector, not a refill.
void scramble_block(void* buffer, std::size_t bytes, std::uint64_t offset, std::uint64_t sequence);

// Byte position of the first difference between `buffer` and the block at
// `offset`, or nullopt when they are equal.
std::optional<std::size_t> first_mismatch(const void* buffer, std::size_t bytes, std::uint64_t seed,
                                          std::uint64_t offset);

}  // namespace platbench::blockio
