// Which of a run's metrics the validity checks judge, and which lead the summary:
// the central and the headline ones of each
// workload's metric table (PluginDescriptor::metrics), as the engine recorded
// the tables with the experiment (config "metric_tables": {"<plugin>": [{"name",
// "unit", "better", "central", "headline"}, ...]}, engine/experiment_session), so that a stored
// database is judged without its plugins. A workload without a recorded table
// (an older database, a plugin without one) falls back to every metric with a
// better direction that is not an extreme, a spread or a tail percentile.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platbench/plugin.hpp"

namespace platbench {

class MetricRoles {
public:
    MetricRoles() = default;
    // From an experiment's stored configuration.
    static MetricRoles from_experiment(const nlohmann::json& experiment_config);

    bool central(const std::string& workload_plugin, const Metric& metric) const;

    // The headline metrics among `reported` (a run's metric names, in its order),
    // in the order of the workload's table. Without recorded headlines: the first
    // reported metric with a better direction, so that every cell has one.
    std::vector<std::string> headlines(const std::string& workload_plugin, const std::vector<Metric>& reported) const;

private:
    std::map<std::string, std::set<std::string>> central_;           // by workload plugin with a recorded table
    std::map<std::string, std::vector<std::string>> headlines_;      // likewise, in table order
};

}  // namespace platbench
