#include "engine/experiment_session.hpp"

#include "engine/param_json.hpp"
#include "host/host_info.hpp"
#include "util/fault_injection.hpp"

namespace platbench {
namespace fs = std::filesystem;

namespace {

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

nlohmann::json adaptive_json(const ExperimentConfig& config) {
    if (!config.adaptive) return nullptr;
    return {{"target_ci_percent", config.adaptive->target_fraction * 100},
            {"min_repetitions", config.repetitions},
            {"max_repetitions", config.adaptive->max_repetitions},
            {"budget_seconds", config.adaptive->budget_seconds},
            {"metric", config.adaptive->metric}};
}

}  // namespace

ExperimentSession::ExperimentSession(const ExperimentConfig& config, const EngineOptions& options, Progress& progress)
    : config_(config), resume_(options.resume), progress_(progress),
      output_dir_(options.output_dir.value_or(config.output_dir)) {
    lock_.emplace(output_dir_);
    store_ = ResultStore::open(output_dir_);
    report_.database = store_->path();
}

void ExperimentSession::open(const std::vector<Cell>& cells, std::uint64_t seed, std::size_t planned_runs) {
    report_.planned = planned_runs;
    if (resume_) {
        if (auto earlier = store_->latest_experiment(config_.name)) return continue_experiment(*earlier);
        progress_.note("note: no earlier '" + config_.name + "' experiment in " + store_->path().string() +
                       "; starting a new one");
    }
    create_experiment(cells, seed, planned_runs);
}

void ExperimentSession::continue_experiment(const ExperimentRecord& earlier) {
    report_.experiment_id = earlier.id;
    if (earlier.file_hash != config_.file_hash) {
        progress_.note("note: " + config_.file.string() + " changed since experiment " + std::to_string(earlier.id) +
                       " was started; cells whose settings changed run anew");
    }
    // Runs stored as ok are done; failed or skipped ones are tried again (the
    // daemon is back, the disk has room), replacing their record.
    for (const auto& [key, outcome] : store_->stored_run_outcomes(earlier.id)) {
        if (outcome.status == "ok") done_.insert(key);
        else earlier_attempts_[key] = outcome.status + ": " + outcome.reason;
    }
    progress_.note("resuming experiment " + std::to_string(earlier.id) + " in " + store_->path().string() + ": " +
                   std::to_string(done_.size()) + " runs already stored" +
                   (earlier_attempts_.empty() ? std::string()
                                              : ", " + std::to_string(earlier_attempts_.size()) +
                                                    " failed or skipped runs are tried again"));
}

void ExperimentSession::create_experiment(const std::vector<Cell>& cells, std::uint64_t seed,
                                          std::size_t planned_runs) {
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
                     {"seed", seed},
                     {"baseline", config_.baseline},
                     {"adaptive", adaptive_json(config_)},
                     {"executor", config_.executor == Executor::Slurm ? "slurm" : "local"},
                     {"output", output_dir_.string()},
                     {"cells", describe_cells(cells)}};
    record.host = collect_host_info();
    record.planned_runs = static_cast<std::int64_t>(planned_runs);
    report_.experiment_id = store_->create_experiment(record);
    fault_point("experiment-created");
}

void ExperimentSession::store(RunRecord& record, const std::string& description) {
    auto earlier = earlier_attempts_.find(record.run_key);
    try {
        if (earlier == earlier_attempts_.end()) {
            store_->store_run(record);
        } else {
            record.info["earlier_attempt"] = earlier->second;  // kept: what went wrong the first time
            store_->store_retried_run(record);
            earlier_attempts_.erase(earlier);
        }
        // A failed or skipped run may still get its real result (a Slurm job's
        // record arriving after its job was given up): that one replaces it.
        if (record.status != "ok") earlier_attempts_[record.run_key] = record.status + ": " + record.reason;
    } catch (const std::exception& e) {
        throw StoreFailure(std::string("could not store the result of ") + description + ": " + e.what() +
                           "\nthe runs stored before are kept; once the cause is fixed (e.g. disk space), "
                           "`platbench run <file> --resume` continues");
    }
    if (record.status == "ok") {
        ++report_.ok;
        done_.insert(record.run_key);
    } else if (record.status == "skipped") {
        ++report_.skipped;
    } else {
        ++report_.failed;
    }
    progress_.finished(description, record.status, record.reason);
}

}  // namespace platbench
