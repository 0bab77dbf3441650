#include "store/run_record_json.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace platbench {
namespace {

// Non-finite numbers become null (nlohmann::json would write them as null anyway).
nlohmann::json json_number(double value) {
    return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

const nlohmann::json& field(const nlohmann::json& json, const char* name) {
    auto it = json.find(name);
    if (it == json.end()) throw std::runtime_error(std::string("run record: no field '") + name + "'");
    return *it;
}

std::string text_field(const nlohmann::json& json, const char* name) {
    const nlohmann::json& value = field(json, name);
    if (!value.is_string()) throw std::runtime_error(std::string("run record: '") + name + "' is not a string");
    return value.get<std::string>();
}

double number_field(const nlohmann::json& json, const char* name) {
    const nlohmann::json& value = field(json, name);
    if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!value.is_number()) throw std::runtime_error(std::string("run record: '") + name + "' is not a number");
    return value.get<double>();
}

std::int64_t integer_field(const nlohmann::json& json, const char* name) {
    const nlohmann::json& value = field(json, name);
    if (!value.is_number_integer()) throw std::runtime_error(std::string("run record: '") + name + "' is not an integer");
    return value.get<std::int64_t>();
}

nlohmann::json object_field(const nlohmann::json& json, const char* name) {
    const nlohmann::json& value = field(json, name);
    if (!value.is_object()) throw std::runtime_error(std::string("run record: '") + name + "' is not an object");
    return value;
}

RunStatus status_field(const nlohmann::json& json, const std::string& run_key) {
    const std::string text = text_field(json, "status");
    if (const std::optional<RunStatus> status = parse_run_status(text)) return *status;
    throw std::runtime_error("run record '" + run_key + "': status '" + text + "' is none of ok, failed, skipped");
}

std::vector<Metric> metrics_field(const nlohmann::json& json) {
    const nlohmann::json& list = field(json, "metrics");
    if (!list.is_array()) throw std::runtime_error("run record: 'metrics' is not a list");
    std::vector<Metric> metrics;
    for (const nlohmann::json& item : list) {
        if (!item.is_object()) throw std::runtime_error("run record: a metric is not an object");
        Metric metric;
        metric.name = text_field(item, "name");
        metric.value = number_field(item, "value");
        metric.unit = text_field(item, "unit");
        metric.better = parse_better(text_field(item, "better")).value_or(Better::None);
        metrics.push_back(std::move(metric));
    }
    return metrics;
}

}  // namespace

nlohmann::json run_to_json(const RunRecord& run) {
    nlohmann::json metrics = nlohmann::json::array();
    for (const Metric& metric : run.metrics) {
        metrics.push_back({{"name", metric.name},
                           {"value", json_number(metric.value)},
                           {"unit", metric.unit},
                           {"better", better_name(metric.better)}});
    }
    return {{"id", run.id},
            {"experiment_id", run.experiment_id},
            {"run_key", run.run_key},
            {"cell_id", run.cell_id},
            {"cell_config_hash", run.cell_config_hash},
            {"platform_instance", run.platform_instance},
            {"platform_plugin", run.platform_plugin},
            {"platform_settings", run.platform_settings},
            {"workload_instance", run.workload_instance},
            {"workload_plugin", run.workload_plugin},
            {"workload_params", run.workload_params},
            {"repetition", run.repetition},
            {"warmup", run.warmup},
            {"status", run_status_name(run.status)},
            {"reason", run.reason},
            {"started_at", run.started_at},
            {"ended_at", run.ended_at},
            {"duration_seconds", json_number(run.duration_seconds)},
            {"overhead_seconds", json_number(run.overhead_seconds)},
            {"observed_environment", run.observed_environment},
            {"platform_metadata", run.platform_metadata},
            {"info", run.info},
            {"warnings", run.warnings},
            {"metrics", std::move(metrics)},
            {"runner_stderr", run.runner_stderr}};
}

RunRecord run_from_json(const nlohmann::json& json) {
    if (!json.is_object()) throw std::runtime_error("run record: not a JSON object");
    RunRecord run;
    run.experiment_id = integer_field(json, "experiment_id");
    run.run_key = text_field(json, "run_key");
    run.cell_id = text_field(json, "cell_id");
    run.cell_config_hash = text_field(json, "cell_config_hash");
    run.platform_instance = text_field(json, "platform_instance");
    run.platform_plugin = text_field(json, "platform_plugin");
    run.platform_settings = object_field(json, "platform_settings");
    run.workload_instance = text_field(json, "workload_instance");
    run.workload_plugin = text_field(json, "workload_plugin");
    run.workload_params = object_field(json, "workload_params");
    run.repetition = static_cast<int>(integer_field(json, "repetition"));
    const nlohmann::json& warmup = field(json, "warmup");
    if (!warmup.is_boolean()) throw std::runtime_error("run record: 'warmup' is not true or false");
    run.warmup = warmup.get<bool>();
    run.status = status_field(json, run.run_key);
    run.reason = text_field(json, "reason");
    run.started_at = text_field(json, "started_at");
    run.ended_at = text_field(json, "ended_at");
    run.duration_seconds = number_field(json, "duration_seconds");
    run.overhead_seconds = number_field(json, "overhead_seconds");
    run.observed_environment = object_field(json, "observed_environment");
    run.platform_metadata = object_field(json, "platform_metadata");
    run.info = object_field(json, "info");
    const nlohmann::json& warnings = field(json, "warnings");
    if (!warnings.is_array()) throw std::runtime_error("run record: 'warnings' is not a list");
    for (const nlohmann::json& warning : warnings) {
        if (!warning.is_string()) throw std::runtime_error("run record: a warning is not a string");
        run.warnings.push_back(warning.get<std::string>());
    }
    run.metrics = metrics_field(json);
    run.runner_stderr = text_field(json, "runner_stderr");
    return run;
}

}  // namespace platbench
