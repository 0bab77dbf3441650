// The engine: runs a validated experiment's matrix, one planned run after the
// other, on the platforms it names, and stores every outcome as soon as it is known.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <stdexcept>

#include "config/experiment.hpp"
#include "plugin/registry.hpp"

namespace platbench {

struct EngineOptions {
    bool resume = false;                              // skip runs stored as ok; try failed/skipped ones again
    std::optional<std::filesystem::path> output_dir;  // overrides the file's `output:`
    const std::atomic<bool>* interrupt = nullptr;     // Ctrl-C: stop after cleaning up the current run
    std::ostream* progress = nullptr;                 // progress and diagnostics (stderr); null = silent
    bool progress_is_terminal = false;                // redraw one status line instead of a line per run
};

struct EngineReport {
    std::int64_t experiment_id = 0;
    std::filesystem::path database;
    std::size_t planned = 0;           // runs in the plan
    std::size_t already_done = 0;      // found stored on --resume
    std::size_t ok = 0, failed = 0, skipped = 0;
    bool interrupted = false;
};

// A run's result could not be stored (disk full, database gone): the experiment
// stops, since every later result would be lost too.
class StoreFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Runs the experiment. Throws std::runtime_error for problems that stop the whole
// experiment (results database unusable); failures of single runs are recorded.
EngineReport run_experiment(const ExperimentConfig& config, const EngineOptions& options);

}  // namespace platbench
