#include "engine/engine.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <ostream>
#include <stdexcept>

#include "analysis/convergence.hpp"
#include "engine/param_json.hpp"
#include "engine/progress.hpp"
#include "engine/run_executor.hpp"
#include "host/host_info.hpp"
#include "matrix/matrix.hpp"
#include "store/output_lock.hpp"
#include "store/result_store.hpp"
#include "util/fault_injection.hpp"

namespace platbench {
namespace fs = std::filesystem;

namespace {

// A seed for the run order when the experiment file gives none. JSON numbers keep
// 53 bits exactly, and the seed is stored as one: `seed:` repeats the order.
std::uint64_t fresh_seed() {
    std::random_device device;
    const std::uint64_t seed = (std::uint64_t{device()} << 32) ^ device();
    return seed & ((std::uint64_t{1} << 53) - 1);
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
          progress_(options.progress, options.progress_is_terminal, plan_.size()),
          interrupt_(options.interrupt != nullptr ? options.interrupt : &never_),
          executor_(config, cells_, progress_, *interrupt_) {}

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
        executor_.probe_platforms();
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
        const std::string description = executor_.describe(planned);
        progress_.starting(index + 1, description);
        std::optional<RunRecord> record =
            executor_.execute(planned, index, report_.experiment_id, fs::absolute(output_dir_) / "work");
        if (!record) {
            // Interrupted runs are not stored: --resume runs them again.
            report_.interrupted = true;
            progress_.note("interrupted: " + description + " was stopped and not stored");
            return;
        }
        store(*record, description);
    }

    const ExperimentConfig& config_;
    const EngineOptions& options_;
    std::vector<Cell> cells_;
    std::uint64_t seed_;  // of the interleaved order, recorded with the experiment
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::vector<PlannedRun> plan_;
    Progress progress_;
    std::atomic<bool> never_{false};    // the interrupt flag when the caller gives none
    const std::atomic<bool>* interrupt_;
    RunExecutor executor_;

    fs::path output_dir_;
    std::optional<OutputLock> lock_;  // held while this run writes into output_dir_
    std::unique_ptr<ResultStore> store_;
    EngineReport report_;
    std::map<std::string, std::string> earlier_attempts_;  // --resume: run key -> "failed: reason" of runs tried again
};

}  // namespace

EngineReport run_experiment(const ExperimentConfig& config, const EngineOptions& options) {
    MatrixExecution execution(config, options);
    return execution.run();
}

}  // namespace platbench
