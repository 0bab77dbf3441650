#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <vector>

#include "block_data.hpp"

namespace blockio = platbench::blockio;

TEST_CASE("a block's data depends on seed and offset, and is found again by the check") {
    std::vector<unsigned char> a(4096), b(4096), c(4096);
    blockio::fill_block(a.data(), a.size(), 1, 0);
    blockio::fill_block(b.data(), b.size(), 1, 4096);
    blockio::fill_block(c.data(), c.size(), 2, 0);
    CHECK(a != b);
    CHECK(a != c);
    CHECK_FALSE(blockio::first_mismatch(a.data(), a.size(), 1, 0));
    CHECK(blockio::first_mismatch(a.data(), a.size(), 1, 4096) == std::optional<std::size_t>(0));
    a[1234] ^= 0x10;
    CHECK(blockio::first_mismatch(a.data(), a.size(), 1, 0) == std::optional<std::size_t>(1234));
}

TEST_CASE("block sizes that are not a multiple of 8 are filled and checked to the last byte") {
    std::vector<unsigned char> block(1003, 0);
    blockio::fill_block(block.data(), block.size(), 7, 3000);
    CHECK_FALSE(blockio::first_mismatch(block.data(), block.size(), 7, 3000));
    block[1002] ^= 1;
    CHECK(blockio::first_mismatch(block.data(), block.size(), 7, 3000) == std::optional<std::size_t>(1002));
}

TEST_CASE("random block numbers stay in range and cover it") {
    blockio::Random random(42);
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 10000; ++i) {
        const std::uint64_t block = random.below(100);
        REQUIRE(block < 100);
        seen.insert(block);
    }
    CHECK(seen.size() == 100);
    CHECK(blockio::derive_seed(1, 2, 3) != blockio::derive_seed(1, 2, 4));
}
