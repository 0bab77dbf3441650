// The experiment matrix: cartesian product of platform instances x workload
// instances x every list-valued parameter, named deterministically the way
// google/benchmark names ArgsProduct runs: "native/stream/threads:2/array_size:16M".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/experiment.hpp"

namespace platbench {

struct Cell {
    std::size_t index = 0;
    std::string id;                          // deterministic, readable, unique
    const PluginInstanceConfig* platform = nullptr;
    const PluginInstanceConfig* workload = nullptr;
    ParamValues platform_settings;           // effective: defaults written in
    ParamValues workload_params;             // effective: defaults written in
    std::string config_hash;                 // hex SHA-256 over plugins + every effective value
};

// Expands the matrix. Order: platforms outermost, then workloads, then the
// dimensions in file order (platform dimensions first), last dimension fastest.
std::vector<Cell> expand_matrix(const ExperimentConfig& config);

struct PlannedRun {
    std::size_t cell = 0;      // index into the cells
    int repetition = 0;        // 0-based within its kind (warmup or measured)
    bool warmup = false;

    // Stable key used to find completed runs on --resume.
    std::string key(const Cell& c) const;
};

// The order of the runs. Sequential: each cell's warmup runs, then its repetitions,
// cell after cell. Interleaved: the warmup rounds, then the measured rounds, every
// cell once per round, each round shuffled by `seed` (the same seed gives the same
// plan on every machine and compiler: the shuffle is platbench's own).
// A seed for the run order when the experiment file gives none. JSON numbers keep
// 53 bits exactly, and the seed is stored as one: `seed:` repeats the order.
std::uint64_t fresh_order_seed();

std::vector<PlannedRun> plan_runs(const std::vector<Cell>& cells, const ExperimentConfig& config,
                                  std::uint64_t seed = 0);

// One extra round of adaptive repetitions: measured run number `repetition` of each
// of `cells` (indices), shuffled by `seed` as plan_runs shuffles a round.
std::vector<PlannedRun> plan_round(const std::vector<std::size_t>& cells, int repetition, std::uint64_t seed);

// The seed of adaptive round `repetition` of an experiment whose order seed is
// `experiment_seed`: every executor shuffles the same round the same way.
std::uint64_t adaptive_round_seed(std::uint64_t experiment_seed, int repetition);

}  // namespace platbench
