// Runs single planned runs of an experiment's matrix on their platforms and turns
// each outcome into a RunRecord. Each platform instance (with its settings) is
// probed once and prepared once, the runner bundle built once, for all its runs.
// The local engine stores the records in the results database; a Slurm job on a
// compute node writes them to the spool directory for the head to ingest.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bundle/bundle.hpp"
#include "config/experiment.hpp"
#include "engine/progress.hpp"
#include "matrix/matrix.hpp"
#include "platbench/platform.hpp"
#include "store/result_store.hpp"

namespace platbench {

class RunExecutor {
public:
    // `cells` and `progress` must outlive the executor.
    RunExecutor(const ExperimentConfig& config, const std::vector<Cell>& cells, Progress& progress,
                const std::atomic<bool>& interrupt);
    ~RunExecutor();
    RunExecutor(const RunExecutor&) = delete;
    RunExecutor& operator=(const RunExecutor&) = delete;

    // Probes the platform instances of `cells` (all when empty) before the first
    // run, so that declines show at once.
    void probe_platforms(const std::vector<std::size_t>& cell_indexes = {});

    // Runs `planned` as run number `index` of experiment `experiment_id`, its work
    // directory under `work_root`. nullopt when Ctrl-C stopped it: an interrupted
    // run is not stored, so that --resume runs it again.
    std::optional<RunRecord> execute(const PlannedRun& planned, std::size_t index, std::int64_t experiment_id,
                                     const std::filesystem::path& work_root);

    // "<cell> rep 2/3", "<cell> warmup 1/1": how a run is named in progress lines.
    std::string describe(const PlannedRun& planned) const;

private:
    struct PlatformSession;

    PlatformSession& session_of(const Cell& cell);
    const Bundle* bundle_for(const Cell& cell, std::string& error);
    bool ready(const Cell& cell, PlatformSession& session, RunRecord& record);
    struct TimedOutcome {
        PlatformRunOutcome outcome;
        double platform_seconds = 0;  // the wall time of the platform's run() alone
    };
    TimedOutcome run_on_platform(const Cell& cell, PlatformSession& session, const Bundle* bundle,
                                 std::size_t index, std::int64_t experiment_id,
                                 const std::filesystem::path& work_root);
    // The peer of a network workload's run, on the platform's network path.
    std::unique_ptr<class NetworkPeer> start_peer(const Cell& cell, PlatformSession& session,
                                                  const HostRunner& host_runner,
                                                  const std::map<std::string, std::string>& labels);
    RunRecord base_record(const Cell& cell, const PlannedRun& planned, std::int64_t experiment_id) const;
    std::vector<std::string> runner_args(const Cell& cell) const;

    const ExperimentConfig& config_;
    const std::vector<Cell>& cells_;
    Progress& progress_;
    const std::atomic<bool>& interrupt_;
    std::map<std::string, std::unique_ptr<PlatformSession>> sessions_;
    std::optional<Bundle> bundle_;
    std::string bundle_error_;
};

// What the experiment's bundle carries: the runner and the workload plugin of
// every cell, each once, in the cells' order. Nothing else of the plugin directory.
BundleSources bundle_sources_for(const std::vector<Cell>& cells);

// What a platform cost one run, computed the same way for every platform: the
// wall time of the platform's run as the engine measured it (`platform_seconds`:
// starting the container or VM, the runner's life, stopping and removing it) less
// the runner's own lifetime (`runner_seconds` of its result line), at least 0.
// nullopt, unknown, when the runner reported no lifetime.
std::optional<double> platform_overhead_seconds(double platform_seconds, std::optional<double> runner_seconds);

// A planned run's record after the platform answered: status, reason, metrics,
// what the runner observed, the platform's metadata, the tail of stderr, and the
// overhead from `platform_seconds` (PlatformRunOutcome::overhead_seconds is not
// read). An unknown overhead is stored as NaN (NULL) with info.overhead_unknown
// saying why.
void fill_from_outcome(RunRecord& record, const PlatformRunOutcome& outcome, double platform_seconds);

}  // namespace platbench
