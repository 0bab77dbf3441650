// Experiment files. The whole file is checked before anything runs and every
// problem is collected, so a user fixes a file in one pass rather than one error
// per attempt. The experiment's own keys are described by a ParamTable, so they
// are parsed and reported exactly like plugin parameters.
#include "config/experiment.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>

#include <yaml-cpp/yaml.h>

#include "config/combinations.hpp"
#include "config/text_checks.hpp"
#include "config/yaml_document.hpp"
#include "platbench/hash.hpp"

namespace platbench {
namespace fs = std::filesystem;

namespace {

// More cells than this is almost certainly a mistake (a list where a value was meant),
// and expanding it would take the memory a run needs.
constexpr std::size_t kMaxCells = 100'000;
// The same for runs (cells x (repetitions + warmup)): months of work even at a second a run.
constexpr std::size_t kMaxRuns = 10'000'000;
// Plugin validate() hooks are asked about at most this many combinations per entry.
constexpr std::size_t kMaxValidatedCombinations = 100'000;

// Errors about the file as a whole point at its start.
const YAML::Mark kStartOfFile = [] {
    YAML::Mark mark;
    mark.pos = mark.line = mark.column = 0;
    return mark;
}();

const char* kind_word(PluginKind kind) { return kind == PluginKind::Platform ? "platform" : "workload"; }
const char* list_key(PluginKind kind) { return kind == PluginKind::Platform ? "platforms" : "workloads"; }

// The experiment file's scalar keys.
const ParamTable& experiment_key_table() {
    static const ParamTable table = {
        make_param("experiment", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "name of the experiment: [A-Za-z0-9_.-]+"),
        make_param("description", ParamType::String, "", "", -kUnbounded, kUnbounded, "free text"),
        make_param("repetitions", ParamType::Integer, "3", "", 1, 1'000'000, "measured runs per cell"),
        make_param("warmup", ParamType::Integer, "0", "", 0, 1'000'000,
                   "discarded runs per cell before the measured ones"),
        make_param("output", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "results directory (default results/<experiment>)"),
        make_param("timeout", ParamType::Duration, "600", "", 0.001, kUnbounded, "per-run time limit"),
        make_param("order", ParamType::Choice, "interleaved", "", -kUnbounded, kUnbounded,
                   "interleaved: round after round, every cell once per round in a random order, so that drift "
                   "of the machine is not mistaken for a platform difference; sequential: cell after cell",
                   {"interleaved", "sequential"}),
        make_param("baseline", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "the platform (its name:) every other platform is compared with (default: the first platform "
                   "whose plugin is bare metal: `platbench plugins` marks it as the default baseline)"),
        make_param("target_ci", ParamType::Real, "", "%", 0.01, 100,
                   "adaptive repetitions: repeat a cell until the half-width of its 95% interval is below this "
                   "percentage of its mean (repetitions: is then the minimum)"),
        make_param("max_repetitions", ParamType::Integer, "", "", 1, 1'000'000,
                   "adaptive repetitions: at most this many measured runs per cell (default: 10 x repetitions)"),
        make_param("budget", ParamType::Duration, "", "", 1, kUnbounded,
                   "adaptive repetitions: stop adding runs after this long since the start (default: no limit)"),
        make_param("target_metric", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "adaptive repetitions: the metric that decides (default: each cell's first metric with a better "
                   "direction)"),
        make_param("executor", ParamType::Choice, "local", "", -kUnbounded, kUnbounded,
                   "local: platbench runs the matrix on this machine; slurm: each cell becomes a Slurm job on the "
                   "cluster's nodes (settings under slurm:)",
                   {"local", "slurm"}),
        make_param("seed", ParamType::Integer, "", "", 0, 9007199254740991.0,
                   "seed of the interleaved order, to repeat an experiment's order (default: a new one, recorded)"),
    };
    return table;
}

// Where Slurm runs a job: the keys of `slurm:` and of each of its `platforms:` entries.
const ParamTable& slurm_placement_table() {
    static const ParamTable table = {
        make_param("partition", ParamType::String, "", "", -kUnbounded, kUnbounded, "Slurm partition (--partition)"),
        make_param("account", ParamType::String, "", "", -kUnbounded, kUnbounded, "Slurm account (--account)"),
        make_param("nodes", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "the nodes to run on (--nodelist), e.g. n1 or n[1-2]"),
        make_param("constraint", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "node features required (--constraint), e.g. docker"),
        make_param("time_limit", ParamType::Duration, "", "s", 1, kUnbounded, "time limit of each job (--time)"),
    };
    return table;
}

// `slurm:` keys that are not placements.
const ParamTable& slurm_job_table() {
    static const ParamTable table = {
        make_param("exclusive", ParamType::Bool, "true", "", -kUnbounded, kUnbounded,
                   "a node runs one job at a time (--exclusive), so that two benchmarks never share one"),
        make_param("job_per", ParamType::Choice, "cell", "", -kUnbounded, kUnbounded,
                   "cell: one job runs all the runs of a cell; run: one job per run",
                   {"cell", "run"}),
        make_param("requeue", ParamType::Integer, "0", "", 0, 100,
                   "submit a job again this many times when it ends without its results (node failure, time limit)"),
        make_param("spool", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "directory on storage shared by this machine and the nodes, where jobs leave their results "
                   "(default: <output>/slurm-spool)"),
        make_param("poll_interval", ParamType::Duration, "1", "s", 0.1, 60, "how often the cluster is asked"),
    };
    return table;
}

// Every top-level key, in the order they are documented.
const std::vector<std::string>& top_level_keys() {
    static const std::vector<std::string> keys = {"experiment", "description", "repetitions", "warmup",
                                                  "output",     "timeout",     "order",       "seed",
                                                  "baseline",   "target_ci",   "max_repetitions", "budget",
                                                  "target_metric", "executor", "slurm",
                                                  "plugin_path", "platforms",  "workloads"};
    return keys;
}

// Text given to Slurm as one option value: node lists, features, partitions.
bool is_slurm_word(const std::string& text) {
    return !text.empty() && text.front() != '-' && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("_.-,[]&|!:*()").find(c) != std::string_view::npos;
    });
}

