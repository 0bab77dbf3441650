#include "matrix/matrix.hpp"

#include "matrix/combinations.hpp"
#include "util/hash.hpp"

namespace platbench {

namespace {

// "name=canonical value" per effective setting, sorted by name: equal text means equal settings.
void hash_settings(Sha256& hash, const ParamTable& table, const ParamValues& values) {
    for (const auto& [name, value] : values.all()) {
        std::string text = name + "=";
        for (const ParamSpec& spec : table) {
            if (spec.name == name) text += format_param_value(spec, value);
        }
        hash.update(text);
        hash.update("\n");
    }
}

std::string cell_config_hash(const PluginInstanceConfig& platform, const ParamValues& platform_settings,
                             const PluginInstanceConfig& workload, const ParamValues& workload_params) {
    Sha256 hash;
    hash.update("platbench cell v1\nplatform " + platform.plugin->name() + "\n");
    hash_settings(hash, platform.plugin->descriptor->params, platform_settings);
    hash.update("workload " + workload.plugin->name() + "\n");
    hash_settings(hash, workload.plugin->descriptor->params, workload_params);
    return hash.hex_digest();
}

std::string cell_id(const PluginInstanceConfig& platform, const Combination& platform_combination,
                    const PluginInstanceConfig& workload, const Combination& workload_combination) {
    std::string id = platform.name + "/" + workload.name;
    if (!platform_combination.label.empty()) id += "/" + platform_combination.label;
    if (!workload_combination.label.empty()) id += "/" + workload_combination.label;
    return id;
}

}  // namespace

std::vector<Cell> expand_matrix(const ExperimentConfig& config) {
    std::vector<std::vector<Combination>> platform_combinations, workload_combinations;
    for (const PluginInstanceConfig& platform : config.platforms) platform_combinations.push_back(combinations(platform));
    for (const PluginInstanceConfig& workload : config.workloads) workload_combinations.push_back(combinations(workload));

    std::vector<Cell> cells;
    cells.reserve(matrix_size(config));
    for (std::size_t p = 0; p < config.platforms.size(); ++p) {
        for (std::size_t w = 0; w < config.workloads.size(); ++w) {
            const PluginInstanceConfig& platform = config.platforms[p];
            const PluginInstanceConfig& workload = config.workloads[w];
            for (const Combination& platform_combination : platform_combinations[p]) {
                for (const Combination& workload_combination : workload_combinations[w]) {
                    Cell cell;
                    cell.index = cells.size();
                    cell.id = cell_id(platform, platform_combination, workload, workload_combination);
                    cell.platform = &platform;
                    cell.workload = &workload;
                    cell.platform_settings = platform_combination.values;
                    cell.workload_params = workload_combination.values;
                    cell.config_hash =
                        cell_config_hash(platform, cell.platform_settings, workload, cell.workload_params);
                    cells.push_back(std::move(cell));
                }
            }
        }
    }
    return cells;
}

std::size_t matrix_size(const ExperimentConfig& config) {
    std::size_t platforms = 0, workloads = 0;
    for (const PluginInstanceConfig& platform : config.platforms) {
        platforms = saturating_add(platforms, combination_count(platform));
    }
    for (const PluginInstanceConfig& workload : config.workloads) {
        workloads = saturating_add(workloads, combination_count(workload));
    }
    return saturating_multiply(platforms, workloads);
}

std::string PlannedRun::key(const Cell& c) const {
    return c.id + "|" + c.config_hash.substr(0, 16) + "|" + (warmup ? "warmup " : "rep ") + std::to_string(repetition);
}

std::vector<PlannedRun> plan_runs(const std::vector<Cell>& cells, const ExperimentConfig& config) {
    std::vector<PlannedRun> plan;
    plan.reserve(cells.size() * static_cast<std::size_t>(config.warmup + config.repetitions));
    for (const Cell& cell : cells) {
        for (int i = 0; i < config.warmup; ++i) plan.push_back({cell.index, i, true});
        for (int i = 0; i < config.repetitions; ++i) plan.push_back({cell.index, i, false});
    }
    return plan;
}

}  // namespace platbench
