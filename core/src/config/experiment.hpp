// Experiment files: parsed with yaml-cpp, validated completely before anything runs.
//
// Every problem is collected (not just the first) and reported as
//   file:line:column: error: what is wrong
//     hint: what was expected / the valid choices / did you mean ...
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "platbench/params.hpp"
#include "plugin/registry.hpp"

namespace platbench {

struct SourceLocation {
    std::string file;
    int line = 0;    // 1-based; 0 = unknown
    int column = 0;  // 1-based; 0 = unknown
};

struct ConfigError {
    SourceLocation where;
    std::string message;
    std::string hint;  // may be empty
};

// "file:line:column: error: message\n  hint: hint" for each error.
std::string format_config_errors(const std::vector<ConfigError>& errors);

class ConfigErrors : public std::runtime_error {
public:
    explicit ConfigErrors(std::vector<ConfigError> errors);
    const std::vector<ConfigError>& errors() const { return errors_; }

private:
    std::vector<ConfigError> errors_;
};

// One parameter as written in the file: a single value, or a list (a matrix dimension).
struct ParamSetting {
    std::string name;
    std::vector<ParamValue> values;   // parsed, in file order
    std::vector<std::string> texts;   // as written, for readable cell names
    bool is_list = false;             // a matrix dimension
    SourceLocation where;
};

// One entry of `platforms:` or `workloads:`.
struct PluginInstanceConfig {
    std::string name;                  // unique within its list; defaults to the plugin name
    const LoadedPlugin* plugin = nullptr;
    std::vector<ParamSetting> settings;  // user-given only, in file order
    SourceLocation where;
};

// In which order the runs of the matrix are made (`order:`).
enum class RunOrder {
    Interleaved,  // round after round, every cell once per round, each round in a seeded random order
    Sequential,   // each cell's runs together, cell after cell
};

// Adaptive repetitions (`target_ci:` set): after `repetitions` rounds, more rounds of
// the cells whose 95% interval is still wider than the target, up to
// `max_repetitions`, within `budget`.
struct AdaptiveRepetitions {
    double target_fraction = 0;   // the interval's half-width / |mean| to reach (target_ci: 5 -> 0.05)
    int max_repetitions = 0;
    double budget_seconds = 0;    // 0: no time limit
    std::string metric;           // empty: each cell's first metric with a better direction
};

// Who runs the matrix (`executor:`): platbench itself, one run after the other on
// this machine, or Slurm, which runs jobs of cells on a cluster's nodes.
enum class Executor { Local, Slurm };

// Where and within what limits Slurm runs a job: the `slurm:` defaults, or a
// platform's entry under `slurm: platforms:`. Empty / 0: Slurm's own default.
struct SlurmPlacement {
    std::string partition;
    std::string account;
    std::string nodes;        // --nodelist, e.g. n1 or n[1-2]
    std::string constraint;   // --constraint, node features
    double time_limit_seconds = 0;
};

struct SlurmSettings {
    SlurmPlacement defaults;
    std::map<std::string, SlurmPlacement> platforms;  // by platform name, over the defaults
    bool exclusive = true;    // a node runs one benchmark job at a time
    bool job_per_run = false; // job_per: run (one job per run) instead of cell (a job per cell)
    int requeue = 0;          // a job that ends without its results is submitted again this often
    std::filesystem::path spool;  // shared with the nodes; empty: <output>/slurm-spool
    double poll_seconds = 1;

    // The platform's placement: its own entries, else the defaults.
    SlurmPlacement placement_of(const std::string& platform) const;
};

struct ExperimentConfig {
    std::filesystem::path file;          // as given
    std::string file_hash;               // hex SHA-256 of the file's bytes
    std::string name;                    // `experiment:`
    std::string description;             // optional
    int repetitions = 3;
    int warmup = 0;                      // warmup runs per cell, discarded from statistics
    std::filesystem::path output_dir;    // as written (relative to the working directory); default "results/<name>"
    double timeout_seconds = 600;        // per run
    RunOrder order = RunOrder::Interleaved;
    std::optional<std::uint64_t> seed;   // `seed:` of the interleaved order; unset: the engine draws one
    std::string baseline;                // the platform instance the others are compared with ("": none)
    std::optional<AdaptiveRepetitions> adaptive;
    Executor executor = Executor::Local;
    SlurmSettings slurm;                 // with executor: slurm
    std::vector<std::filesystem::path> plugin_path;  // resolved against the file's directory
    std::vector<PluginInstanceConfig> platforms;
    std::vector<PluginInstanceConfig> workloads;
};

// Parses and validates `file`. Loads the directories of its `plugin_path` into
// `registry` first (the registry should already hold the default search dirs).
// Throws ConfigErrors with every problem found.
ExperimentConfig load_experiment(const std::filesystem::path& file, PluginRegistry& registry);

struct ExperimentLoadOptions {
    // The YAML parse runs first in a child process with a time and a memory limit
    // (config/yaml_document.hpp). Off only where something else watches both: the
    // fuzz harness, whose libFuzzer reports a hang or a blow-up as a finding.
    bool guard_yaml_parser = true;
};

// The same, from text (tests); `display_name` is used in locations.
ExperimentConfig load_experiment_text(const std::string& text, const std::string& display_name,
                                      const std::filesystem::path& base_dir, PluginRegistry& registry,
                                      const ExperimentLoadOptions& options = {});

// Edit distance suggestion: the closest of `choices` to `word`, or "" when none is close.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& choices);

}  // namespace platbench
