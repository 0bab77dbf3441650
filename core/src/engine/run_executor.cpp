#include "engine/run_executor.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include "engine/network_peer.hpp"
#include "engine/param_json.hpp"
#include "host/host_info.hpp"
#include "plugin/registry.hpp"
#include "platbench/runner_protocol.hpp"
#include "store/run_caveats.hpp"
#include "util/fault_injection.hpp"
#include "platbench/names.hpp"

namespace platbench {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kStoredStderrBytes = 4096;
// The peer starts a process and opens two sockets: seconds, unless the host is stuck.
constexpr std::chrono::seconds kPeerReadyTimeout{30};

std::string tail(const std::string& text, std::size_t bytes) {
    return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

std::string session_key(const Cell& cell) { return cell.platform->name + "\n" + to_json(cell.platform_settings).dump(); }

HostRunner host_runner_for(const Cell& cell) {
    return {executable_dir() / "platbench-runner", cell.workload->plugin->file.parent_path()};
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The overhead, or NaN (stored as NULL) and a note that says why it is unknown.
void record_overhead(RunRecord& record, const std::optional<RunnerReport>& report, double platform_seconds) {
    const std::optional<double> runner_seconds = report ? report->runner_seconds : std::nullopt;
    const std::optional<double> overhead = platform_overhead_seconds(platform_seconds, runner_seconds);
    record.overhead_seconds = overhead.value_or(std::numeric_limits<double>::quiet_NaN());
    if (runner_seconds) {
        record.info["runner_seconds"] = *runner_seconds;
    } else {
        record.info["overhead_unknown"] = report ? "the runner's result line has no runner_seconds (an older runner)"
                                                 : "the runner gave no valid result line";
    }
}

}  // namespace

BundleSources bundle_sources_for(const std::vector<Cell>& cells) {
    BundleSources sources{executable_dir() / "platbench-runner", {}};
    for (const Cell& cell : cells) {
        const std::filesystem::path& plugin = cell.workload->plugin->file;
        if (std::find(sources.workload_plugins.begin(), sources.workload_plugins.end(), plugin) ==
            sources.workload_plugins.end())
            sources.workload_plugins.push_back(plugin);
    }
    return sources;
}

namespace {

}  // namespace

// One platform object per platform instance and distinct settings: probed once,
// prepared once, reused by all of its runs.
struct RunExecutor::PlatformSession {
    std::unique_ptr<Platform> platform;
    ProbeResult probe;
    bool prepared = false;
    std::string prepare_error;
};

RunExecutor::RunExecutor(const ExperimentConfig& config, const std::vector<Cell>& cells, Progress& progress,
                         const std::atomic<bool>& interrupt)
    : config_(config), cells_(cells), progress_(progress), interrupt_(interrupt) {}

RunExecutor::~RunExecutor() = default;

void RunExecutor::probe_platforms(const std::vector<std::size_t>& cell_indexes) {
    std::vector<std::size_t> indexes = cell_indexes;
    if (indexes.empty())
        for (const Cell& cell : cells_) indexes.push_back(cell.index);
    for (std::size_t index : indexes) session_of(cells_.at(index));
}

RunExecutor::PlatformSession& RunExecutor::session_of(const Cell& cell) {
    auto& slot = sessions_[session_key(cell)];
    if (slot) return *slot;
    slot = std::make_unique<PlatformSession>();
    PlatformSession& session = *slot;
    try {
        session.platform = cell.platform->plugin->descriptor->create_platform();
        session.probe = session.platform->probe(cell.platform_settings);
    } catch (const std::exception& e) {
        session.probe = {Availability::Broken, std::string("probe failed: ") + e.what(), {}, {}};
    }
    if (session.probe.availability == Availability::Declined) {
        progress_.note("platform " + cell.platform->name + " is not available here: " + session.probe.reason +
                       " (its runs are recorded as skipped)");
    } else if (session.probe.availability == Availability::Broken) {
        progress_.note("platform " + cell.platform->name + " is broken: " + session.probe.reason +
                       " (its runs are recorded as failed)");
    }
    return session;
}

const Bundle* RunExecutor::bundle_for(const Cell& cell, std::string& error) {
    if ((cell.platform->plugin->descriptor->flags & kPlatformNeedsBundle) == 0) return nullptr;
    if (!bundle_ && bundle_error_.empty()) {
        try {
            progress_.note("building the runner bundle (cached after the first time)...");
            BundleBuildInfo info;
            // All of the experiment's workloads, not only this cell's: one bundle (one
            // image, one initramfs) serves every cell, also on Slurm nodes.
            bundle_ = build_bundle(bundle_sources_for(cells_), default_cache_dir(), info);
            for (const std::string& note : info.notes) progress_.note("note: " + note);
        } catch (const std::exception& e) {
            bundle_error_ = std::string("cannot build the runner bundle: ") + e.what();
        }
    }
    error = bundle_error_;
    return bundle_ ? &*bundle_ : nullptr;
}

RunRecord RunExecutor::base_record(const Cell& cell, const PlannedRun& planned, std::int64_t experiment_id) const {
    RunRecord record;
    record.experiment_id = experiment_id;
    record.run_key = planned.key(cell);
    record.cell_id = cell.id;
    record.cell_config_hash = cell.config_hash;
    record.platform_instance = cell.platform->name;
    record.platform_plugin = cell.platform->plugin->name();
    record.platform_settings = to_json(cell.platform_settings);
    record.workload_instance = cell.workload->name;
    record.workload_plugin = cell.workload->plugin->name();
    record.workload_params = to_json(cell.workload_params);
    record.repetition = planned.repetition;
    record.warmup = planned.warmup;
    return record;
}

std::vector<std::string> RunExecutor::runner_args(const Cell& cell) const {
    std::vector<std::string> args{"--workload", cell.workload->plugin->name()};
    for (const ParamSpec& spec : cell.workload->plugin->descriptor->params) {
        auto it = cell.workload_params.all().find(spec.name);
        if (it == cell.workload_params.all().end()) continue;
        args.push_back("--param");
        args.push_back(spec.name + "=" + format_param_value(spec, it->second));
    }
    return args;
}

std::string RunExecutor::describe(const PlannedRun& planned) const {
    const Cell& cell = cells_.at(planned.cell);
    if (planned.warmup) {
        return cell.id + " warmup " + std::to_string(planned.repetition + 1) + "/" + std::to_string(config_.warmup);
    }
    return cell.id + " rep " + std::to_string(planned.repetition + 1) + "/" + std::to_string(config_.repetitions);
}

std::optional<RunRecord> RunExecutor::execute(const PlannedRun& planned, std::size_t index, std::int64_t experiment_id,
                                              const fs::path& work_root) {
    const Cell& cell = cells_.at(planned.cell);
    RunRecord record = base_record(cell, planned, experiment_id);
    record.started_at = utc_timestamp_now();
    PlatformSession& session = session_of(cell);
    record.platform_metadata = session.probe.metadata;
    record_caveats(session.probe.caveats, record.platform_metadata);
    if (!ready(cell, session, record)) {
        record.ended_at = record.started_at;
        return record;
    }
    std::string bundle_error;
    const Bundle* bundle = bundle_for(cell, bundle_error);
    const auto wall_start = std::chrono::steady_clock::now();
    fault_point("run-starting");
    const TimedOutcome timed = run_on_platform(cell, session, bundle, index, experiment_id, work_root);
    fault_point("run-finished");
    record.ended_at = utc_timestamp_now();
    record.duration_seconds = seconds_since(wall_start);
    if (timed.outcome.cancelled && interrupt_.load()) return std::nullopt;
    fill_from_outcome(record, timed.outcome, timed.platform_seconds);
    return record;
}

// Whether the session can run; otherwise fills the record as skipped/failed.
bool RunExecutor::ready(const Cell& cell, PlatformSession& session, RunRecord& record) {
    if (session.probe.availability == Availability::Declined) {
        record.status = RunStatus::Skipped;
        record.reason = "platform not available: " + session.probe.reason;
        return false;
    }
    if (session.probe.availability == Availability::Broken) {
        record.status = RunStatus::Failed;
        record.reason = "platform broken: " + session.probe.reason;
        return false;
    }
    std::string bundle_error;
    const Bundle* bundle = bundle_for(cell, bundle_error);
    if (!bundle_error.empty()) {
        record.status = RunStatus::Failed;
        record.reason = bundle_error;
        return false;
    }
    if (!session.prepared && session.prepare_error.empty()) {
        try {
            session.platform->prepare({cell.platform_settings, bundle});
            session.prepared = true;
        } catch (const std::exception& e) {
            session.prepare_error = std::string("platform preparation failed: ") + e.what();
        }
    }
    if (!session.prepare_error.empty()) {
        record.status = RunStatus::Failed;
        record.reason = session.prepare_error;
        return false;
    }
    return true;
}

RunExecutor::TimedOutcome RunExecutor::run_on_platform(const Cell& cell, PlatformSession& session,
                                                       const Bundle* bundle, std::size_t index,
                                                       std::int64_t experiment_id, const fs::path& work_root) {
    const HostRunner host_runner = host_runner_for(cell);
    fs::path work_dir;
    if ((cell.workload->plugin->descriptor->flags & kWorkloadUsesWorkDir) != 0) {
        work_dir = fs::absolute(work_root) / ("run-" + std::to_string(experiment_id) + "-" + std::to_string(index));
        fs::create_directories(work_dir);
    }
    const std::string run_label = "e" + std::to_string(experiment_id) + "-r" + std::to_string(index);
    PlatformRunRequest request{cell.platform_settings,
                               host_runner,
                               bundle,
                               runner_args(cell),
                               work_dir,
                               std::chrono::duration<double>(config_.timeout_seconds),
                               {{"platbench", "1"},
                                {"platbench.experiment", with_safe_name_characters(config_.name)},
                                {"platbench.run", run_label}},
                               interrupt_};
    TimedOutcome timed;
    std::unique_ptr<NetworkPeer> peer;
    if ((cell.workload->plugin->descriptor->flags & kWorkloadNetworkPeer) != 0) {
        try {
            peer = start_peer(cell, session, host_runner, request.labels);
        } catch (const std::exception& e) {
            timed.outcome.started = false;
            timed.outcome.failure = e.what();
        }
        if (peer) {
            request.network = &peer->path();
            request.runner_args.push_back("--peer");
            request.runner_args.push_back(peer->address());
        }
    }
    const bool peer_missing = (cell.workload->plugin->descriptor->flags & kWorkloadNetworkPeer) != 0 && !peer;
    // Timed around run() alone: making and removing the work directory (gigabytes
    // of I/O files, maybe) or the network path is not the platform's cost.
    const auto platform_start = std::chrono::steady_clock::now();
    try {
        if (!peer_missing) timed.outcome = session.platform->run(request);
    } catch (const std::exception& e) {
        timed.outcome.started = false;
        timed.outcome.failure = std::string("platform error: ") + e.what();
    }
    timed.platform_seconds = seconds_since(platform_start);
    if (peer) {
        for (const auto& [key, value] : peer->metadata()) timed.outcome.metadata[key] = value;
        peer.reset();  // stops the peer and removes the path before the next run
    }
    if (!work_dir.empty()) {
        std::error_code ec;
        fs::remove_all(work_dir, ec);
    }
    return timed;
}

std::unique_ptr<NetworkPeer> RunExecutor::start_peer(const Cell& cell, PlatformSession& session,
                                                     const HostRunner& host_runner,
                                                     const std::map<std::string, std::string>& labels) {
    std::vector<std::string> serve_argv{host_runner.runner.string()};
    for (const std::string& arg : runner_args(cell)) serve_argv.push_back(arg == "--workload" ? "--serve" : arg);
    serve_argv.push_back("--plugin-dir");
    serve_argv.push_back(host_runner.plugin_dir.string());
    return std::make_unique<NetworkPeer>(NetworkPeerRequest{
        *session.platform, cell.platform_settings, labels, std::move(serve_argv),
        std::chrono::duration<double>(config_.timeout_seconds + 60.0), kPeerReadyTimeout});
}

std::optional<double> platform_overhead_seconds(double platform_seconds, std::optional<double> runner_seconds) {
    if (!runner_seconds) return std::nullopt;
    // The two clocks differ (the host's and the guest's, in a VM): a runner that
    // seems to outlive its platform run means no overhead could be measured.
    return std::max(0.0, platform_seconds - *runner_seconds);
}

void fill_from_outcome(RunRecord& record, const PlatformRunOutcome& outcome, double platform_seconds) {
    const RunInterpretation interpretation = interpret_outcome(outcome);
    record.status = interpretation.status;
    record.reason = interpretation.reason;
    for (const auto& [key, value] : outcome.metadata)
        if (key != kCaveatsKey) record.platform_metadata[key] = value;  // the probe's, recorded by the engine
    record.runner_stderr = tail(outcome.stderr_text, kStoredStderrBytes);
    if (interpretation.report) {
        const RunnerReport& report = *interpretation.report;
        record.observed_environment = report.environment;
        record.warnings = report.warnings;
        record.info = report.info;
        record.info["workload_seconds"] = report.duration_seconds;
        if (interpretation.status == RunStatus::Ok) record.metrics = report.metrics;
    }
    record_overhead(record, interpretation.report, platform_seconds);  // after info, which it adds to
}

}  // namespace platbench
