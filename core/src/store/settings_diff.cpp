#include "store/settings_diff.hpp"

#include <set>

namespace platbench {
namespace {

void add_differences(const std::string& side, const nlohmann::json& before, const nlohmann::json& after,
                     std::vector<std::string>& lines) {
    std::set<std::string> names;
    for (const auto& [name, value] : before.items()) names.insert(name);
    for (const auto& [name, value] : after.items()) names.insert(name);
    for (const std::string& name : names) {
        const nlohmann::json old_value = before.contains(name) ? before[name] : nlohmann::json();
        const nlohmann::json new_value = after.contains(name) ? after[name] : nlohmann::json();
        if (old_value != new_value)
            lines.push_back(side + " " + name + ": " + setting_text(old_value) + " -> " + setting_text(new_value));
    }
}

}  // namespace

std::string setting_text(const nlohmann::json& value) {
    if (value.is_null()) return "(not set)";
    return value.dump();
}

std::vector<std::string> settings_differences(const CellSettings& before, const CellSettings& after) {
    std::vector<std::string> lines;
    if (before.platform_plugin != after.platform_plugin)
        lines.push_back("platform plugin: " + before.platform_plugin + " -> " + after.platform_plugin);
    if (before.workload_plugin != after.workload_plugin)
        lines.push_back("workload plugin: " + before.workload_plugin + " -> " + after.workload_plugin);
    add_differences("platform", before.platform_settings, after.platform_settings, lines);
    add_differences("workload", before.workload_params, after.workload_params, lines);
    return lines;
}

}  // namespace platbench
