#include "block_order.hpp"

namespace platbench::blockio {
namespace {

constexpr std::uint64_t kPassPurpose = 0x9a55;

int bits_for(std::uint64_t size) {
    int bits = 1;
    while (bits < 64 && (std::uint64_t{1} << bits) < size) ++bits;
    return bits;
}

// One round's mixing of a half with its key: a splitmix64 finaliser.
std::uint64_t mix(std::uint64_t value, std::uint64_t key) {
    std::uint64_t z = value ^ key;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

}  // namespace

BlockPermutation::BlockPermutation(std::uint64_t size, std::uint64_t key) : size_(size == 0 ? 1 : size) {
    const int bits = bits_for(size_);
    half_bits_ = (bits + 1) / 2;
    half_mask_ = (std::uint64_t{1} << half_bits_) - 1;
    Random keys(key);
    for (std::uint64_t& round_key : keys_) round_key = keys.next();
}

std::uint64_t BlockPermutation::encrypt(std::uint64_t value) const {
    std::uint64_t left = value >> half_bits_;
    std::uint64_t right = value & half_mask_;
    for (const std::uint64_t key : keys_) {
        const std::uint64_t next_right = left ^ (mix(right, key) & half_mask_);
        left = right;
        right = next_right;
    }
    return (left << half_bits_) | right;
}

std::uint64_t BlockPermutation::at(std::uint64_t index) const {
    // Cycle walking: the network permutes a range up to four times the region;
    // applying it again until the value falls inside keeps it a bijection of the region.
    std::uint64_t value = encrypt(index);
    while (value >= size_) value = encrypt(value);
    return value;
}

RandomBlocks::RandomBlocks(std::uint64_t blocks, std::uint64_t seed, bool with_replacement)
    : blocks_(blocks), seed_(seed), with_replacement_(with_replacement), draws_(seed),
      order_(blocks, derive_seed(seed, kPassPurpose, 0)) {}

std::uint64_t RandomBlocks::next() {
    if (with_replacement_) return draws_.below(blocks_);
    if (index_ == blocks_) {  // a pass is done: the next one in another order
        index_ = 0;
        order_ = BlockPermutation(blocks_, derive_seed(seed_, kPassPurpose, ++pass_));
    }
    return order_.at(index_++);
}

}  // namespace platbench::blockio
