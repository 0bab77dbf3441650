// What every executor of an experiment starts from, built one way for all: the
// matrix's cells, the run plan and its order seed, the progress shown, the
// interrupt flag, and the session that stores results in the output directory.
// The local executor (engine.cpp) and the Slurm executor (slurm_execution.cpp)
// derive from it and run the plan each its own way.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "config/experiment.hpp"
#include "engine/engine.hpp"
#include "engine/experiment_session.hpp"
#include "engine/progress.hpp"
#include "matrix/matrix.hpp"

namespace platbench {

class ExperimentExecution {
public:
    ExperimentExecution(const ExperimentExecution&) = delete;
    ExperimentExecution& operator=(const ExperimentExecution&) = delete;

protected:
    // Where runs finish: here, one after the other (a terminal may show one redrawn
    // status line), or elsewhere, several at a time (Slurm jobs: a finished run is
    // numbered by how many have finished).
    enum class RunsFinish { Here, Elsewhere };

    ExperimentExecution(const ExperimentConfig& config, const EngineOptions& options, RunsFinish runs_finish);
    ~ExperimentExecution() = default;

    // Locks the output directory and opens its results database.
    void start_session();
    // Creates the experiment in the database, or continues it with --resume.
    void open_experiment();
    // The adaptive rounds (engine/adaptive_rounds) after the planned runs, when the
    // experiment asks for them and was not interrupted; `run_round` runs one round.
    void repeat_until_narrow(const std::function<bool(const std::vector<PlannedRun>&)>& run_round);

    EngineReport& report() { return session_->report(); }

    const ExperimentConfig& config_;
    const EngineOptions& options_;
    const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();  // adaptive budget
    std::vector<Cell> cells_;
    std::uint64_t seed_;  // of the interleaved order, recorded with the experiment
    std::vector<PlannedRun> plan_;
    Progress progress_;
    const std::atomic<bool>* interrupt_;  // the caller's, or never_
    std::optional<ExperimentSession> session_;

private:
    std::atomic<bool> never_{false};  // the interrupt flag when the caller gives none
};

}  // namespace platbench
