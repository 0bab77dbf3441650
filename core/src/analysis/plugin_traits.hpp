// What each plugin of an experiment said of itself that analysis needs: its
// descriptor's flags (a block-I/O workload, a platform of virtual machines) and
// which of a platform's settings and metadata identify it (its fingerprint).
// The engine records them with the experiment (config "plugin_traits"), so that a
// stored database is judged without its plugins, and the core never has to know
// a plugin by its name. An experiment recorded before plugins declared traits
// has none: its runs are judged as those of plugins without any.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platbench/plugin.hpp"

namespace platbench {

class PluginTraits {
public:
    // The record of `plugins` (each once) for an experiment's configuration.
    static nlohmann::json to_json(const std::vector<const PluginDescriptor*>& plugins);
    // From an experiment's stored configuration.
    static PluginTraits from_experiment(const nlohmann::json& experiment_config);

    bool block_io(const std::string& workload_plugin) const;
    bool virtual_machine(const std::string& platform_plugin) const;
    std::vector<std::string> fingerprint_settings(const std::string& platform_plugin) const;
    std::vector<std::string> fingerprint_metadata(const std::string& platform_plugin) const;

private:
    struct Traits {
        std::uint32_t flags = kNoFlags;
        std::vector<std::string> fingerprint_settings;
        std::vector<std::string> fingerprint_metadata;
    };
    const Traits* find(PluginKind kind, const std::string& plugin) const;

    std::map<std::string, Traits> platforms_, workloads_;
};

}  // namespace platbench
