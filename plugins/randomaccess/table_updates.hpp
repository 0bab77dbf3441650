// RandomAccess's timed part and its check, on a table of 2^k 64-bit words.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

namespace platbench::randomaccess {

// HPCC's rule: four updates per table word.
inline constexpr std::uint64_t kUpdatesPerWord = 4;
// HPCC's rule for parallel runs: up to 1% of the table may be wrong after the
// check's replay (updates lost to races between threads); more fails the run.
inline constexpr double kMaxErrorFraction = 0.01;

// Table word i holds i, as HPCC starts it (written in parallel: large tables).
std::vector<std::uint64_t> make_table(std::uint64_t words, int threads);

// Applies stream elements [0, updates) to the table: `threads` threads, each on
// its own contiguous part of the stream, with HPCC's 128 interleaved lanes per
// part. Updates race as in HPCC (no atomic instruction), so a few may be lost.
// `prefetch`: prefetch each lane's next word, 128 updates ahead; false: HPCC's
// own loop. Returns false if stopped early.
bool apply_updates(std::vector<std::uint64_t>& table, std::uint64_t updates, int threads, bool prefetch,
                   const std::atomic<bool>& stop_requested);

// Replays the same updates exactly (atomic XOR), which restores every word to
// its index if none was lost, and counts the words that are not.
std::uint64_t count_errors_after_replay(std::vector<std::uint64_t>& table, std::uint64_t updates, int threads);

}  // namespace platbench::randomaccess
