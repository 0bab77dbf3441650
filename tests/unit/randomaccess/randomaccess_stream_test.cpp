// HPCC's RandomAccess stream and the update kernels, directly.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include "gups_stream.hpp"
#include "table_updates.hpp"

using namespace platbench::randomaccess;

TEST_CASE("the stream's start at n is n steps from 1") {
    std::uint64_t value = 1;
    for (std::uint64_t n = 0; n < 3000; ++n) {
        CAPTURE(n);
        CHECK(stream_start(n) == value);
        value = next_in_stream(value);
    }
}

TEST_CASE("the stream's starts are HPCC_starts' values") {
    // Printed by HPC Challenge 1.5's HPCC_starts (RandomAccess/utility.c) for these n.
    const std::vector<std::pair<std::uint64_t, std::uint64_t>> hpcc_starts = {
        {1ull, 0x0000000000000002ull},
        {63ull, 0x8000000000000000ull},
        {64ull, 0x0000000000000007ull},
        {65ull, 0x000000000000000eull},
        {1000ull, 0xb6b6db0000000103ull},
        {8388608ull, 0x0000000100000102ull},
        {16777216ull, 0x0000000000010003ull},
        {1099511627776ull, 0x0000000100000116ull},
        {123456789012345ull, 0x9d7312d81ac706bcull},
        {1317624576693539400ull, 0x8000000000000003ull},  // HPCC's PERIOD - 1
    };
    for (const auto& start : hpcc_starts) {  // no structured binding: clang 14 cannot capture one
        CAPTURE(start.first);
        CHECK(stream_start(start.first) == start.second);
    }
}

TEST_CASE("one thread's updates come back exactly on replay: no word is wrong, with or without prefetch") {
    for (const bool prefetch : {true, false}) {
        CAPTURE(prefetch);
        std::vector<std::uint64_t> table = make_table(1u << 12, 1);
        for (std::uint64_t i = 0; i < table.size(); ++i) REQUIRE(table[i] == i);
        const std::atomic<bool> stop{false};
        REQUIRE(apply_updates(table, kUpdatesPerWord * table.size(), 1, prefetch, stop));
        std::uint64_t changed = 0;
        for (std::uint64_t i = 0; i < table.size(); ++i) changed += table[i] != i;
        CHECK(changed > table.size() / 2);  // the updates did change the table
        CHECK(count_errors_after_replay(table, kUpdatesPerWord * table.size(), 1) == 0);
    }
}

TEST_CASE("the updates are the stream's: one update of element 0 XORs x into word 2") {
    std::vector<std::uint64_t> table = make_table(16, 1);
    const std::atomic<bool> stop{false};
    REQUIRE(apply_updates(table, 1, 1, false, stop));
    CHECK(table[2] == (2u ^ 2u));  // element 0 is x = 2: word 2 ^= 2
    for (std::uint64_t i = 0; i < 16; ++i)
        if (i != 2) CHECK(table[i] == i);
}

TEST_CASE("a word spoiled after the updates is counted by the check") {
    std::vector<std::uint64_t> table = make_table(1u << 10, 2);
    const std::atomic<bool> stop{false};
    REQUIRE(apply_updates(table, kUpdatesPerWord * table.size(), 1, true, stop));
    table[17] ^= 0xff;
    table[900] ^= 1;
    CHECK(count_errors_after_replay(table, kUpdatesPerWord * table.size(), 2) == 2);
}

TEST_CASE("several threads lose at most HPCC's 1% of updates, and cover every element once") {
    std::vector<std::uint64_t> table = make_table(1u << 16, 4);
    const std::atomic<bool> stop{false};
    REQUIRE(apply_updates(table, kUpdatesPerWord * table.size(), 4, true, stop));
    const std::uint64_t errors = count_errors_after_replay(table, kUpdatesPerWord * table.size(), 4);
    CHECK(static_cast<double>(errors) <= kMaxErrorFraction * static_cast<double>(table.size()));
}

TEST_CASE("an update count not a multiple of the lanes and threads still covers every element") {
    std::vector<std::uint64_t> table = make_table(1u << 8, 3);
    const std::atomic<bool> stop{false};
    REQUIRE(apply_updates(table, 1001, 3, true, stop));
    // The exact replay of the same 1001 elements with one thread must undo them all.
    CHECK(count_errors_after_replay(table, 1001, 1) <= 0.01 * 256);
    std::vector<std::uint64_t> single = make_table(1u << 8, 1);
    REQUIRE(apply_updates(single, 1001, 1, false, stop));
    CHECK(count_errors_after_replay(single, 1001, 3) == 0);
}

TEST_CASE("a stop request ends the updates early") {
    std::vector<std::uint64_t> table = make_table(1u << 10, 1);
    const std::atomic<bool> stop{true};
    CHECK_FALSE(apply_updates(table, kUpdatesPerWord * (1u << 24), 1, true, stop));
}
