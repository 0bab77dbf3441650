// Adaptive repetitions (target_ci:), as every executor makes them: after the
// planned rounds, further rounds of only the cells whose interval is still too
// wide, each shuffled like the others, until all are narrow enough, at
// max_repetitions, or out of budget. Cells left wide are flagged by the validity
// checks, not hidden. The executor says how a round is run (one run after the
// other here, a job array per platform on Slurm).
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include "config/experiment.hpp"
#include "engine/experiment_session.hpp"
#include "engine/progress.hpp"
#include "matrix/matrix.hpp"

namespace platbench {

struct AdaptiveContext {
    const ExperimentConfig& config;
    const std::vector<Cell>& cells;
    std::uint64_t seed;  // the experiment's order seed: each round's is derived from it
    ExperimentSession& session;
    Progress& progress;
    std::chrono::steady_clock::time_point started;  // for the budget
};

// Runs the rounds; `run_round` runs one (its planned runs, already counted in the
// progress and the report) and returns false when the experiment was interrupted.
void repeat_until_narrow(const AdaptiveRepetitions& adaptive, const AdaptiveContext& context,
                         const std::function<bool(const std::vector<PlannedRun>&)>& run_round);

}  // namespace platbench
