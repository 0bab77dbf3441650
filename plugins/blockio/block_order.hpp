// Which block a random pattern touches next.
//
// By default each block of a job's region is visited once per pass, in a random
// order, before any is visited again: fio's random map (its default; fio keeps a
// bitmap of the blocks done). Drawn with replacement instead, a size-based job
// reads some blocks twice and never reaches about a third of them (1/e), so the
// figures depend on how a platform caches repeated blocks rather than on its
// storage. Here the order is a keyed pseudo-random permutation of the blocks (a
// Feistel network, walked until it lands inside the region), so no bitmap is
// kept whatever the region's size, and a new key starts each pass.
// `norandommap: true` draws with replacement, as fio's option of that name.
#pragma once

#include <cstdint>

#include "block_data.hpp"

namespace platbench::blockio {

// A bijection of [0, size) onto itself, chosen by `key`.
class BlockPermutation {
public:
    BlockPermutation(std::uint64_t size, std::uint64_t key);
    std::uint64_t at(std::uint64_t index) const;

private:
    std::uint64_t encrypt(std::uint64_t value) const;

    std::uint64_t size_;
    int half_bits_;            // the network permutes [0, 4^half_bits_) >= size_
    std::uint64_t half_mask_;
    std::uint64_t keys_[4];    // one per round
};

class RandomBlocks {
public:
    RandomBlocks(std::uint64_t blocks, std::uint64_t seed, bool with_replacement);
    std::uint64_t next();

private:
    std::uint64_t blocks_;
    std::uint64_t seed_;
    bool with_replacement_;
    Random draws_;              // with replacement
    std::uint64_t pass_ = 0;    // without: which permutation ...
    std::uint64_t index_ = 0;   // ... and how far into it
    BlockPermutation order_;
};

}  // namespace platbench::blockio
