#include "analysis/metric_roles.hpp"

#include <algorithm>

namespace platbench {
namespace {

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

// Without a table: extremes, spreads and tails vary from run to run by nature,
// and CPU accounting is not what a workload measures.
bool looks_central(const Metric& metric) {
    if (metric.better == Better::None || metric.name.rfind("cpu_", 0) == 0) return false;
    for (const char* part : {"_max", "_min", "stddev", "_p99"})
        if (contains(metric.name, part)) return false;
    return true;
}

}  // namespace

MetricRoles MetricRoles::from_experiment(const nlohmann::json& experiment_config) {
    MetricRoles roles;
    const nlohmann::json tables = experiment_config.value("metric_tables", nlohmann::json::object());
    if (!tables.is_object()) return roles;
    for (const auto& [plugin, table] : tables.items()) {
        if (!table.is_array()) continue;
        std::set<std::string>& central = roles.central_[plugin];
        std::vector<std::string>& headlines = roles.headlines_[plugin];
        for (const nlohmann::json& metric : table) {
            if (!metric.is_object() || !metric.contains("name") || !metric["name"].is_string()) continue;
            const std::string name = metric["name"].get<std::string>();
            if (metric.value("central", false)) central.insert(name);
            if (metric.value("headline", false)) headlines.push_back(name);
        }
    }
    return roles;
}

bool MetricRoles::central(const std::string& workload_plugin, const Metric& metric) const {
    auto table = central_.find(workload_plugin);
    if (table == central_.end() || table->second.empty()) return looks_central(metric);
    return table->second.count(metric.name) != 0;
}

std::vector<std::string> MetricRoles::headlines(const std::string& workload_plugin,
                                                const std::vector<Metric>& reported) const {
    std::vector<std::string> chosen;
    auto table = headlines_.find(workload_plugin);
    if (table != headlines_.end()) {
        for (const std::string& name : table->second)
            if (std::any_of(reported.begin(), reported.end(), [&](const Metric& m) { return m.name == name; }))
                chosen.push_back(name);
    }
    if (chosen.empty()) {
        for (const Metric& metric : reported) {
            if (metric.better == Better::None) continue;
            chosen.push_back(metric.name);
            break;
        }
    }
    return chosen;
}

}  // namespace platbench
