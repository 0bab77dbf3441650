// The runner's side of the protocol: the report as JSON and the framed result line.
#include "platbench/runner_protocol.hpp"

#include <cmath>

#include "platbench/hash.hpp"

namespace platbench {
namespace {

using nlohmann::json;

// A non-finite value has no JSON spelling; null makes the decoder fail the run
// with the metric's name instead of silently storing a wrong number.
json finite_or_null(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

template <typename T>
json optional_or_null(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

}  // namespace

json to_json(const ObservedEnvironment& env) {
    return json{
        {"online_cpus", env.online_cpus},
        {"affinity", env.affinity},
        {"cpu_quota", env.cpu_quota && std::isfinite(*env.cpu_quota) ? json(*env.cpu_quota) : json(nullptr)},
        {"memory_total_bytes", env.memory_total_bytes},
        {"memory_available_bytes", env.memory_available_bytes},
        {"memory_limit_bytes", optional_or_null(env.memory_limit_bytes)},
        {"cgroup_version", env.cgroup_version},
        {"kernel", env.kernel},
        {"hostname", env.hostname},
        {"cpu_model", env.cpu_model},
        {"virtualization", env.virtualization},
        {"container", env.container},
        // Derived, so reports need not repeat the rules of usable_*().
        {"usable_cpus", env.usable_cpus()},
        {"usable_memory_bytes", env.usable_memory_bytes()},
    };
}

json to_json(const RunnerReport& report) {
    json metrics = json::array();
    for (const Metric& metric : report.metrics) {
        metrics.push_back({{"name", metric.name},
                           {"value", finite_or_null(metric.value)},
                           {"unit", metric.unit},
                           {"better", better_name(metric.better)}});
    }
    json out{
        {"protocol", kProtocolVersion},
        {"ok", report.ok},
        {"error", report.error},
        {"workload", report.workload},
        {"params", report.params.is_object() ? report.params : json::object()},
        {"metrics", std::move(metrics)},
        {"warnings", report.warnings},
        {"info", report.info},
        {"environment", report.environment.is_object() ? report.environment : json::object()},
        {"duration_seconds", finite_or_null(report.duration_seconds)},
    };
    // Only when set: a report without it reads the same to every decoder.
    if (report.unavailable) out["unavailable"] = true;
    if (report.runner_seconds) out["runner_seconds"] = finite_or_null(*report.runner_seconds);
    return out;
}

std::string encode_result_line(const RunnerReport& report) {
    // ASCII only (ensure_ascii): serial consoles and terminals pass 7-bit text
    // unchanged. Invalid UTF-8 in a workload's message is replaced, not fatal.
    const std::string payload = to_json(report).dump(-1, ' ', true, json::error_handler_t::replace);
    std::string line = kResultMarker;
    line += " v" + std::to_string(kProtocolVersion) + ' ' + std::to_string(payload.size()) + ' ' +
            sha256_hex(payload) + ' ' + payload + '\n';
    return line;
}

}  // namespace platbench