bool is_plain_name(const std::string& text) {
    if (text.empty()) return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '-';
    });
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& word : words) out += (out.empty() ? "" : ", ") + word;
    return out.empty() ? "(none)" : out;
}

std::string unknown_word_hint(const std::string& word, const std::vector<std::string>& choices,
                              const std::string& choices_title) {
    const std::string close = did_you_mean(word, choices);
    std::string hint = close.empty() ? "" : "did you mean '" + close + "'? ";
    return hint + choices_title + ": " + join(choices);
}

// "threads (integer, threads): worker threads; default: all CPUs the runner may use"
std::string value_hint(const ParamSpec& spec) {
    std::string hint = spec.name + " (" + describe_param_type(spec.type) + (spec.unit.empty() ? "" : ", " + spec.unit) + ")";
    if (!spec.help.empty()) hint += ": " + spec.help;
    if (!spec.default_value.empty()) hint += "; default " + spec.default_value;
    return hint;
}

std::string describe_node(const YAML::Node& node) {
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a mapping";
    if (node.IsNull()) return "nothing";
    return "'" + node.Scalar() + "'";
}

// Checks one experiment file's text, collecting every error before giving up.
class Checker {
public:
    Checker(std::string display_name, fs::path base_dir, PluginRegistry& registry, const ExperimentLoadOptions& options)
        : file_(std::move(display_name)), base_dir_(std::move(base_dir)), registry_(registry), options_(options) {}

    ExperimentConfig check(const std::string& text) {
        ExperimentConfig config;
        if (const auto problem = find_text_problem(text)) {
            errors_.push_back({{file_, problem->line, problem->column}, problem->message, problem->hint});
            finish();
        }
        const YamlParse parse = parse_single_yaml_document(text, options_.guard_yaml_parser);
        if (parse.problem) {
            errors_.push_back({{file_, parse.problem->line, parse.problem->column},
                               printable_text(parse.problem->message), printable_text(parse.problem->hint)});
            finish();
        }
        const YAML::Node& root = parse.root;
        if (!root.IsMap()) {
            add(root.IsNull() ? kStartOfFile : root.Mark(), root.IsNull() ? "the experiment file is empty"
                                           : "expected a mapping of keys, found " + describe_node(root),
                "an experiment file has the keys experiment:, platforms: and workloads: (see README)");
            finish();
        }
        const auto keys = top_level_entries(root);
        load_plugin_path(keys, config);
        read_scalar_keys(keys, config);
        config.platforms = read_instances(keys, PluginKind::Platform);
        config.workloads = read_instances(keys, PluginKind::Workload);
        if (keys.count("baseline") == 0) config.baseline = default_baseline(config.platforms);
        check_baseline(keys, config);
        read_slurm(keys, config);
        check_matrix_size(config);
        finish();
        return config;
    }

private:
    struct KeyValue {
        YAML::Node key;
        YAML::Node value;
    };
    using Entries = std::map<std::string, KeyValue>;

