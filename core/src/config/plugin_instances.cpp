// The checker's plugin entries: plugin_path: (loaded first), the platforms: and
// workloads: lists, each entry's plugin, name and settings, and the plugin's own
// validate() over every combination of them.
#include <algorithm>
#include <functional>
#include <memory>
#include <set>

#include "config/combinations.hpp"
#include "config/experiment_checker.hpp"
#include "config/limits.hpp"

namespace platbench::experiment_checking {
namespace fs = std::filesystem;

// `plugin_path` goes first: the plugins it holds must be known before entries are checked.
void ExperimentChecker::load_plugin_path(const Entries& keys, ExperimentConfig& config) {
    auto it = keys.find("plugin_path");
    if (it == keys.end()) return;
    std::vector<YAML::Node> items;
    if (it->second.value.IsSequence()) {
        for (const YAML::Node& item : it->second.value) items.push_back(item);
    } else {
        items.push_back(it->second.value);
    }
    for (const YAML::Node& item : items) {
        const std::optional<std::string> text = scalar_text("plugin_path", item, it->second.key.Mark());
        if (!text) continue;
        const fs::path dir = fs::path(*text).is_absolute() ? fs::path(*text) : base_dir_ / *text;
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) {
            add(item.Mark(), "plugin_path: no directory '" + dir.string() + "'",
                "relative paths are taken from the experiment file's directory");
            continue;
        }
        config.plugin_path.push_back(dir);
        // A refused file is reported as from any other directory: a warning, and
        // its reason where the experiment names the plugin it would have been.
        const SourceLocation at = where(item.Mark());
        registry_.load_directory(dir, "plugin_path at " + at.file + ":" + std::to_string(at.line) + ":" +
                                          std::to_string(at.column));
    }
}

// A plugin to name in an example: the first loaded one of its kind.
std::string ExperimentChecker::example_plugin(PluginKind kind) const {
    const std::vector<std::string> names = registry_.names(kind);
    return names.empty() ? std::string("<name>") : names.front();
}

std::vector<PluginInstanceConfig> ExperimentChecker::read_instances(const Entries& keys, PluginKind kind) {
    std::vector<PluginInstanceConfig> instances;
    const std::string key = list_key(kind);
    auto it = keys.find(key);
    if (it == keys.end()) {
        add(kStartOfFile, "missing required key '" + key + "'",
            "a list of entries such as '- plugin: " + example_plugin(kind) + "'; available: " +
                join(registry_.names(kind)));
        return instances;
    }
    const YAML::Node& list = it->second.value;
    if (!list.IsSequence()) {
        add(list.Mark(), "'" + key + "' must be a list of entries, found " + describe_node(list),
            "write each entry as '- plugin: NAME' on its own line");
        return instances;
    }
    if (list.size() == 0) {
        add(list.Mark(), "'" + key + "' is empty: the matrix would have no cells",
            std::string("give at least one ") + kind_word(kind) + "; available: " + join(registry_.names(kind)));
        return instances;
    }
    std::map<std::string, int> first_line_of_name;
    for (const YAML::Node& item : list) {
        std::optional<PluginInstanceConfig> instance = read_instance(item, kind);
        if (!instance) continue;
        auto [earlier, inserted] = first_line_of_name.emplace(instance->name, instance->where.line);
        if (!inserted) {
            add(item.Mark(), std::string("duplicate ") + kind_word(kind) + " name '" + instance->name + "'",
                "the first is at line " + std::to_string(earlier->second) +
                    "; give each entry of the same plugin a distinct 'name:'");
            continue;
        }
        instances.push_back(std::move(*instance));
    }
    return instances;
}

const LoadedPlugin* ExperimentChecker::find_plugin(const KeyValue& entry, PluginKind kind) {
    const YAML::Node& value = entry.value;
    const std::optional<std::string> name = scalar_text("plugin", value, entry.key.Mark());
    if (!name) return nullptr;
    if (const LoadedPlugin* plugin = registry_.find(kind, *name)) return plugin;
    const PluginKind other = kind == PluginKind::Platform ? PluginKind::Workload : PluginKind::Platform;
    std::string hint;
    if (registry_.find(other, *name) != nullptr) {
        hint = "'" + *name + "' is a " + kind_word(other) + " plugin: put it under '" + list_key(other) + ":'; ";
    }
    hint += unknown_word_hint(*name, registry_.names(kind), std::string("available ") + kind_word(kind) + " plugins");
    if (const PluginProblem* refused = registry_.problem_for(*name)) {
        hint = "the file that would be it was refused: " + describe(*refused);
    } else if (!registry_.problems().empty()) {
        hint += "; " + std::to_string(registry_.problems().size()) +
                " plugin file(s) were refused, `platbench plugins` says why";
    }
    add(value.Mark(), std::string("unknown ") + kind_word(kind) + " plugin '" + *name + "'", hint);
    return nullptr;
}

