#include "table_updates.hpp"

#include <algorithm>
#include <array>
#include <atomic>

#include <tbb/blocked_range.h>
#include <tbb/combinable.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "gups_stream.hpp"

namespace platbench::randomaccess {
namespace {

// HPCC's single-CPU kernel keeps 128 independent positions of the stream in
// flight, so that many table misses overlap; each lane walks its own stretch.
constexpr std::uint64_t kLanes = 128;
// A stop request is looked at between rounds of this many updates per lane.
constexpr std::uint64_t kStepsBetweenStopChecks = 1u << 14;

struct Part {
    std::uint64_t first = 0;  // index of the part's first stream element
    std::uint64_t count = 0;
};

Part part_of(std::uint64_t updates, int parts, int index) {
    const std::uint64_t base = updates / static_cast<std::uint64_t>(parts);
    const std::uint64_t extra = updates % static_cast<std::uint64_t>(parts);
    const auto i = static_cast<std::uint64_t>(index);
    return {i * base + std::min(i, extra), base + (i < extra ? 1 : 0)};
}

// Racy update, as HPCC's `Table[i] ^= ran`: one XOR into memory, not atomic, so
// two threads may lose one of their updates. On x86-64 it is written as that one
// instruction: a plain `^=` on a word another thread writes would be a data race
// (undefined behaviour in C++), and relaxed atomics compile to a separate load
// and store, which measured 25% slower than HPCC's loop. Elsewhere: relaxed atomics.
struct RacyXor {
    static void apply(std::uint64_t& word, std::uint64_t value) {
#if defined(__x86_64__)
        asm("xorq %1, %0" : "+m"(word) : "r"(value));
#else
        std::atomic_ref<std::uint64_t> ref(word);
        ref.store(ref.load(std::memory_order_relaxed) ^ value, std::memory_order_relaxed);
#endif
    }
};

// Exact update for the check: one atomic read-modify-write.
struct AtomicXor {
    static void apply(std::uint64_t& word, std::uint64_t value) {
        std::atomic_ref<std::uint64_t>(word).fetch_xor(value, std::memory_order_relaxed);
    }
};

// One lane round at a time: each lane's next element updates its word. With
// `Prefetch`, each lane's word for the following round is prefetched as its
// current one is updated, 128 updates ahead (HPCC's rules allow a lookahead of
// up to 1024 updates), so that more table misses are in flight at once.
template <class Update, bool Prefetch>
bool update_part(std::uint64_t* table, std::uint64_t mask, Part part, const std::atomic<bool>* stop) {
    const std::uint64_t per_lane = part.count / kLanes;
    std::array<std::uint64_t, kLanes> ran{};
    for (std::uint64_t lane = 0; lane < kLanes; ++lane) {
        ran[lane] = next_in_stream(stream_start(part.first + lane * per_lane));
        if constexpr (Prefetch) __builtin_prefetch(&table[ran[lane] & mask], 1, 0);
    }
    for (std::uint64_t step = 0; step < per_lane; ++step) {
        if (stop != nullptr && step % kStepsBetweenStopChecks == 0 && stop->load(std::memory_order_relaxed)) return false;
        for (std::uint64_t lane = 0; lane < kLanes; ++lane) {
            const std::uint64_t value = ran[lane];
            Update::apply(table[value & mask], value);
            ran[lane] = next_in_stream(value);
            if constexpr (Prefetch) __builtin_prefetch(&table[ran[lane] & mask], 1, 0);
        }
    }
    // The part's last few elements, beyond a whole number of lane steps.
    std::uint64_t value = stream_start(part.first + kLanes * per_lane);
    for (std::uint64_t i = kLanes * per_lane; i < part.count; ++i) {
        value = next_in_stream(value);
        Update::apply(table[value & mask], value);
    }
    return true;
}

template <class Update, bool Prefetch>
bool update_in_parallel(std::vector<std::uint64_t>& table, std::uint64_t updates, int threads,
                        const std::atomic<bool>* stop) {
    const std::uint64_t mask = table.size() - 1;
    std::atomic<bool> completed{true};
    tbb::task_arena arena(threads);
    arena.execute([&] {
        tbb::parallel_for(
            tbb::blocked_range<int>(0, threads, 1),
            [&](const tbb::blocked_range<int>& range) {
                for (int p = range.begin(); p != range.end(); ++p)
                    if (!update_part<Update, Prefetch>(table.data(), mask, part_of(updates, threads, p), stop))
                        completed = false;
            },
            tbb::simple_partitioner());
    });
    return completed;
}

}  // namespace

std::vector<std::uint64_t> make_table(std::uint64_t words, int threads) {
    std::vector<std::uint64_t> table;
    table.resize(words);
    tbb::task_arena arena(threads);
    arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, words), [&](const tbb::blocked_range<std::uint64_t>& r) {
            for (std::uint64_t i = r.begin(); i != r.end(); ++i) table[i] = i;
        });
    });
    return table;
}

bool apply_updates(std::vector<std::uint64_t>& table, std::uint64_t updates, int threads, bool prefetch,
                   const std::atomic<bool>& stop_requested) {
    return prefetch ? update_in_parallel<RacyXor, true>(table, updates, threads, &stop_requested)
                    : update_in_parallel<RacyXor, false>(table, updates, threads, &stop_requested);
}

std::uint64_t count_errors_after_replay(std::vector<std::uint64_t>& table, std::uint64_t updates, int threads) {
    update_in_parallel<AtomicXor, true>(table, updates, threads, nullptr);
    tbb::combinable<std::uint64_t> errors([] { return std::uint64_t{0}; });
    tbb::task_arena arena(threads);
    arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, table.size()), [&](const tbb::blocked_range<std::uint64_t>& r) {
            std::uint64_t local = 0;
            for (std::uint64_t i = r.begin(); i != r.end(); ++i) local += table[i] != i ? 1 : 0;
            errors.local() += local;
        });
    });
    return errors.combine(std::plus<>());
}

}  // namespace platbench::randomaccess