    SourceLocation where(const YAML::Mark& mark) const {
        if (mark.is_null()) return {file_, 0, 0};
        return {file_, mark.line + 1, mark.column + 1};
    }
    // Messages quote the file's text: made printable and bounded, since the file
    // may hold anything (control characters, megabyte-long values).
    void add(const YAML::Mark& mark, const std::string& message, const std::string& hint) {
        errors_.push_back({where(mark), printable_text(message), printable_text(hint)});
    }
    void finish() {
        if (errors_.empty()) return;
        remove_repeated_errors();
        std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
            return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
        });
        throw ConfigErrors(std::move(errors_));
    }

    // A YAML alias repeats one node many times; its error is reported once.
    void remove_repeated_errors() {
        std::set<std::tuple<int, int, std::string>> seen;
        std::vector<ConfigError> unique;
        for (ConfigError& error : errors_) {
            if (seen.insert({error.where.line, error.where.column, error.message}).second) unique.push_back(std::move(error));
        }
        errors_ = std::move(unique);
    }

    // A mapping's entries by key, reporting duplicate and non-text keys;
    // `known` (when given) are the only keys allowed.
    Entries mapping_entries(const YAML::Node& map, const std::vector<std::string>* known, const std::string& what) {
        Entries entries;
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (!it->first.IsScalar()) {
                add(it->first.Mark(), "a key must be a plain word, found " + describe_node(it->first), "");
                continue;
            }
            const std::string name = it->first.Scalar();
            if (auto earlier = entries.find(name); earlier != entries.end()) {
                add(it->first.Mark(), "duplicate key '" + name + "'",
                    "first given at line " + std::to_string(earlier->second.key.Mark().line + 1));
                continue;
            }
            if (known != nullptr && std::find(known->begin(), known->end(), name) == known->end()) {
                add(it->first.Mark(), "unknown key '" + name + "'" + what, unknown_word_hint(name, *known, "valid keys"));
                continue;
            }
            entries.emplace(name, KeyValue{it->first, it->second});
        }
        return entries;
    }

    Entries top_level_entries(const YAML::Node& root) {
        return mapping_entries(root, &top_level_keys(), " at the top level");
    }

    // The text of a single value, or an error saying why there is none. A missing
    // value has no position of its own (yaml-cpp gives the next token's), so it is
    // reported at its key.
    std::optional<std::string> scalar_text(const std::string& name, const YAML::Node& value, const YAML::Mark& key) {
        if (value.IsScalar()) return value.Scalar();
        if (value.IsNull()) {
            add(key, "'" + name + "' has no value", "");
        } else {
            add(value.Mark(), "'" + name + "' takes a single value, found " + describe_node(value), "");
        }
        return std::nullopt;
    }

    std::optional<ParamValue> parse_value(const ParamSpec& spec, const std::string& owner, const YAML::Node& value,
                                          const YAML::Mark& key) {
        const std::optional<std::string> text = scalar_text(spec.name, value, key);
        if (!text) return std::nullopt;
        ParseOutcome outcome = parse_param_value(spec, *text);
        if (!outcome.value) {
            add(value.Mark(), owner + "'" + spec.name + "': '" + *text + "': " + outcome.error, value_hint(spec));
        }
        return outcome.value;
    }

    // `plugin_path` goes first: the plugins it holds must be known before entries are checked.
    void load_plugin_path(const Entries& keys, ExperimentConfig& config) {
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

    void read_scalar_keys(const Entries& keys, ExperimentConfig& config) {
        ParamValues values;
        for (const ParamSpec& spec : experiment_key_table()) {
            auto it = keys.find(spec.name);
            if (it == keys.end()) continue;
            if (auto value = parse_value(spec, "", it->second.value, it->second.key.Mark())) values.set(spec.name, *value);
        }
        apply_defaults(experiment_key_table(), values);
        if (values.has("experiment")) {
            config.name = values.text("experiment");
            if (!is_plain_name(config.name)) {
                add(keys.at("experiment").value.Mark(), "experiment name '" + config.name + "' is not a plain name",
                    "use letters, digits, '_', '.' and '-' only: it names the results");
                config.name.clear();
            }
        } else if (keys.count("experiment") == 0) {
            add(kStartOfFile, "missing required key 'experiment'", "name the experiment, e.g. 'experiment: quick'");
        }
        if (values.has("description")) config.description = values.text("description");
        config.repetitions = static_cast<int>(values.integer("repetitions"));
        config.warmup = static_cast<int>(values.integer("warmup"));
        config.timeout_seconds = values.real("timeout");
        config.order = values.text("order") == "sequential" ? RunOrder::Sequential : RunOrder::Interleaved;
        if (values.has("seed")) config.seed = static_cast<std::uint64_t>(values.integer("seed"));
        config.executor = values.text("executor") == "slurm" ? Executor::Slurm : Executor::Local;
        if (values.has("baseline")) config.baseline = values.text("baseline");
        read_adaptive(keys, values, config);
        config.output_dir = values.has("output") ? fs::path(values.text("output")) : fs::path("results") / config.name;
        if (values.has("output")) check_output_stays_inside(config.output_dir, keys.at("output").value.Mark());
    }

    void read_adaptive(const Entries& keys, const ParamValues& values, ExperimentConfig& config) {
        if (!values.has("target_ci")) {
            if (keys.count("target_ci") != 0) return;  // given but invalid: reported already
            for (const char* key : {"max_repetitions", "budget", "target_metric"})
                if (auto given = keys.find(key); given != keys.end())
                    add(given->second.key.Mark(), std::string("'") + key + "' only applies to adaptive repetitions",
                        "set 'target_ci:' (e.g. target_ci: 2) to repeat cells until their interval is that narrow");
            return;
        }
        AdaptiveRepetitions adaptive;
        adaptive.target_fraction = values.real("target_ci") / 100;
        adaptive.max_repetitions = values.has("max_repetitions") ? static_cast<int>(values.integer("max_repetitions"))
                                                                  : 10 * config.repetitions;
        if (values.has("budget")) adaptive.budget_seconds = values.real("budget");
        if (values.has("target_metric")) adaptive.metric = values.text("target_metric");
        if (adaptive.max_repetitions < config.repetitions)
            add(keys.at("max_repetitions").value.Mark(),
                "max_repetitions " + std::to_string(adaptive.max_repetitions) + " is below repetitions " +
                    std::to_string(config.repetitions),
                "with target_ci, repetitions is the minimum: max_repetitions must be at least that");
        config.adaptive = adaptive;
    }

    // `slurm:`: job settings, default placement, and placements per platform.
    void read_slurm(const Entries& keys, ExperimentConfig& config) {
        auto given = keys.find("slurm");
        if (given == keys.end()) return;
        if (config.executor != Executor::Slurm) {
            add(given->second.key.Mark(), "'slurm:' settings apply only with 'executor: slurm'",
                "add 'executor: slurm', or remove the slurm: settings");
            return;
        }
        const YAML::Node& node = given->second.value;
        if (node.IsNull()) return;
        if (!node.IsMap()) {
            add(node.Mark(), "'slurm' must be a mapping of settings, found " + describe_node(node), "");
            return;
        }
        std::vector<std::string> known = {"platforms"};
        for (const auto* table : {&slurm_placement_table(), &slurm_job_table()})
            for (const ParamSpec& spec : *table) known.push_back(spec.name);
        const Entries entries = mapping_entries(node, &known, " in slurm:");
        config.slurm.defaults = read_placement(entries, "slurm: ");
        const ParamValues job = read_values(slurm_job_table(), entries, "slurm: ");
        config.slurm.exclusive = job.boolean("exclusive");
        config.slurm.job_per_run = job.text("job_per") == "run";
        config.slurm.requeue = static_cast<int>(job.integer("requeue"));
        config.slurm.poll_seconds = job.real("poll_interval");
        if (job.has("spool")) config.slurm.spool = job.text("spool");
        if (auto platforms = entries.find("platforms"); platforms != entries.end())
            read_slurm_platforms(platforms->second, config);
    }

    void read_slurm_platforms(const KeyValue& platforms, ExperimentConfig& config) {
        if (!platforms.value.IsMap()) {
            add(platforms.value.Mark(), "'slurm: platforms' must map platform names to placements, found " +
                                            describe_node(platforms.value),
                "e.g. platforms: {native: {nodes: n1}, docker: {nodes: n2}}");
            return;
        }
        std::vector<std::string> names;
        for (const PluginInstanceConfig& platform : config.platforms) names.push_back(platform.name);
        std::vector<std::string> placement_keys;
        for (const ParamSpec& spec : slurm_placement_table()) placement_keys.push_back(spec.name);
        for (const auto& [name, entry] : mapping_entries(platforms.value, &names, " in slurm: platforms (a platform name)")) {
            if (!entry.value.IsMap()) {
                add(entry.value.Mark(), "the placement of '" + name + "' must be a mapping, found " +
                                            describe_node(entry.value), "e.g. {nodes: n1}");
                continue;
            }
            SlurmPlacement placement =
                read_placement(mapping_entries(entry.value, &placement_keys, " in a slurm placement"),
                               "slurm: platforms: " + name + ": ");
            config.slurm.platforms[name] = placement;
        }
    }

    SlurmPlacement read_placement(const Entries& entries, const std::string& owner) {
        const ParamValues values = read_values(slurm_placement_table(), entries, owner);
        SlurmPlacement placement;
        const auto text = [&](const char* name, std::string& target) {
            if (!values.has(name)) return;
            target = values.text(name);
            if (!is_slurm_word(target))
                add(entries.at(name).value.Mark(), owner + "'" + name + "': '" + target + "' holds characters Slurm "
                    "does not use there", "letters, digits and _ . - , [ ] & | ! : * ( ) only");
        };
        text("partition", placement.partition);
        text("account", placement.account);
        text("nodes", placement.nodes);
        text("constraint", placement.constraint);
        if (values.has("time_limit")) placement.time_limit_seconds = values.real("time_limit");
        return placement;
    }

    // Values of `table`'s keys found in `entries`, the table's defaults for the rest.
    ParamValues read_values(const ParamTable& table, const Entries& entries, const std::string& owner) {
        ParamValues values;
        for (const ParamSpec& spec : table) {
            auto it = entries.find(spec.name);
            if (it == entries.end()) continue;
            if (auto value = parse_value(spec, owner, it->second.value, it->second.key.Mark())) values.set(spec.name, *value);
        }
        apply_defaults(table, values);
        return values;
    }

    // A relative `output:` stays below the working directory: "../.." in a shared
    // experiment file must not make platbench write elsewhere. An absolute path is
    // taken as meant.
    void check_output_stays_inside(const fs::path& output, const YAML::Mark& mark) {
        if (output.is_absolute()) return;
        const fs::path normal = output.lexically_normal();
        if (normal.empty() || *normal.begin() == "..") {
            add(mark, "output: '" + output.string() + "' leads out of the working directory",
                "give an absolute path if the results are meant to go there");
        }
    }

    // Without `baseline:`, the first platform whose plugin is bare metal
    // (kPlatformBaseline); none: the experiment is not compared.
    static std::string default_baseline(const std::vector<PluginInstanceConfig>& platforms) {
        for (const PluginInstanceConfig& platform : platforms)
            if (platform.plugin && (platform.plugin->descriptor->flags & kPlatformBaseline) != 0) return platform.name;
        return "";
    }

    // A baseline given in the file must be one of its platforms.
    void check_baseline(const Entries& keys, const ExperimentConfig& config) {
        auto given = keys.find("baseline");
        if (given == keys.end() || config.platforms.empty()) return;
        std::vector<std::string> names;
        for (const PluginInstanceConfig& platform : config.platforms) names.push_back(platform.name);
        if (std::find(names.begin(), names.end(), config.baseline) != names.end()) return;
        add(given->second.value.Mark(), "baseline '" + config.baseline + "' is not a platform of this experiment",
            unknown_word_hint(config.baseline, names, "platforms"));
    }

    // A plugin to name in an example: the first loaded one of its kind.
    std::string example_plugin(PluginKind kind) const {
        const std::vector<std::string> names = registry_.names(kind);
        return names.empty() ? std::string("<name>") : names.front();
    }

    std::vector<PluginInstanceConfig> read_instances(const Entries& keys, PluginKind kind) {
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

    const LoadedPlugin* find_plugin(const KeyValue& entry, PluginKind kind) {
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

    std::optional<PluginInstanceConfig> read_instance(const YAML::Node& item, PluginKind kind) {
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

    std::optional<ParamSetting> read_setting(const PluginInstanceConfig& instance, const YAML::Node& key,
                                             const YAML::Node& value) {
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
    void check_with_plugin(const PluginInstanceConfig& instance, const YAML::Node& item) {
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

    void check_matrix_size(const ExperimentConfig& config) {
        if (!errors_.empty()) return;  // sizes of a broken file mean little
        const std::size_t cells = matrix_size(config);
        if (cells > kMaxCells) {
            add(kStartOfFile, "the matrix has " + std::to_string(cells) + " cells, more than " + std::to_string(kMaxCells),
                "was a list given where a single value was meant?");
            return;
        }
        const std::size_t runs_per_cell = static_cast<std::size_t>(config.repetitions + config.warmup);
        if (cells * runs_per_cell > kMaxRuns) {
            add(kStartOfFile, "the experiment plans " + std::to_string(cells * runs_per_cell) + " runs, more than " +
                                  std::to_string(kMaxRuns),
                "lower repetitions: or warmup:, or split the matrix into several experiments");
        }
    }

    std::string file_;
    fs::path base_dir_;
    PluginRegistry& registry_;
    ExperimentLoadOptions options_;
    std::vector<ConfigError> errors_;
};

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

}  // namespace

SlurmPlacement SlurmSettings::placement_of(const std::string& platform) const {
    SlurmPlacement placement = defaults;
    auto it = platforms.find(platform);
    if (it == platforms.end()) return placement;
    for (auto [mine, given] : {std::pair{&placement.partition, &it->second.partition},
                               std::pair{&placement.account, &it->second.account},
                               std::pair{&placement.nodes, &it->second.nodes},
                               std::pair{&placement.constraint, &it->second.constraint}})
        if (!given->empty()) *mine = *given;
    if (it->second.time_limit_seconds > 0) placement.time_limit_seconds = it->second.time_limit_seconds;
    return placement;
}

std::string format_config_errors(const std::vector<ConfigError>& errors) {
    std::ostringstream out;
    for (const ConfigError& error : errors) {
        out << error.where.file;
        if (error.where.line > 0) out << ":" << error.where.line << ":" << error.where.column;
        out << ": error: " << error.message << "\n";
        if (!error.hint.empty()) out << "  hint: " << error.hint << "\n";
    }
    return out.str();
}

ConfigErrors::ConfigErrors(std::vector<ConfigError> errors)
    : std::runtime_error(format_config_errors(errors)), errors_(std::move(errors)) {}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& choices) {
    std::string best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const std::string& choice : choices) {
        const std::size_t distance = edit_distance(word, choice);
        if (distance < best_distance) {
            best_distance = distance;
            best = choice;
        }
    }
    // Close enough to be a typo: a couple of edits, or a third of the word.
    const std::size_t allowed = std::max<std::size_t>(2, word.size() / 3);
    return best_distance <= allowed && best_distance < word.size() ? best : "";
}

ExperimentConfig load_experiment_text(const std::string& text, const std::string& display_name,
                                      const fs::path& base_dir, PluginRegistry& registry,
                                      const ExperimentLoadOptions& options) {
    Checker checker(display_name, base_dir, registry, options);
    ExperimentConfig config = checker.check(text);
    config.file = display_name;
    config.file_hash = sha256_hex(text);
    return config;
}

// Reads at most one byte more than an experiment file may have, so /dev/zero or a
// huge file given by mistake costs nothing; the text checks then refuse it.
std::string read_experiment_file(const fs::path& file) {
    std::error_code ec;
    if (fs::is_directory(file, ec)) {
        throw ConfigErrors({{{file.string(), 0, 0}, "is a directory, not an experiment file", ""}});
    }
    if (fs::is_regular_file(file, ec) && fs::file_size(file, ec) > kMaxExperimentFileBytes && !ec) {
        const TextProblem problem = file_too_large(fs::file_size(file, ec));
        throw ConfigErrors({{{file.string(), problem.line, problem.column}, problem.message, problem.hint}});
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw ConfigErrors({{{file.string(), 0, 0}, "cannot read the experiment file", "check the path and permissions"}});
    }
    std::string text(kMaxExperimentFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) throw ConfigErrors({{{file.string(), 0, 0}, "error reading the experiment file", ""}});
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

ExperimentConfig load_experiment(const fs::path& file, PluginRegistry& registry) {
    const std::string text = read_experiment_file(file);
    const fs::path base_dir = fs::absolute(file).parent_path();
    ExperimentConfig config = load_experiment_text(text, file.string(), base_dir, registry);
    config.file = file;
    return config;
}

}  // namespace platbench
