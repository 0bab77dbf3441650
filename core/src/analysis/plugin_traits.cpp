#include "analysis/plugin_traits.hpp"

namespace platbench {
namespace {

using nlohmann::json;

// Each flag as the record spells it.
constexpr std::pair<PluginFlags, const char*> kFlagNames[] = {
    {kPlatformNeedsBundle, "needs_bundle"},  {kWorkloadUsesWorkDir, "uses_work_dir"},
    {kWorkloadBlockIo, "block_io"},          {kPlatformVirtualMachine, "virtual_machine"},
    {kPlatformBaseline, "baseline"},
};

const char* kind_key(PluginKind kind) { return kind == PluginKind::Platform ? "platform" : "workload"; }

std::vector<std::string> strings_of(const json& list) {
    std::vector<std::string> strings;
    if (!list.is_array()) return strings;
    for (const json& item : list)
        if (item.is_string()) strings.push_back(item.get<std::string>());
    return strings;
}

}  // namespace

json PluginTraits::to_json(const std::vector<const PluginDescriptor*>& plugins) {
    json record = {{"platform", json::object()}, {"workload", json::object()}};
    for (const PluginDescriptor* plugin : plugins) {
        json flags = json::array();
        for (const auto& [flag, name] : kFlagNames)
            if ((plugin->flags & flag) != 0) flags.push_back(name);
        json settings = json::array();
        for (const ParamSpec& spec : plugin->params)
            if (spec.fingerprint) settings.push_back(spec.name);
        record[kind_key(plugin->kind)][plugin->name] = {{"flags", flags},
                                                        {"fingerprint_settings", settings},
                                                        {"fingerprint_metadata", plugin->fingerprint_metadata}};
    }
    return record;
}

PluginTraits PluginTraits::from_experiment(const json& experiment_config) {
    PluginTraits traits;
    const json record = experiment_config.value("plugin_traits", json::object());
    if (!record.is_object()) return traits;
    for (auto [kind, into] : {std::pair{PluginKind::Platform, &traits.platforms_},
                              std::pair{PluginKind::Workload, &traits.workloads_}}) {
        const json plugins = record.value(kind_key(kind), json::object());
        if (!plugins.is_object()) continue;
        for (const auto& [name, entry] : plugins.items()) {
            if (!entry.is_object()) continue;
            Traits& plugin = (*into)[name];
            for (const std::string& flag : strings_of(entry.value("flags", json::array())))
                for (const auto& [bit, spelled] : kFlagNames)
                    if (flag == spelled) plugin.flags |= bit;
            plugin.fingerprint_settings = strings_of(entry.value("fingerprint_settings", json::array()));
            plugin.fingerprint_metadata = strings_of(entry.value("fingerprint_metadata", json::array()));
        }
    }
    return traits;
}

const PluginTraits::Traits* PluginTraits::find(PluginKind kind, const std::string& plugin) const {
    const auto& plugins = kind == PluginKind::Platform ? platforms_ : workloads_;
    const auto found = plugins.find(plugin);
    return found == plugins.end() ? nullptr : &found->second;
}

bool PluginTraits::block_io(const std::string& workload_plugin) const {
    const Traits* traits = find(PluginKind::Workload, workload_plugin);
    return traits && (traits->flags & kWorkloadBlockIo) != 0;
}

bool PluginTraits::virtual_machine(const std::string& platform_plugin) const {
    const Traits* traits = find(PluginKind::Platform, platform_plugin);
    return traits && (traits->flags & kPlatformVirtualMachine) != 0;
}

std::vector<std::string> PluginTraits::fingerprint_settings(const std::string& platform_plugin) const {
    const Traits* traits = find(PluginKind::Platform, platform_plugin);
    return traits ? traits->fingerprint_settings : std::vector<std::string>{};
}

std::vector<std::string> PluginTraits::fingerprint_metadata(const std::string& platform_plugin) const {
    const Traits* traits = find(PluginKind::Platform, platform_plugin);
    return traits ? traits->fingerprint_metadata : std::vector<std::string>{};
}

}  // namespace platbench
