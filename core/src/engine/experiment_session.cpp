#include "engine/experiment_session.hpp"

#include <algorithm>

#include "analysis/plugin_traits.hpp"
#include "engine/param_json.hpp"
#include "store/settings_diff.hpp"
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

// The descriptors of the cells' workload plugins, and with `platforms` also of
// their platform plugins, each once.
std::vector<const PluginDescriptor*> descriptors_of(const std::vector<Cell>& cells, bool platforms) {
    std::vector<const PluginDescriptor*> descriptors;
    const auto add = [&](const PluginDescriptor* descriptor) {
        if (std::find(descriptors.begin(), descriptors.end(), descriptor) == descriptors.end())
            descriptors.push_back(descriptor);
    };
    for (const Cell& cell : cells) {
        add(cell.workload->plugin->descriptor);
        if (platforms) add(cell.platform->plugin->descriptor);
    }
    return descriptors;
}

// Each workload's metric table, recorded so that analysis of the stored database
// knows which metrics are central without loading the plugins (analysis/metric_roles).
nlohmann::json metric_tables_json(const std::vector<const PluginDescriptor*>& workloads) {
    nlohmann::json tables = nlohmann::json::object();
    for (const PluginDescriptor* workload : workloads) {
        if (workload->metrics.empty()) continue;
        nlohmann::json table = nlohmann::json::array();
        for (const MetricSpec& metric : workload->metrics)
            table.push_back({{"name", metric.name},
                             {"unit", metric.unit},
                             {"better", better_name(metric.better)},
                             {"central", (metric.roles & kMetricCentral) != 0},
                             {"headline", (metric.roles & kMetricHeadline) != 0}});
        tables[workload->name] = std::move(table);
    }
    return tables;
}

CellSettings settings_of(const Cell& cell) {
    return {cell.platform->plugin->name(), to_json(cell.platform_settings), cell.workload->plugin->name(),
            to_json(cell.workload_params)};
}

CellSettings stored_settings_of(const nlohmann::json& cell) {
    return {cell.value("platform_plugin", ""), cell.value("platform_settings", nlohmann::json::object()),
            cell.value("workload_plugin", ""), cell.value("workload_params", nlohmann::json::object())};
}

// A cell of the earlier experiment that the file now gives other settings: its
// runs so far and the new ones would be two configurations under one name.
void refuse_changed_cells(const ExperimentRecord& earlier, const std::vector<Cell>& cells) {
    const nlohmann::json stored_cells = earlier.config.value("cells", nlohmann::json::array());
    std::map<std::string, const nlohmann::json*> stored;
    for (const nlohmann::json& cell : stored_cells)
        if (cell.is_object() && cell.contains("id") && cell["id"].is_string()) stored[cell["id"].get<std::string>()] = &cell;
    std::string changes;
    std::size_t changed = 0;
    for (const Cell& cell : cells) {
        auto it = stored.find(cell.id);
        if (it == stored.end() || it->second->value("config_hash", "") == cell.config_hash) continue;
        ++changed;
        for (const std::string& line : settings_differences(stored_settings_of(*it->second), settings_of(cell)))
            changes += "\n  " + cell.id + ": " + line;
    }
    if (changed == 0) return;
    throw ResumeRefused("--resume: the file gives " + std::to_string(changed) + (changed == 1 ? " cell" : " cells") +
                        " of experiment " + std::to_string(earlier.id) +
                        " other settings than when it started, and its runs would be pooled with the new ones:" +
                        changes +
                        "\nstart a new experiment (run without --resume; experiment " + std::to_string(earlier.id) +
                        " stays in the database), or put the file back as it was");
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
        if (auto earlier = store_->latest_experiment(config_.name)) return continue_experiment(*earlier, cells);
        progress_.note("note: no earlier '" + config_.name + "' experiment in " + store_->path().string() +
                       "; starting a new one");
    }
    create_experiment(cells, seed, planned_runs);
}

void ExperimentSession::continue_experiment(const ExperimentRecord& earlier, const std::vector<Cell>& cells) {
    refuse_changed_cells(earlier, cells);
    report_.experiment_id = earlier.id;
    if (earlier.file_hash != config_.file_hash) {
        progress_.note("note: " + config_.file.string() + " changed since experiment " + std::to_string(earlier.id) +
                       " was started; cells whose settings changed run anew");
    }
    // Runs stored as ok are done; failed or skipped ones are tried again (the
    // daemon is back, the disk has room), replacing their record.
    for (const auto& [key, outcome] : store_->stored_run_outcomes(earlier.id)) {
        if (outcome.status == RunStatus::Ok) done_.insert(key);
        else earlier_attempts_[key] = std::string(run_status_name(outcome.status)) + ": " + outcome.reason;
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
                     {"cells", describe_cells(cells)},
                     {"metric_tables", metric_tables_json(descriptors_of(cells, false))},
                     {"plugin_traits", PluginTraits::to_json(descriptors_of(cells, true))}};
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
        if (record.status != RunStatus::Ok) {
            earlier_attempts_[record.run_key] = std::string(run_status_name(record.status)) + ": " + record.reason;
        }
    } catch (const std::exception& e) {
        throw StoreFailure(std::string("could not store the result of ") + description + ": " + e.what() +
                           "\nthe runs stored before are kept; once the cause is fixed (e.g. disk space), "
                           "`platbench run <file> --resume` continues");
    }
    if (record.status == RunStatus::Ok) {
        ++report_.ok;
        done_.insert(record.run_key);
    } else if (record.status == RunStatus::Skipped) {
        ++report_.skipped;
    } else {
        ++report_.failed;
    }
    progress_.finished(description, record.status, record.reason);
}

}  // namespace platbench
