// How the effective settings of two cells differ, setting by setting, as stored
// (the run records' platform_settings and workload_params, the experiment's cells).
// Runs of different settings are never pooled or compared as if alike: --resume
// refuses a file whose cells changed, and `platbench compare` lists such pairs.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace platbench {

struct CellSettings {
    std::string platform_plugin;
    nlohmann::json platform_settings = nlohmann::json::object();
    std::string workload_plugin;
    nlohmann::json workload_params = nlohmann::json::object();
};

// One line per difference, "workload array_size: 10000000 -> 40000000",
// "platform plugin: native -> docker"; `before`'s value first. Empty when alike.
std::vector<std::string> settings_differences(const CellSettings& before, const CellSettings& after);

// "10000000", "\"0-1\"", "(not set)": a stored value in a message.
std::string setting_text(const nlohmann::json& value);

}  // namespace platbench
