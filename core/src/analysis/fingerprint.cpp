#include "analysis/fingerprint.hpp"

#include <map>

#include "analysis/plugin_traits.hpp"

namespace platbench {
namespace {

using nlohmann::json;

std::string text_of(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

// The first successful run of each platform instance.
std::map<std::string, const RunRecord*> first_runs(const std::vector<RunRecord>& runs) {
    std::map<std::string, const RunRecord*> first;
    for (const RunRecord& run : runs)
        if (run.status == RunStatus::Ok) first.emplace(run.platform_instance, &run);
    return first;
}

}  // namespace

json run_fingerprint(const ExperimentRecord& experiment, const RunRecord& run) {
    json fingerprint = json::object();
    for (const char* key : {"kernel", "cpu_model", "cpu_governor", "transparent_hugepages"})
        if (experiment.host.contains(key)) fingerprint[key] = text_of(experiment.host[key]);
    // What the platform's plugin declared identifies it (PluginDescriptor::fingerprint_metadata, ParamSpec::fingerprint).
    const PluginTraits traits = PluginTraits::from_experiment(experiment.config);
    for (const std::string& key : traits.fingerprint_metadata(run.platform_plugin))
        if (run.platform_metadata.contains(key)) fingerprint[key] = text_of(run.platform_metadata[key]);
    for (const std::string& key : traits.fingerprint_settings(run.platform_plugin))
        if (run.platform_settings.contains(key)) fingerprint[key] = text_of(run.platform_settings[key]);
    return fingerprint;
}

std::vector<std::string> fingerprint_differences(const ExperimentRecord& before, const std::vector<RunRecord>& before_runs,
                                                 const ExperimentRecord& after, const std::vector<RunRecord>& after_runs) {
    std::vector<std::string> differences;
    const auto earlier = first_runs(before_runs);
    for (const auto& [platform, run] : first_runs(after_runs)) {
        auto match = earlier.find(platform);
        if (match == earlier.end()) continue;
        const json old_print = run_fingerprint(before, *match->second), new_print = run_fingerprint(after, *run);
        for (const auto& [key, value] : new_print.items()) {
            const std::string old_value = old_print.contains(key) ? old_print[key].get<std::string>() : "(none)";
            if (old_value != value.get<std::string>())
                differences.push_back(platform + ": " + key + " " + old_value + " -> " + value.get<std::string>());
        }
        for (const auto& [key, value] : old_print.items())
            if (!new_print.contains(key))
                differences.push_back(platform + ": " + key + " " + value.get<std::string>() + " -> (none)");
    }
    return differences;
}

}  // namespace platbench
