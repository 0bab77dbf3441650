// The experiment file's checker: the checks in order, how errors are collected,
// mappings and single values read, and the experiment's own scalar keys.
#include "config/experiment_checker.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "config/key_tables.hpp"
#include "config/text_checks.hpp"
#include "config/yaml_document.hpp"

namespace platbench::experiment_checking {
namespace fs = std::filesystem;

// Errors about the file as a whole point at its start.
const YAML::Mark kStartOfFile = [] {
    YAML::Mark mark;
    mark.pos = mark.line = mark.column = 0;
    return mark;
}();

const char* kind_word(PluginKind kind) { return kind == PluginKind::Platform ? "platform" : "workload"; }
const char* list_key(PluginKind kind) { return kind == PluginKind::Platform ? "platforms" : "workloads"; }

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

std::string describe_node(const YAML::Node& node) {
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a mapping";
    if (node.IsNull()) return "nothing";
    return "'" + node.Scalar() + "'";
}

namespace {

// "threads (integer, threads): worker threads; default: all CPUs the runner may use"
std::string value_hint(const ParamSpec& spec) {
    std::string hint = spec.name + " (" + describe_param_type(spec.type) + (spec.unit.empty() ? "" : ", " + spec.unit) + ")";
    if (!spec.help.empty()) hint += ": " + spec.help;
    if (!spec.default_value.empty()) hint += "; default " + spec.default_value;
    return hint;
}

}  // namespace

ExperimentConfig ExperimentChecker::check(const std::string& text) {
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
    check_network_paths(config);
    read_slurm(keys, config);
    check_matrix_size(config);
    finish();
    return config;
}

SourceLocation ExperimentChecker::where(const YAML::Mark& mark) const {
    if (mark.is_null()) return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
}

// Messages quote the file's text: made printable and bounded, since the file
// may hold anything (control characters, megabyte-long values).
void ExperimentChecker::add(const YAML::Mark& mark, const std::string& message, const std::string& hint) {
    errors_.push_back({where(mark), printable_text(message), printable_text(hint)});
}

void ExperimentChecker::finish() {
    if (errors_.empty()) return;
    remove_repeated_errors();
    std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
        return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
    });
    throw ConfigErrors(std::move(errors_));
}

// A YAML alias repeats one node many times; its error is reported once.
void ExperimentChecker::remove_repeated_errors() {
    std::set<std::tuple<int, int, std::string>> seen;
    std::vector<ConfigError> unique;
    for (ConfigError& error : errors_) {
        if (seen.insert({error.where.line, error.where.column, error.message}).second) unique.push_back(std::move(error));
    }
    errors_ = std::move(unique);
}

// A mapping's entries by key, reporting duplicate and non-text keys;
// `known` (when given) are the only keys allowed.
ExperimentChecker::Entries ExperimentChecker::mapping_entries(const YAML::Node& map,
                                                              const std::vector<std::string>* known,
                                                              const std::string& what) {
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

ExperimentChecker::Entries ExperimentChecker::top_level_entries(const YAML::Node& root) {
    return mapping_entries(root, &top_level_keys(), " at the top level");
}

// The text of a single value, or an error saying why there is none. A missing
// value has no position of its own (yaml-cpp gives the next token's), so it is
// reported at its key.
std::optional<std::string> ExperimentChecker::scalar_text(const std::string& name, const YAML::Node& value, const YAML::Mark& key) {
    if (value.IsScalar()) return value.Scalar();
    if (value.IsNull()) {
        add(key, "'" + name + "' has no value", "");
    } else {
        add(value.Mark(), "'" + name + "' takes a single value, found " + describe_node(value), "");
    }
    return std::nullopt;
}

std::optional<ParamValue> ExperimentChecker::parse_value(const ParamSpec& spec, const std::string& owner,
                                                        const YAML::Node& value, const YAML::Mark& key) {
    const std::optional<std::string> text = scalar_text(spec.name, value, key);
    if (!text) return std::nullopt;
    ParseOutcome outcome = parse_param_value(spec, *text);
    if (!outcome.value) {
        add(value.Mark(), owner + "'" + spec.name + "': '" + *text + "': " + outcome.error, value_hint(spec));
    }
    return outcome.value;
}

// Values of `table`'s keys found in `entries`, the table's defaults for the rest.
ParamValues ExperimentChecker::read_values(const ParamTable& table, const Entries& entries, const std::string& owner) {
    ParamValues values;
    for (const ParamSpec& spec : table) {
        auto it = entries.find(spec.name);
        if (it == entries.end()) continue;
        if (auto value = parse_value(spec, owner, it->second.value, it->second.key.Mark())) values.set(spec.name, *value);
    }
    apply_defaults(table, values);
    return values;
}

void ExperimentChecker::read_scalar_keys(const Entries& keys, ExperimentConfig& config) {
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

void ExperimentChecker::read_adaptive(const Entries& keys, const ParamValues& values, ExperimentConfig& config) {
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

// A relative `output:` stays below the working directory: "../.." in a shared
// experiment file must not make platbench write elsewhere. An absolute path is
// taken as meant.
void ExperimentChecker::check_output_stays_inside(const fs::path& output, const YAML::Mark& mark) {
    if (output.is_absolute()) return;
    const fs::path normal = output.lexically_normal();
    if (normal.empty() || *normal.begin() == "..") {
        add(mark, "output: '" + output.string() + "' leads out of the working directory",
            "give an absolute path if the results are meant to go there");
    }
}

// Without `baseline:`, the first platform whose plugin is bare metal
// (kPlatformBaseline); none: the experiment is not compared.
std::string ExperimentChecker::default_baseline(const std::vector<PluginInstanceConfig>& platforms) {
    for (const PluginInstanceConfig& platform : platforms)
        if (platform.plugin && (platform.plugin->descriptor->flags & kPlatformBaseline) != 0) return platform.name;
    return "";
}

// A baseline given in the file must be one of its platforms.
void ExperimentChecker::check_baseline(const Entries& keys, const ExperimentConfig& config) {
    auto given = keys.find("baseline");
    if (given == keys.end() || config.platforms.empty()) return;
    std::vector<std::string> names;
    for (const PluginInstanceConfig& platform : config.platforms) names.push_back(platform.name);
    if (std::find(names.begin(), names.end(), config.baseline) != names.end()) return;
    add(given->second.value.Mark(), "baseline '" + config.baseline + "' is not a platform of this experiment",
        unknown_word_hint(config.baseline, names, "platforms"));
}

// A network workload runs only on platforms that make network paths: one whose
// table has no `network` setting would fail every such run.
void ExperimentChecker::check_network_paths(const ExperimentConfig& config) {
    for (const PluginInstanceConfig& workload : config.workloads) {
        if (!workload.plugin || (workload.plugin->descriptor->flags & kWorkloadNetworkPeer) == 0) continue;
        for (const PluginInstanceConfig& platform : config.platforms) {
            if (!platform.plugin) continue;
            const ParamTable& table = platform.plugin->descriptor->params;
            if (std::any_of(table.begin(), table.end(), [](const ParamSpec& s) { return s.name == "network"; })) continue;
            errors_.push_back({platform.where,
                               "platform '" + platform.name + "' makes no network paths, and workload '" +
                                   workload.name + "' needs one to reach its peer",
                               "run network workloads on platforms with a `network` setting (platbench plugins "
                               "lists them), or put this pair in another experiment"});
        }
    }
}

}  // namespace platbench::experiment_checking
