// An experiment's place in its results directory, as every executor needs it:
// the directory locked, the database open, the experiment created (or, with
// --resume, the newest of its name continued), and each finished run stored the
// moment it is known, a retried run replacing its earlier failed attempt.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/experiment.hpp"
#include "engine/engine.hpp"
#include "engine/progress.hpp"
#include "matrix/matrix.hpp"
#include "store/output_lock.hpp"
#include "store/result_store.hpp"

namespace platbench {

// --resume on a file whose cells changed their settings since the experiment
// started: continuing would pool runs of two configurations. The message names
// each changed cell and setting (old -> new) and what to do instead.
class ResumeRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ExperimentSession {
public:
    // Locks the output directory and opens (or creates) its results database.
    ExperimentSession(const ExperimentConfig& config, const EngineOptions& options, Progress& progress);

    // Creates the experiment, or continues the newest of its name with `resume`.
    // `planned_runs` and the seed are recorded with a new experiment. Throws
    // ResumeRefused when a cell of the earlier experiment has other settings now.
    void open(const std::vector<Cell>& cells, std::uint64_t seed, std::size_t planned_runs);

    // Stores a finished run and counts it into report(); throws StoreFailure when
    // the database cannot take it (the experiment must stop).
    void store(RunRecord& record, const std::string& description);

    bool is_done(const std::string& run_key) const { return done_.count(run_key) != 0; }  // stored as ok
    std::int64_t experiment_id() const { return report_.experiment_id; }
    const std::filesystem::path& output_dir() const { return output_dir_; }
    ResultStore& results() { return *store_; }
    EngineReport& report() { return report_; }

private:
    void continue_experiment(const ExperimentRecord& earlier, const std::vector<Cell>& cells);
    void create_experiment(const std::vector<Cell>& cells, std::uint64_t seed, std::size_t planned_runs);

    const ExperimentConfig& config_;
    bool resume_;
    Progress& progress_;
    std::filesystem::path output_dir_;
    std::optional<OutputLock> lock_;  // held while this process writes into output_dir_
    std::unique_ptr<ResultStore> store_;
    EngineReport report_;
    std::set<std::string> done_;
    std::map<std::string, std::string> earlier_attempts_;  // run key -> "failed: reason" of runs tried again
};

}  // namespace platbench
