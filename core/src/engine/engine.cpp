#include "engine/engine.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <ostream>
#include <stdexcept>

#include "analysis/convergence.hpp"
#include "bundle/bundle.hpp"
#include "engine/param_json.hpp"
#include "engine/progress.hpp"
#include "host/host_info.hpp"
#include "matrix/matrix.hpp"
#include "protocol/runner_protocol.hpp"
#include "store/output_lock.hpp"
#include "store/result_store.hpp"
#include "util/fault_injection.hpp"
#include "util/names.hpp"

namespace platbench {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kStoredStderrBytes = 4096;

// A seed for the run order when the experiment file gives none. JSON numbers keep
// 53 bits exactly, and the seed is stored as one: `seed:` repeats the order.
std::uint64_t fresh_seed() {
    std::random_device device;
    const std::uint64_t seed = (std::uint64_t{device()} << 32) ^ device();
    return seed & ((std::uint64_t{1} << 53) - 1);
}

// One platform object per platform instance and distinct settings: probed once,
// prepared once, reused by all of its runs.
struct PlatformSession {
    std::unique_ptr<Platform> platform;
    ProbeResult probe;
    bool prepared = false;
    std::string prepare_error;
};

std::string tail(const std::string& text, std::size_t bytes) {
    return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

nlohmann::json describe_cells(const std::vector<Cell>& cells) {
    nlohmann::json out = nlohmann::json::array();
    for (const Cell& cell : cells) {
        out.push_back({{"id", cell.id},
                       {"config_hash", cell.config_hash},
                       {"platform", cell.platform->name},
                       {"platform_plugin", cell.platform->plugin->name()},
                       {"platform_settings", to_json(cell.platform_settings)},
                       {"workload", cell.workload->name},
                       {"workload_plugin", cell.workload->plugin->name()},
                       {"workload_params", to_json(cell.workload_params)}});
    }
    return out;
}

class MatrixExecution {
public:
    MatrixExecution(const ExperimentConfig& config, const EngineOptions& options)
        : config_(config),
          options_(options),
          cells_(expand_matrix(config)),
          seed_(config.seed ? *config.seed : fresh_seed()),
          plan_(plan_runs(cells_, config, seed_)),
          progress_(options.progress, options.progress_is_terminal, plan_.size()) {
        if (options.interrupt != nullptr) interrupt_ = options.interrupt;
    }

    EngineReport run() {
        output_dir_ = options_.output_dir.value_or(config_.output_dir);
        lock_.emplace(output_dir_);
        store_ = ResultStore::open(output_dir_);
        report_.database = store_->path();
        report_.planned = plan_.size();
        remove_leftovers_of_dead_runs();
        const std::set<std::string> done = open_experiment();
        if (config_.order == RunOrder::Interleaved)
            progress_.note("order: interleaved, seed " + std::to_string(seed_) + " (`seed: " + std::to_string(seed_) +
                           "` repeats it)");
        probe_platforms();
        for (std::size_t i = 0; i < plan_.size(); ++i) {
            if (interrupt_->load()) {
                report_.interrupted = true;
                break;
            }
            const PlannedRun& planned = plan_[i];
            if (done.count(planned.key(cells_[planned.cell])) != 0) {
                ++report_.already_done;
                continue;
            }
            execute(i, planned);
        }
        if (config_.adaptive && !report_.interrupted) repeat_until_narrow(*config_.adaptive, done);
        progress_.done();
        return report_;
    }

private:
    // A platbench killed before it could clean up (SIGKILL, a crash, a power cut)
    // leaves containers, domains, images half built and run directories. Each
    // platform's clean() removes those of processes that are gone (a concurrent
    // run's are alive and kept); this run's own work directory is ours alone,
    // since we hold the lock.
    void remove_leftovers_of_dead_runs() {
        std::error_code ec;
        const fs::path work = fs::absolute(output_dir_) / "work";
        if (fs::exists(work, ec) && !fs::is_empty(work, ec)) {
            fs::remove_all(work, ec);
            progress_.note("removed the work directory an earlier, killed run left in " + work.string());
        }
        std::set<const LoadedPlugin*> platforms;
        for (const Cell& cell : cells_) platforms.insert(cell.platform->plugin);
        for (const LoadedPlugin* plugin : platforms) {
            try {
                for (const std::string& leftover : plugin->descriptor->create_platform()->clean(false)) {
                    progress_.note("removed what an earlier, killed run left: " + plugin->name() + ": " + leftover);
                }
            } catch (const std::exception& e) {
                progress_.note("note: could not look for leftovers of " + plugin->name() + ": " + e.what());
            }
        }
    }

    // Adaptive repetitions: rounds of the cells whose interval is still too wide,
    // each round shuffled, until all are narrow enough, at max_repetitions, or out
    // of budget. Cells left wide are flagged by the validity checks, not hidden.
    void repeat_until_narrow(const AdaptiveRepetitions& adaptive, const std::set<std::string>& done) {
        std::size_t index = plan_.size();
        for (int repetition = config_.repetitions; repetition < adaptive.max_repetitions; ++repetition) {
            const std::vector<std::size_t> wide = cells_still_wide(adaptive);
            if (wide.empty()) return;
            if (adaptive.budget_seconds > 0 && seconds_since(started_) >= adaptive.budget_seconds) {
                progress_.note("adaptive repetitions: the budget of " + Progress::format_duration(adaptive.budget_seconds) +
                               " is spent; " + std::to_string(wide.size()) + " cells stay above the target");
                return;
            }
            const std::vector<PlannedRun> round = plan_round(wide, repetition, seed_ + 0x9E3779B97F4A7C15ull * repetition);
            progress_.add_planned(round.size());
            report_.planned += round.size();
            for (const PlannedRun& planned : round) {
                if (interrupt_->load()) {
                    report_.interrupted = true;
                    return;
                }
                if (done.count(planned.key(cells_[planned.cell])) != 0) {
                    ++report_.already_done;
                    continue;
                }
                execute(index++, planned);
            }
        }
    }

    std::vector<std::size_t> cells_still_wide(const AdaptiveRepetitions& adaptive) {
        const auto convergence =
            cell_convergence(store_->runs(report_.experiment_id), adaptive.metric, adaptive.target_fraction);
        std::vector<std::size_t> wide;
        for (const Cell& cell : cells_) {
            auto it = convergence.find(cell.id);
            // A cell without a successful run cannot narrow: more of its failures help no one.
            if (it == convergence.end() || it->second.metric.empty() || it->second.converged) continue;
            wide.push_back(cell.index);
        }
        return wide;
    }

    static double seconds_since(std::chrono::steady_clock::time_point start) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    std::set<std::string> open_experiment() {
        if (options_.resume) {
            if (auto earlier = store_->latest_experiment(config_.name)) {
                report_.experiment_id = earlier->id;
                if (earlier->file_hash != config_.file_hash) {
                    progress_.note("note: " + config_.file.string() + " changed since experiment " +
                                   std::to_string(earlier->id) + " was started; cells whose settings changed run anew");
                }
                // Runs stored as ok are done; failed or skipped ones are tried again
                // (the daemon is back, the disk has room), replacing their record.
                std::set<std::string> done;
                for (const auto& [key, outcome] : store_->stored_run_outcomes(earlier->id)) {
                    if (outcome.status == "ok") done.insert(key);
                    else earlier_attempts_[key] = outcome.status + ": " + outcome.reason;
                }
                progress_.note("resuming experiment " + std::to_string(earlier->id) + " in " + store_->path().string() +
                               ": " + std::to_string(done.size()) + " runs already stored" +
                               (earlier_attempts_.empty() ? std::string()
                                                          : ", " + std::to_string(earlier_attempts_.size()) +
                                                                " failed or skipped runs are tried again"));
                return done;
            }
            progress_.note("note: no earlier '" + config_.name + "' experiment in " + store_->path().string() +
                           "; starting a new one");
        }
        ExperimentRecord record;
        record.name = config_.name;
        record.file = config_.file.string();
        record.file_hash = config_.file_hash;
        record.created_at = utc_timestamp_now();
        record.config = {{"description", config_.description},
                         {"repetitions", config_.repetitions},
                         {"warmup", config_.warmup},
                         {"timeout_seconds", config_.timeout_seconds},
                         {"order", config_.order == RunOrder::Sequential ? "sequential" : "interleaved"},
                         {"seed", seed_},
                         {"baseline", config_.baseline},
                         {"adaptive", adaptive_json()},
                         {"output", output_dir_.string()},
                         {"cells", describe_cells(cells_)}};
        record.host = collect_host_info();
        record.planned_runs = static_cast<std::int64_t>(plan_.size());
        report_.experiment_id = store_->create_experiment(record);
        fault_point("experiment-created");
        return {};
    }

    nlohmann::json adaptive_json() const {
        if (!config_.adaptive) return nullptr;
        return {{"target_ci_percent", config_.adaptive->target_fraction * 100},
                {"min_repetitions", config_.repetitions},
                {"max_repetitions", config_.adaptive->max_repetitions},
                {"budget_seconds", config_.adaptive->budget_seconds},
                {"metric", config_.adaptive->metric}};
    }

    static std::string session_key(const Cell& cell) {
        return cell.platform->name + "\n" + to_json(cell.platform_settings).dump();
    }

    // Probes every platform instance before the first run, so declines show at once.
    void probe_platforms() {
        for (const Cell& cell : cells_) {
            const std::string key = session_key(cell);
            if (sessions_.count(key) != 0) continue;
            PlatformSession& session = sessions_[key];
            try {
                session.platform = cell.platform->plugin->descriptor->create_platform();
                session.probe = session.platform->probe(cell.platform_settings);
            } catch (const std::exception& e) {
                session.probe = {Availability::Broken, std::string("probe failed: ") + e.what(), {}};
            }
            if (session.probe.availability == Availability::Declined) {
                progress_.note("platform " + cell.platform->name + " is not available here: " + session.probe.reason +
                               " (its runs are recorded as skipped)");
            } else if (session.probe.availability == Availability::Broken) {
                progress_.note("platform " + cell.platform->name + " is broken: " + session.probe.reason +
                               " (its runs are recorded as failed)");
            }
        }
    }

    const Bundle* bundle_for(const Cell& cell, std::string& error) {
        if ((cell.platform->plugin->descriptor->flags & kPlatformNeedsBundle) == 0) return nullptr;
        if (!bundle_ && bundle_error_.empty()) {
            try {
                progress_.note("building the runner bundle (cached after the first time)...");
                BundleBuildInfo info;
                bundle_ = build_bundle(host_runner_for(cell), default_cache_dir(), info);
                for (const std::string& note : info.notes) progress_.note("note: " + note);
            } catch (const std::exception& e) {
                bundle_error_ = std::string("cannot build the runner bundle: ") + e.what();
            }
        }
        error = bundle_error_;
        return bundle_ ? &*bundle_ : nullptr;
    }

    static HostRunner host_runner_for(const Cell& cell) {
        return {executable_dir() / "platbench-runner", cell.workload->plugin->file.parent_path()};
    }

    RunRecord base_record(const Cell& cell, const PlannedRun& planned) const {
        RunRecord record;
        record.experiment_id = report_.experiment_id;
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

    std::vector<std::string> runner_args(const Cell& cell) const {
        std::vector<std::string> args{"--workload", cell.workload->plugin->name()};
        for (const ParamSpec& spec : cell.workload->plugin->descriptor->params) {
            auto it = cell.workload_params.all().find(spec.name);
            if (it == cell.workload_params.all().end()) continue;
            args.push_back("--param");
            args.push_back(spec.name + "=" + format_param_value(spec, it->second));
        }
        return args;
    }

    std::string describe(const Cell& cell, const PlannedRun& planned) const {
        if (planned.warmup) {
            return cell.id + " warmup " + std::to_string(planned.repetition + 1) + "/" + std::to_string(config_.warmup);
        }
        return cell.id + " rep " + std::to_string(planned.repetition + 1) + "/" + std::to_string(config_.repetitions);
    }

    void store(RunRecord& record, const std::string& description) {
        auto earlier = earlier_attempts_.find(record.run_key);
        try {
            if (earlier == earlier_attempts_.end()) {
                store_->store_run(record);
            } else {
                record.info["earlier_attempt"] = earlier->second;  // kept: what went wrong the first time
                store_->store_retried_run(record);
                earlier_attempts_.erase(earlier);
            }
        } catch (const std::exception& e) {
            throw StoreFailure(std::string("could not store the result of ") + description + ": " + e.what() +
                               "\nthe runs stored before are kept; once the cause is fixed (e.g. disk space), "
                               "`platbench run <file> --resume` continues");
        }
        if (record.status == "ok") ++report_.ok;
        else if (record.status == "skipped") ++report_.skipped;
        else ++report_.failed;
        progress_.finished(description, record.status, record.reason);
    }

    void execute(std::size_t index, const PlannedRun& planned) {
        const Cell& cell = cells_[planned.cell];
        const std::string description = describe(cell, planned);
        progress_.starting(index + 1, description);
        RunRecord record = base_record(cell, planned);
        record.started_at = utc_timestamp_now();
        PlatformSession& session = sessions_.at(session_key(cell));
        record.platform_metadata = session.probe.metadata;
        if (!ready(cell, session, record)) {
            record.ended_at = record.started_at;
            store(record, description);
            return;
        }
        std::string bundle_error;
        const Bundle* bundle = bundle_for(cell, bundle_error);
        const auto wall_start = std::chrono::steady_clock::now();
        fault_point("run-starting");
        const PlatformRunOutcome outcome = run_on_platform(cell, session, bundle, index);
        fault_point("run-finished");
        record.ended_at = utc_timestamp_now();
        record.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
        if (outcome.cancelled && interrupt_->load()) {
            // Interrupted runs are not stored: --resume runs them again.
            report_.interrupted = true;
            progress_.note("interrupted: " + description + " was stopped and not stored");
            return;
        }
        fill_from_outcome(record, outcome);
        store(record, description);
    }

    // Whether the session can run; otherwise fills the record as skipped/failed.
    bool ready(const Cell& cell, PlatformSession& session, RunRecord& record) {
        if (session.probe.availability == Availability::Declined) {
            record.status = "skipped";
            record.reason = "platform not available: " + session.probe.reason;
            return false;
        }
        if (session.probe.availability == Availability::Broken) {
            record.status = "failed";
            record.reason = "platform broken: " + session.probe.reason;
            return false;
        }
        std::string bundle_error;
        const Bundle* bundle = bundle_for(cell, bundle_error);
        if (!bundle_error.empty()) {
            record.status = "failed";
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
            record.status = "failed";
            record.reason = session.prepare_error;
            return false;
        }
        return true;
    }

    PlatformRunOutcome run_on_platform(const Cell& cell, PlatformSession& session, const Bundle* bundle,
                                       std::size_t index) {
        const HostRunner host_runner = host_runner_for(cell);
        fs::path work_dir;
        if ((cell.workload->plugin->descriptor->flags & kWorkloadUsesWorkDir) != 0) {
            work_dir = fs::absolute(output_dir_) / "work" /
                       ("run-" + std::to_string(report_.experiment_id) + "-" + std::to_string(index));
            fs::create_directories(work_dir);
        }
        const std::string run_label = "e" + std::to_string(report_.experiment_id) + "-r" + std::to_string(index);
        PlatformRunRequest request{cell.platform_settings,
                                   host_runner,
                                   bundle,
                                   runner_args(cell),
                                   work_dir,
                                   std::chrono::duration<double>(config_.timeout_seconds),
                                   {{"platbench", "1"},
                                    {"platbench.experiment", with_safe_name_characters(config_.name)},
                                    {"platbench.run", run_label}},
                                   *interrupt_};
        PlatformRunOutcome outcome;
        try {
            outcome = session.platform->run(request);
        } catch (const std::exception& e) {
            outcome.started = false;
            outcome.failure = std::string("platform error: ") + e.what();
        }
        if (!work_dir.empty()) {
            std::error_code ec;
            fs::remove_all(work_dir, ec);
        }
        return outcome;
    }

    static void fill_from_outcome(RunRecord& record, const PlatformRunOutcome& outcome) {
        const RunInterpretation interpretation = interpret_outcome(outcome);
        record.status = interpretation.status;
        record.reason = interpretation.reason;
        record.overhead_seconds = outcome.overhead_seconds;
        for (const auto& [key, value] : outcome.metadata) record.platform_metadata[key] = value;
        record.runner_stderr = tail(outcome.stderr_text, kStoredStderrBytes);
        if (interpretation.report) {
            const RunnerReport& report = *interpretation.report;
            record.info["workload_seconds"] = report.duration_seconds;
            record.observed_environment = report.environment;
            record.warnings = report.warnings;
            record.info = report.info;
            if (interpretation.status == "ok") record.metrics = report.metrics;
        }
    }

    const ExperimentConfig& config_;
    const EngineOptions& options_;
    std::vector<Cell> cells_;
    std::uint64_t seed_;  // of the interleaved order, recorded with the experiment
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::vector<PlannedRun> plan_;
    Progress progress_;
    std::atomic<bool> never_{false};
    const std::atomic<bool>* interrupt_ = &never_;
    fs::path output_dir_;
    std::optional<OutputLock> lock_;  // held while this run writes into output_dir_
    std::unique_ptr<ResultStore> store_;
    EngineReport report_;
    std::map<std::string, PlatformSession> sessions_;
    std::map<std::string, std::string> earlier_attempts_;  // --resume: run key -> "failed: reason" of runs tried again
    std::optional<Bundle> bundle_;
    std::string bundle_error_;
};

}  // namespace

EngineReport run_experiment(const ExperimentConfig& config, const EngineOptions& options) {
    MatrixExecution execution(config, options);
    return execution.run();
}

}  // namespace platbench
