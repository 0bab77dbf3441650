#include "config/combinations.hpp"

#include <limits>

namespace platbench {

std::size_t saturating_add(std::size_t a, std::size_t b) {
    return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max() : a + b;
}

std::size_t saturating_multiply(std::size_t a, std::size_t b) {
    if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) return std::numeric_limits<std::size_t>::max();
    return a * b;
}

std::size_t combination_count(const PluginInstanceConfig& instance) {
    std::size_t count = 1;
    for (const ParamSetting& setting : instance.settings) {
        if (setting.is_list) count = saturating_multiply(count, setting.values.size());
    }
    return count;
}

namespace {

// The values at `indices` (one index per setting; scalars always use 0).
Combination combination_at(const PluginInstanceConfig& instance, const std::vector<std::size_t>& indices) {
    Combination combination;
    for (std::size_t i = 0; i < instance.settings.size(); ++i) {
        const ParamSetting& setting = instance.settings[i];
        combination.values.set(setting.name, setting.values[indices[i]]);
        if (setting.is_list) {
            if (!combination.label.empty()) combination.label += '/';
            combination.label += setting.name + ':' + setting.texts[indices[i]];
        }
    }
    apply_defaults(instance.plugin->descriptor->params, combination.values);
    return combination;
}

// Odometer step, the last setting fastest; false after the last combination.
bool advance(const PluginInstanceConfig& instance, std::vector<std::size_t>& indices) {
    for (std::size_t i = instance.settings.size(); i-- > 0;) {
        if (++indices[i] < instance.settings[i].values.size()) return true;
        indices[i] = 0;
    }
    return false;
}

}  // namespace

void for_each_combination(const PluginInstanceConfig& instance, std::size_t limit,
                          const std::function<void(const ParamValues&, const std::string&)>& visit) {
    std::vector<std::size_t> indices(instance.settings.size(), 0);
    for (std::size_t visited = 0; visited < limit; ++visited) {
        const Combination combination = combination_at(instance, indices);
        visit(combination.values, combination.label);
        if (!advance(instance, indices)) return;
    }
}

std::vector<Combination> combinations(const PluginInstanceConfig& instance) {
    std::vector<Combination> all;
    all.reserve(combination_count(instance));
    std::vector<std::size_t> indices(instance.settings.size(), 0);
    do {
        all.push_back(combination_at(instance, indices));
    } while (advance(instance, indices));
    return all;
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

}  // namespace platbench
