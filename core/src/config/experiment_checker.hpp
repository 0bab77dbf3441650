// The checker of one experiment file's text (load_experiment_text), collecting
// every error before giving up. One class, its concerns in one file each:
//   experiment_checker.cpp  the checks in order, errors, mappings and values, the scalar keys
//   key_tables.cpp          the keys a file may hold, as parameter tables
//   plugin_instances.cpp    plugin_path, the platforms: and workloads: entries, their settings
//   slurm_section.cpp       slurm: (job settings and placements)
//   matrix_cap.cpp          the matrix's size against config/limits.hpp
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/experiment.hpp"

namespace platbench::experiment_checking {

// Errors about the file as a whole point at its start.
extern const YAML::Mark kStartOfFile;

const char* kind_word(PluginKind kind);  // "platform" | "workload"
const char* list_key(PluginKind kind);   // "platforms" | "workloads"
// [A-Za-z0-9_.-]+: names experiments and cells.
bool is_plain_name(const std::string& text);
// "a, b, c", or "(none)".
std::string join(const std::vector<std::string>& words);
// "did you mean 'x'? <choices_title>: a, b, c"
std::string unknown_word_hint(const std::string& word, const std::vector<std::string>& choices,
                              const std::string& choices_title);
// "a list", "a mapping", "nothing", or the scalar quoted.
std::string describe_node(const YAML::Node& node);

class ExperimentChecker {
public:
    ExperimentChecker(std::string display_name, std::filesystem::path base_dir, PluginRegistry& registry,
                      const ExperimentLoadOptions& options)
        : file_(std::move(display_name)), base_dir_(std::move(base_dir)), registry_(registry), options_(options) {}

    // The configuration, or throws ConfigErrors with every problem found.
    ExperimentConfig check(const std::string& text);

private:
    struct KeyValue {
        YAML::Node key;
        YAML::Node value;
    };
    using Entries = std::map<std::string, KeyValue>;

    // experiment_checker.cpp
    SourceLocation where(const YAML::Mark& mark) const;
    void add(const YAML::Mark& mark, const std::string& message, const std::string& hint);
    void finish();
    void remove_repeated_errors();
    Entries mapping_entries(const YAML::Node& map, const std::vector<std::string>* known, const std::string& what);
    Entries top_level_entries(const YAML::Node& root);
    std::optional<std::string> scalar_text(const std::string& name, const YAML::Node& value, const YAML::Mark& key);
    std::optional<ParamValue> parse_value(const ParamSpec& spec, const std::string& owner, const YAML::Node& value,
                                          const YAML::Mark& key);
    ParamValues read_values(const ParamTable& table, const Entries& entries, const std::string& owner);
    void read_scalar_keys(const Entries& keys, ExperimentConfig& config);
    void read_adaptive(const Entries& keys, const ParamValues& values, ExperimentConfig& config);
    void check_output_stays_inside(const std::filesystem::path& output, const YAML::Mark& mark);
    static std::string default_baseline(const std::vector<PluginInstanceConfig>& platforms);
    void check_baseline(const Entries& keys, const ExperimentConfig& config);
    void check_network_paths(const ExperimentConfig& config);

    // plugin_instances.cpp
    void load_plugin_path(const Entries& keys, ExperimentConfig& config);
    std::string example_plugin(PluginKind kind) const;
    std::vector<PluginInstanceConfig> read_instances(const Entries& keys, PluginKind kind);
    const LoadedPlugin* find_plugin(const KeyValue& entry, PluginKind kind);
    std::optional<PluginInstanceConfig> read_instance(const YAML::Node& item, PluginKind kind);
    std::optional<ParamSetting> read_setting(const PluginInstanceConfig& instance, const YAML::Node& key,
                                             const YAML::Node& value);
    void check_with_plugin(const PluginInstanceConfig& instance, const YAML::Node& item);

    // slurm_section.cpp
    void read_slurm(const Entries& keys, ExperimentConfig& config);
    void read_slurm_platforms(const KeyValue& platforms, ExperimentConfig& config);
    SlurmPlacement read_placement(const Entries& entries, const std::string& owner);

    // matrix_cap.cpp
    void check_matrix_size(const ExperimentConfig& config);

    std::string file_;
    std::filesystem::path base_dir_;
    PluginRegistry& registry_;
    ExperimentLoadOptions options_;
    std::vector<ConfigError> errors_;
};

}  // namespace platbench::experiment_checking