std::optional<PluginInstanceConfig> ExperimentChecker::read_instance(const YAML::Node& item, PluginKind kind) {
    if (!item.IsMap()) {
        add(item.Mark(), std::string("a ") + kind_word(kind) + " entry must be a mapping, found " + describe_node(item),
            "write '- plugin: NAME' followed by its settings, indented");
        return std::nullopt;
    }
    const Entries entries = mapping_entries(item, nullptr, "");
    auto plugin_entry = entries.find("plugin");
    if (plugin_entry == entries.end()) {
        add(item.Mark(), std::string("this ") + kind_word(kind) + " entry has no 'plugin:'",
            std::string("available ") + kind_word(kind) + " plugins: " + join(registry_.names(kind)));
        return std::nullopt;
    }
    PluginInstanceConfig instance;
    instance.where = where(item.Mark());
    instance.plugin = find_plugin(plugin_entry->second, kind);
    if (instance.plugin == nullptr) return std::nullopt;
    instance.name = instance.plugin->name();
    bool name_ok = true;
    if (auto name_entry = entries.find("name"); name_entry != entries.end()) {
        if (auto text = scalar_text("name", name_entry->second.value, name_entry->second.key.Mark())) {
            if (is_plain_name(*text)) {
                instance.name = *text;
            } else {
                add(name_entry->second.value.Mark(), "name '" + *text + "' is not a plain name",
                    "use letters, digits, '_', '.' and '-' only: it names the cells");
                name_ok = false;
            }
        } else {
            name_ok = false;
        }
    }
    // Settings in file order (the map above is sorted by name).
    bool settings_ok = true;
    for (auto it = item.begin(); it != item.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        const std::string name = it->first.Scalar();
        if (name == "plugin" || name == "name") continue;
        auto entry = entries.find(name);
        if (entry == entries.end() || entry->second.key.Mark().pos != it->first.Mark().pos) continue;  // duplicate
        if (auto setting = read_setting(instance, it->first, it->second)) {
            instance.settings.push_back(std::move(*setting));
        } else {
            settings_ok = false;
        }
    }
    // The plugin's own checks only make sense on settings that all parsed.
    if (settings_ok) check_with_plugin(instance, item);
    if (!name_ok) return std::nullopt;  // reported; a stand-in name would only add a false duplicate
    return instance;
}

std::optional<ParamSetting> ExperimentChecker::read_setting(const PluginInstanceConfig& instance,
                                                           const YAML::Node& key, const YAML::Node& value) {
    const std::string name = key.Scalar();
    const ParamTable& table = instance.plugin->descriptor->params;
    auto spec = std::find_if(table.begin(), table.end(), [&](const ParamSpec& s) { return s.name == name; });
    const std::string owner = std::string(kind_word(instance.plugin->kind())) + " '" + instance.plugin->name() + "'";
    if (spec == table.end()) {
        std::vector<std::string> choices = {"plugin", "name"};
        for (const ParamSpec& s : table) choices.push_back(s.name);
        add(key.Mark(), "unknown parameter '" + name + "' for " + owner,
            unknown_word_hint(name, choices, "parameters of " + instance.plugin->name()));
        return std::nullopt;
    }
    ParamSetting setting;
    setting.name = name;
    setting.where = where(key.Mark());
    setting.is_list = value.IsSequence();
    std::vector<YAML::Node> items;
    if (setting.is_list) {
        for (const YAML::Node& item : value) items.push_back(item);
        if (items.empty()) {
            add(value.Mark(), "'" + name + "' is an empty list: the matrix would have no cells",
                "a list is a matrix dimension and needs at least one value");
            return std::nullopt;
        }
    } else {
        items.push_back(value);
    }
    bool all_parsed = true;
    std::set<std::string> seen;
    for (const YAML::Node& item : items) {
        std::optional<ParamValue> parsed = parse_value(*spec, owner + " ", item, key.Mark());
        if (!parsed) {
            all_parsed = false;
            continue;
        }
        if (!seen.insert(format_param_value(*spec, *parsed)).second) {
            add(item.Mark(), "duplicate value '" + item.Scalar() + "' in the list '" + name + "'",
                "each value of a matrix dimension must differ, or its cells would collide");
            all_parsed = false;
            continue;
        }
        setting.values.push_back(std::move(*parsed));
        setting.texts.push_back(item.Scalar());
    }
    if (!all_parsed) return std::nullopt;
    return setting;
}

// Asks the plugin's validate() about every combination of the entry's own values.
void ExperimentChecker::check_with_plugin(const PluginInstanceConfig& instance, const YAML::Node& item) {
    std::set<std::string> reported;
    try {
        std::function<std::vector<std::string>(const ParamValues&)> validate;
        std::unique_ptr<Workload> workload;
        std::unique_ptr<Platform> platform;
        const PluginDescriptor& descriptor = *instance.plugin->descriptor;
        if (descriptor.kind == PluginKind::Workload) {
            workload = descriptor.create_workload();
            validate = [&](const ParamValues& values) { return workload->validate(values); };
        } else {
            platform = descriptor.create_platform();
            validate = [&](const ParamValues& values) { return platform->validate(values); };
        }
        for_each_combination(instance, kMaxValidatedCombinations, [&](const ParamValues& values, const std::string& label) {
            for (const std::string& message : validate(values)) {
                if (!reported.insert(message).second) continue;
                add(item.Mark(), std::string(kind_word(descriptor.kind)) + " '" + instance.name + "': " + message,
                    label.empty() ? "" : "with " + label);
            }
        });
    } catch (const std::exception& e) {
        add(item.Mark(), "plugin '" + instance.plugin->name() + "' failed to check its settings: " + e.what(), "");
    }
}

}  // namespace platbench::experiment_checking
