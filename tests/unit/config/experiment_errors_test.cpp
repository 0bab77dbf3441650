// Experiment file validation: every kind of mistake is reported at the right
// file:line:column with a useful message, and all of them at once.
//
// Most cases are files in tests/data/configs/bad_*.yaml. Each states what it
// expects in comment lines:
//   # expect: LINE:COLUMN | part of the message | another part
//   # hint: part of the hint of the expectation above
// The file must produce exactly one error per "# expect:" line, at that
// location, whose message (and hint) contain every part, ignoring case.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config_test_data.hpp"
#include "config/experiment.hpp"
#include "platbench/plugin.hpp"
#include "plugin/registry.hpp"

namespace fs = std::filesystem;
using platbench::ConfigError;
using platbench::ConfigErrors;
using platbench::ExperimentConfig;
using platbench::PluginKind;
using platbench::PluginRegistry;

namespace {

using test::kConfigDir;
using test::lower;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
bool icontains(const std::string& text, const std::string& part) { return contains(lower(text), lower(part)); }

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// ---------------------------------------------------------------------------
// In-memory plugins with validate() rules and a choice parameter.

platbench::ParamSpec spec(std::string name, platbench::ParamType type, std::string default_value) {
    platbench::ParamSpec s;
    s.name = std::move(name);
    s.type = type;
    s.default_value = std::move(default_value);
    s.help = "test parameter";
    return s;
}

// Workload "ranged": low must not exceed high (high defaults to 100).
class RangedWorkload : public platbench::Workload {
public:
    std::vector<std::string> validate(const platbench::ParamValues& params) const override {
        std::vector<std::string> errors;
        if (params.has("low") && params.has("high") && params.integer("low") > params.integer("high")) {
            errors.push_back("low " + std::to_string(params.integer("low")) + " exceeds high " +
                             std::to_string(params.integer("high")));
        }
        return errors;
    }
    platbench::WorkloadResult run(const platbench::WorkloadRunRequest&) override { return {}; }
};

// Platform "lanes": mode slow allows at most 4 lanes (lanes defaults to 1).
class LanesPlatform : public platbench::Platform {
public:
    platbench::ProbeResult probe(const platbench::ParamValues&) override { return {}; }
    std::vector<std::string> validate(const platbench::ParamValues& settings) const override {
        const std::string mode = settings.has("mode") ? settings.text("mode") : "fast";
        const std::int64_t lanes = settings.has("lanes") ? settings.integer("lanes") : 1;
        if (mode == "slow" && lanes > 4) return {"slow mode allows at most 4 lanes, not " + std::to_string(lanes)};
        return {};
    }
    platbench::PlatformRunOutcome run(const platbench::PlatformRunRequest&) override { return {}; }
};

const platbench::PluginDescriptor& ranged_descriptor() {
    static const platbench::PluginDescriptor descriptor = [] {
        platbench::PluginDescriptor d;
        d.kind = PluginKind::Workload;
        d.name = "ranged";
        d.description = "test workload with a cross-parameter rule";
        d.params = {spec("low", platbench::ParamType::Integer, "0"), spec("high", platbench::ParamType::Integer, "100"),
                    spec("label", platbench::ParamType::String, "")};
        d.create_workload = [] { return std::unique_ptr<platbench::Workload>(new RangedWorkload()); };
        return d;
    }();
    return descriptor;
}

const platbench::PluginDescriptor& lanes_descriptor() {
    static const platbench::PluginDescriptor descriptor = [] {
        platbench::PluginDescriptor d;
        d.kind = PluginKind::Platform;
        d.name = "lanes";
        d.description = "test platform with a choice and a cross-setting rule";
        platbench::ParamSpec mode = spec("mode", platbench::ParamType::Choice, "fast");
        mode.choices = {"fast", "slow"};
        platbench::ParamSpec lanes = spec("lanes", platbench::ParamType::Integer, "1");
        lanes.min = 1;
        lanes.max = 64;
        d.params = {mode, lanes};
        d.create_platform = [] { return std::unique_ptr<platbench::Platform>(new LanesPlatform()); };
        return d;
    }();
    return descriptor;
}

void add_in_memory(PluginRegistry& registry, const platbench::PluginDescriptor& descriptor) {
    auto plugin = std::make_unique<platbench::LoadedPlugin>();
    plugin->file = "in-memory/" + descriptor.name;
    plugin->descriptor = &descriptor;
    REQUIRE(registry.add(std::move(plugin)) != nullptr);
}

// The real plugins (native, stream) and the in-memory ones (lanes, ranged).
std::unique_ptr<PluginRegistry> registry_with_test_plugins() {
    auto registry = std::make_unique<PluginRegistry>();
    registry->load_directory(PLATBENCH_PLUGIN_DIR);
    REQUIRE(registry->problems().empty());
    REQUIRE(registry->find(PluginKind::Platform, "native") != nullptr);
    REQUIRE(registry->find(PluginKind::Workload, "stream") != nullptr);
    add_in_memory(*registry, ranged_descriptor());
    add_in_memory(*registry, lanes_descriptor());
    return registry;
}

// The errors of loading `text` (display name "inline.yaml"); nullopt when it loaded.
std::optional<std::vector<ConfigError>> text_errors(const std::string& text) {
    auto registry = registry_with_test_plugins();
    try {
        platbench::load_experiment_text(text, "inline.yaml", kConfigDir, *registry);
    } catch (const ConfigErrors& e) {
        return e.errors();
    }
    return std::nullopt;
}

std::optional<std::vector<ConfigError>> file_errors(const fs::path& file) {
    auto registry = registry_with_test_plugins();
    try {
        platbench::load_experiment(file, *registry);
    } catch (const ConfigErrors& e) {
        return e.errors();
    }
    return std::nullopt;
}

std::string describe(const std::vector<ConfigError>& errors) {
    std::ostringstream out;
    for (const auto& e : errors) {
        out << e.where.file << ":" << e.where.line << ":" << e.where.column << ": " << e.message;
        if (!e.hint.empty()) out << " [hint: " << e.hint << "]";
        out << "\n";
    }
    return out.str();
}

// The errors at line:column.
std::vector<ConfigError> errors_at(const std::vector<ConfigError>& errors, int line, int column) {
    std::vector<ConfigError> out;
    for (const auto& e : errors) {
        if (e.where.line == line && e.where.column == column) out.push_back(e);
    }
    return out;
}

// True when exactly one error sits at line:column and its message contains every part.
bool one_error_at(const std::vector<ConfigError>& errors, int line, int column,
                  const std::vector<std::string>& message_parts) {
    const auto here = errors_at(errors, line, column);
    if (here.size() != 1) return false;
    for (const auto& part : message_parts) {
        if (!icontains(here[0].message, part)) return false;
    }
    return true;
}

// ---------------------------------------------------------------------------
// The "# expect:" comments of the bad files.

struct Expectation {
    int line = 0;
    int column = 0;
    std::vector<std::string> message_parts;
    std::vector<std::string> hint_parts;
    std::string text;  // the comment, for failure messages
};

std::vector<std::string> split_parts(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, '|')) {
        part = trim(part);
        if (!part.empty()) parts.push_back(part);
    }
    return parts;
}

std::vector<Expectation> expectations(const fs::path& file) {
    std::ifstream in(file);
    REQUIRE_MESSAGE(in.good(), "cannot read ", file.string());
    std::vector<Expectation> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("# expect:", 0) == 0) {
            Expectation e;
            e.text = line;
            std::vector<std::string> parts = split_parts(line.substr(9));
            REQUIRE_MESSAGE(!parts.empty(), "malformed expectation in ", file.string(), ": ", line);
            const std::string location = parts.front();
            parts.erase(parts.begin());
            REQUIRE_MESSAGE(std::sscanf(location.c_str(), "%d:%d", &e.line, &e.column) == 2,
                            "malformed expectation in ", file.string(), ": ", line);
            e.message_parts = parts;
            out.push_back(e);
        } else if (line.rfind("# hint:", 0) == 0) {
            REQUIRE_MESSAGE(!out.empty(), "a hint before any expectation in ", file.string());
            out.back().hint_parts = split_parts(line.substr(7));
            out.back().text += "  " + line;
        }
    }
    return out;
}

bool matches(const ConfigError& error, const Expectation& expected) {
    if (error.where.line != expected.line || error.where.column != expected.column) return false;
    for (const auto& part : expected.message_parts) {
        if (!icontains(error.message, part)) return false;
    }
    for (const auto& part : expected.hint_parts) {
        if (!icontains(error.hint, part)) return false;
    }
    return true;
}

void check_bad_file(const std::string& name) {
    const fs::path file = kConfigDir / name;
    const std::vector<Expectation> expected = expectations(file);
    REQUIRE_MESSAGE(!expected.empty(), name, " states no expected error");

    const auto errors = file_errors(file);
    REQUIRE_MESSAGE(errors.has_value(), name, " was accepted");
    INFO("reported:\n", describe(*errors));
    CHECK(errors->size() == expected.size());

    std::vector<bool> used(errors->size(), false);
    for (const auto& e : expected) {
        bool found = false;
        for (std::size_t i = 0; i < errors->size() && !found; ++i) {
            if (!used[i] && matches((*errors)[i], e)) used[i] = found = true;
        }
        CHECK_MESSAGE(found, "no error matches: ", e.text);
    }
    for (const auto& error : *errors) {
        CHECK(fs::path(error.where.file).filename() == name);
        CHECK(error.where.line >= 1);
        CHECK(error.where.column >= 1);
        CHECK_FALSE(error.message.empty());
    }
}

const char* const kGoodTail =
    "platforms:\n"
    "  - plugin: native\n"
    "workloads:\n"
    "  - plugin: stream\n";

}  // namespace

// ---------------------------------------------------------------------------
// The bad files, one test each.

TEST_CASE("bad file: unknown keys at top level and in a workload, with did-you-mean hints") {
    check_bad_file("bad_unknown_key.yaml");
}

TEST_CASE("bad file: a misspelt platform setting suggests the real one") {
    check_bad_file("bad_unknown_platform_key.yaml");
}

TEST_CASE("bad file: an unknown workload plugin is named and the available ones listed") {
    check_bad_file("bad_unknown_plugin.yaml");
}

TEST_CASE("bad file: a workload plugin named under platforms is an unknown platform") {
    check_bad_file("bad_platform_as_workload.yaml");
}

TEST_CASE("bad file: values of the wrong type point at the value") {
    check_bad_file("bad_wrong_types.yaml");
}

TEST_CASE("bad file: units a parameter does not accept point at the value") {
    check_bad_file("bad_units.yaml");
}

TEST_CASE("bad file: a baseline that is not a platform of the experiment") {
    check_bad_file("bad_baseline.yaml");
}

TEST_CASE("bad file: adaptive repetition settings without their target") {
    check_bad_file("bad_adaptive_keys.yaml");
}

TEST_CASE("bad file: adaptive repetitions whose maximum is below the minimum") {
    check_bad_file("bad_adaptive_range.yaml");
}

TEST_CASE("bad file: an unknown run order and a negative seed") {
    check_bad_file("bad_order.yaml");
}

TEST_CASE("bad file: values out of range point at the value and name the key") {
    check_bad_file("bad_out_of_range.yaml");
}

TEST_CASE("bad file: an empty list, an out-of-range element and a repeated list value") {
    check_bad_file("bad_list_values.yaml");
}

TEST_CASE("bad file: empty platforms and workloads lists") {
    check_bad_file("bad_empty_lists.yaml");
}

TEST_CASE("bad file: duplicate instance names point at the later entry") {
    check_bad_file("bad_duplicate_names.yaml");
}

TEST_CASE("bad file: a key given twice in one map points at the second one") {
    check_bad_file("bad_duplicate_keys.yaml");
}

TEST_CASE("bad file: an entry without plugin: points at the entry") {
    check_bad_file("bad_missing_plugin.yaml");
}

TEST_CASE("bad file: the stream plugin's validate() errors point at the entry, per combination") {
    check_bad_file("bad_validate.yaml");
}

TEST_CASE("bad file: an experiment name with characters outside [A-Za-z0-9_.-]") {
    check_bad_file("bad_experiment_name.yaml");
}

TEST_CASE("bad file: a malformed CPU list") {
    check_bad_file("bad_cpuset.yaml");
}

TEST_CASE("bad file: a plugin_path directory that does not exist") {
    check_bad_file("bad_plugin_path.yaml");
}

TEST_CASE("bad file: scalars where a list or an entry map belongs") {
    check_bad_file("bad_structure.yaml");
}

TEST_CASE("bad file: malformed YAML (bad indentation) is one error at the parser's position") {
    check_bad_file("bad_yaml_indent.yaml");
}

TEST_CASE("bad file: malformed YAML (unterminated flow sequence)") {
    check_bad_file("bad_yaml_flow.yaml");
}

TEST_CASE("bad file: malformed YAML (tab in the indentation)") {
    check_bad_file("bad_yaml_tab.yaml");
}

TEST_CASE("bad file: a problem in every section is reported all at once") {
    check_bad_file("bad_many.yaml");
}

TEST_CASE("every bad_*.yaml file in tests/data/configs states its expected errors and is refused") {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(kConfigDir)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("bad_", 0) == 0 && entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    CHECK(files.size() >= 20);
    for (const auto& file : files) {
        INFO(file.filename().string());
        const auto expected = expectations(file);
        CHECK_FALSE(expected.empty());
        const auto errors = file_errors(file);
        REQUIRE(errors.has_value());
        CHECK(errors->size() == expected.size());
    }
}

// ---------------------------------------------------------------------------
// Inline cases.

TEST_CASE("missing required top-level keys are reported at 1:1, each by name") {
    const auto errors = text_errors("description: nothing else\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 3);
    for (const auto& e : *errors) {
        CHECK(e.where.line == 1);
        CHECK(e.where.column == 1);
        CHECK(e.where.file == "inline.yaml");
    }
    for (const char* key : {"experiment", "platforms", "workloads"}) {
        INFO(std::string(key));
        CHECK(std::count_if(errors->begin(), errors->end(),
                            [&](const ConfigError& e) { return icontains(e.message, key); }) >= 1);
    }
}

TEST_CASE("a missing workloads key alone is one error") {
    const auto errors = text_errors("experiment: no-workloads\nplatforms:\n  - plugin: native\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK((*errors)[0].where.line == 1);
    CHECK((*errors)[0].where.column == 1);
    CHECK(icontains((*errors)[0].message, "workloads"));
}

TEST_CASE("a missing experiment name alone is one error") {
    const auto errors = text_errors(std::string("repetitions: 2\n") + kGoodTail);
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(icontains((*errors)[0].message, "experiment"));
}

TEST_CASE("an empty file and a file that is not a map are refused") {
    for (const char* text : {"", "# only a comment\n", "- experiment: x\n- platforms: []\n", "just a string\n"}) {
        INFO(std::string(text));
        const auto errors = text_errors(text);
        REQUIRE(errors.has_value());
        CHECK_FALSE(errors->empty());
    }
}

TEST_CASE("unknown top-level key: message names the key, hint suggests the closest valid key") {
    const auto errors = text_errors(std::string("experiment: x\nwarm_up: 1\n") + kGoodTail);
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    const auto& e = (*errors)[0];
    CHECK(e.where.file == "inline.yaml");
    CHECK(e.where.line == 2);
    CHECK(e.where.column == 1);
    CHECK(icontains(e.message, "warm_up"));
    CHECK(icontains(e.message, "unknown"));
    CHECK(icontains(e.hint, "did you mean"));
    CHECK(contains(e.hint, "warmup"));
}

TEST_CASE("an unknown key that resembles nothing still names the key") {
    const auto errors = text_errors(std::string("experiment: x\nxyzzy_plugh: 1\n") + kGoodTail);
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(one_error_at(*errors, 2, 1, {"xyzzy_plugh", "unknown"}));
    CHECK_FALSE(icontains((*errors)[0].hint, "did you mean"));
}

TEST_CASE("unknown parameter of a workload: located at the key, did-you-mean the parameter") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: native\n"
        "workloads:\n"
        "  - plugin: stream\n"
        "    treads: [1, 2]\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(one_error_at(*errors, 6, 5, {"treads", "unknown"}));
    CHECK(icontains((*errors)[0].hint, "did you mean"));
    CHECK(contains((*errors)[0].hint, "threads"));
}

TEST_CASE("unknown plugin: the hint lists the workload plugins, including stream") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: native\n"
        "workloads:\n"
        "  - plugin: hpl\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(one_error_at(*errors, 5, 13, {"hpl"}));
    CHECK(contains((*errors)[0].hint, "stream"));
    CHECK(contains((*errors)[0].hint, "ranged"));
}

TEST_CASE("unknown platform plugin: the hint lists the platform plugins") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: lxd\n"
        "workloads:\n"
        "  - plugin: stream\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(one_error_at(*errors, 3, 13, {"lxd"}));
    CHECK(contains((*errors)[0].hint, "native"));
    CHECK(contains((*errors)[0].hint, "lanes"));
}

TEST_CASE("the test plugins are not found without plugin_path") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: native\n"
        "workloads:\n"
        "  - plugin: echo\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(one_error_at(*errors, 5, 13, {"echo"}));
}

TEST_CASE("bad top-level values: each names its key and points at the value") {
    struct Case {
        const char* line;
        const char* key;
        int column;
    };
    const Case cases[] = {
        {"repetitions: 0", "repetitions", 14},    {"repetitions: 2.5", "repetitions", 14},
        {"repetitions: [1, 2]", "repetitions", 14}, {"repetitions: lots", "repetitions", 14},
        {"warmup: -1", "warmup", 9},              {"warmup: one", "warmup", 9},
        {"timeout: 0", "timeout", 10},            {"timeout: -5s", "timeout", 10},
        {"timeout: 0s", "timeout", 10},           {"timeout: 3 parsecs", "timeout", 10},
        {"timeout: soon", "timeout", 10},         {"output: [a, b]", "output", 9},
        {"plugin_path: {a: b}", "plugin_path", 14},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.line));
        const auto errors = text_errors(std::string("experiment: x\n") + c.line + "\n" + kGoodTail);
        REQUIRE(errors.has_value());
        INFO(describe(*errors));
        CHECK(errors->size() == 1);
        CHECK(one_error_at(*errors, 2, c.column, {c.key}));
    }
}

TEST_CASE("a key written without a value is reported on that key's line, not the next one") {
    struct Case {
        const char* text;
        int line;  // of the key without a value
        const char* key;
    };
    const Case cases[] = {
        {"experiment: x\nrepetitions:\nplatforms:\n  - plugin: native\nworkloads:\n  - plugin: stream\n", 2,
         "repetitions"},
        {"experiment: x\nplatforms:\n  - plugin: native\n    memory:\nworkloads:\n  - plugin: stream\n", 4, "memory"},
        {"experiment: x\nplatforms:\n  - plugin: native\nworkloads:\n  - plugin: stream\n    threads: ~\n", 6,
         "threads"},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.text));
        const auto errors = text_errors(c.text);
        REQUIRE(errors.has_value());
        INFO(describe(*errors));
        REQUIRE(errors->size() == 1);
        CHECK((*errors)[0].where.line == c.line);
        CHECK(icontains((*errors)[0].message, c.key));
    }
}

TEST_CASE("experiment names outside [A-Za-z0-9_.-]+ are refused at the value") {
    for (const char* name : {"\"two words\"", "a/b", "\"semi;colon\"", "\"\"", "caf\xc3\xa9"}) {
        INFO(std::string(name));
        const auto errors = text_errors(std::string("experiment: ") + name + "\n" + kGoodTail);
        REQUIRE(errors.has_value());
        INFO(describe(*errors));
        CHECK(errors->size() == 1);
        CHECK(one_error_at(*errors, 1, 13, {"experiment"}));
    }
}

TEST_CASE("bad parameter values: wrong type, bad unit, out of range, each at the value naming the key") {
    struct Case {
        const char* line;  // under a stream workload
        const char* key;
        int column;
    };
    const Case cases[] = {
        {"threads: two", "threads", 14},
        {"threads: 0", "threads", 14},
        {"threads: 1.5", "threads", 14},
        {"ntimes: 1001", "ntimes", 13},
        {"nontemporal: maybe", "nontemporal", 18},
        {"scalar: pi", "scalar", 13},
        {"array_size: 10 GiB", "array_size", 17},
        {"array_size: 0", "array_size", 17},
        {"array_size: -5", "array_size", 17},
        {"array_bytes: 4", "array_bytes", 18},
        {"array_bytes: 3 parsecs", "array_bytes", 18},
        {"threads: {a: 1}", "threads", 14},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.line));
        const auto errors = text_errors(std::string("experiment: x\nplatforms:\n  - plugin: native\n"
                                                    "workloads:\n  - plugin: stream\n    ") +
                                        c.line + "\n");
        REQUIRE(errors.has_value());
        INFO(describe(*errors));
        CHECK(errors->size() == 1);
        CHECK(one_error_at(*errors, 6, c.column, {c.key}));
    }
}

TEST_CASE("bad platform settings: each at the value naming the key") {
    struct Case {
        const char* line;  // under a native platform
        const char* key;
        int column;
    };
    const Case cases[] = {
        {"memory: 1KiB", "memory", 13},   {"memory: lots", "memory", 13}, {"cpus: 0.001", "cpus", 11},
        {"cpus: many", "cpus", 11},       {"cpuset: \"3-1\"", "cpuset", 13}, {"cpuset: \"a,b\"", "cpuset", 13},
        {"cpuset: \"0-70000\"", "cpuset", 13},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.line));
        const auto errors = text_errors(std::string("experiment: x\nplatforms:\n  - plugin: native\n    ") + c.line +
                                        "\nworkloads:\n  - plugin: stream\n");
        REQUIRE(errors.has_value());
        INFO(describe(*errors));
        CHECK(errors->size() == 1);
        CHECK(one_error_at(*errors, 4, c.column, {c.key}));
    }
}

TEST_CASE("a bad element of a list is reported at that element") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: native\n"
        "    memory: [1GiB, 2 bananas, 4GiB]\n"
        "workloads:\n"
        "  - plugin: stream\n"
        "    threads:\n"
        "      - 1\n"
        "      - 0\n"
        "      - 4\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 2);
    CHECK(one_error_at(*errors, 4, 20, {"memory"}));
    CHECK(one_error_at(*errors, 9, 9, {"threads"}));
}

TEST_CASE("an empty parameter list is an error at the list: a dimension of size zero empties the matrix") {
    const auto errors = text_errors(std::string("experiment: x\nplatforms:\n  - plugin: native\n    memory: []\n") +
                                    "workloads:\n  - plugin: stream\n    threads: []\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 2);
    CHECK(one_error_at(*errors, 4, 13, {"empty"}));
    CHECK(one_error_at(*errors, 7, 14, {"empty"}));
}

TEST_CASE("empty platforms or workloads lists are errors mentioning empty") {
    {
        const auto errors = text_errors("experiment: x\nplatforms: []\nworkloads:\n  - plugin: stream\n");
        REQUIRE(errors.has_value());
        INFO(describe(*errors));
        REQUIRE(errors->size() == 1);
        CHECK(one_error_at(*errors, 2, 12, {"empty"}));
    }
    {
        const auto errors = text_errors("experiment: x\nplatforms:\n  - plugin: native\nworkloads: []\n");
        REQUIRE(errors.has_value());
        INFO(describe(*errors));
        REQUIRE(errors->size() == 1);
        CHECK(one_error_at(*errors, 4, 12, {"empty"}));
    }
}

TEST_CASE("duplicate values in one list are an error mentioning duplicate") {
    struct Case {
        const char* line;
        int column;  // of the repeated value
    };
    const Case cases[] = {
        {"threads: [1, 2, 1]", 21},
        {"nontemporal: [true, false, true]", 32},
        {"array_size: [1M, 1M]", 22},
        // The same value spelt differently is the same value.
        {"array_size: [1M, 1000k]", 22},
        {"nontemporal: [false, no]", 26},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.line));
        const auto errors = text_errors(std::string("experiment: x\nplatforms:\n  - plugin: native\n"
                                                    "workloads:\n  - plugin: stream\n    ") +
                                        c.line + "\n");
        REQUIRE(errors.has_value());
        INFO(describe(*errors));
        CHECK(errors->size() == 1);
        CHECK(one_error_at(*errors, 6, c.column, {"duplicate"}));
    }
}

TEST_CASE("duplicate instance names: explicit names, and a name equal to another entry's default") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: native\n"
        "    name: box\n"
        "  - plugin: native\n"
        "    name: box\n"
        "workloads:\n"
        "  - plugin: stream\n"
        "  - plugin: stream\n"
        "    name: other\n"
        "  - name: stream\n"
        "    plugin: stream\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 2);
    CHECK(one_error_at(*errors, 5, 5, {"duplicate", "box"}));
    CHECK(one_error_at(*errors, 11, 5, {"duplicate", "stream"}));
}

TEST_CASE("the same instance name in platforms and in workloads is allowed") {
    auto registry = registry_with_test_plugins();
    const ExperimentConfig config = platbench::load_experiment_text(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: native\n"
        "    name: same\n"
        "workloads:\n"
        "  - plugin: stream\n"
        "    name: same\n",
        "inline.yaml", kConfigDir, *registry);
    REQUIRE(config.platforms.size() == 1);
    REQUIRE(config.workloads.size() == 1);
    CHECK(config.platforms[0].name == "same");
    CHECK(config.workloads[0].name == "same");
}

TEST_CASE("duplicate map keys at every level are errors at the second key") {
    const auto errors = text_errors(
        "experiment: x\n"
        "experiment: y\n"
        "platforms:\n"
        "  - plugin: native\n"
        "    memory: 1GiB\n"
        "    memory: 2GiB\n"
        "workloads:\n"
        "  - plugin: stream\n"
        "    plugin: stream\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 3);
    CHECK(one_error_at(*errors, 2, 1, {"duplicate"}));
    CHECK(one_error_at(*errors, 6, 5, {"duplicate"}));
    CHECK(one_error_at(*errors, 9, 5, {"duplicate"}));
}

TEST_CASE("an entry that is not a map, and an entry without plugin:, are errors at the entry") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - native\n"
        "workloads:\n"
        "  - threads: 2\n"
        "    name: orphan\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 2);
    CHECK(errors_at(*errors, 3, 5).size() == 1);
    CHECK(one_error_at(*errors, 5, 5, {"plugin"}));
}

TEST_CASE("plugin: and name: must be text") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: [native]\n"
        "workloads:\n"
        "  - plugin: stream\n"
        "    name: {a: 1}\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 2);
    CHECK(errors_at(*errors, 3, 13).size() == 1);
    CHECK(one_error_at(*errors, 6, 11, {"name"}));
}

TEST_CASE("a choice parameter refuses values outside its choices, naming the parameter") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: lanes\n"
        "    mode: sideways\n"
        "workloads:\n"
        "  - plugin: ranged\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(one_error_at(*errors, 4, 11, {"mode"}));
}

TEST_CASE("workload validate() runs for every combination of the instance's list values") {
    // All four combinations of low x high have low > high: four errors, all at the entry.
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: lanes\n"
        "workloads:\n"
        "  - plugin: ranged\n"
        "    low: [30, 40]\n"
        "    high: [10, 20]\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 4);
    for (const auto& e : *errors) {
        CHECK(e.where.line == 5);
        CHECK(e.where.column == 5);
        CHECK(icontains(e.message, "exceeds high"));
    }
    for (const char* combo : {"low 30 exceeds high 10", "low 30 exceeds high 20", "low 40 exceeds high 10",
                              "low 40 exceeds high 20"}) {
        INFO(std::string(combo));
        CHECK(std::count_if(errors->begin(), errors->end(),
                            [&](const ConfigError& e) { return contains(e.message, combo); }) == 1);
    }
}

TEST_CASE("workload validate() reports only the failing combinations") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: lanes\n"
        "workloads:\n"
        "  - plugin: ranged\n"
        "    name: first\n"
        "  - plugin: ranged\n"
        "    name: second\n"
        "    low: [1, 2, 3]\n"
        "    high: 2\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(one_error_at(*errors, 7, 5, {"low 3 exceeds high 2"}));
}

TEST_CASE("validate() sees the defaults written in") {
    // high is not given: its default 100 applies, so low 500 fails and low 5 passes.
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: lanes\n"
        "workloads:\n"
        "  - plugin: ranged\n"
        "    low: [5, 500]\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(one_error_at(*errors, 5, 5, {"low 500 exceeds high 100"}));
}

TEST_CASE("stream's validate(): scalar 0 cannot be checked with the default ntimes") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: native\n"
        "workloads:\n"
        "  - plugin: stream\n"
        "    scalar: 0\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(one_error_at(*errors, 5, 5, {"scalar=0"}));
}

TEST_CASE("stream's validate(): array_size and array_bytes are exclusive") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: native\n"
        "workloads:\n"
        "  - plugin: stream\n"
        "    array_size: 1M\n"
        "    array_bytes: 8MiB\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(one_error_at(*errors, 5, 5, {"array_size", "array_bytes"}));
}

TEST_CASE("stream's validate(): ntimes 1000 overflows the check with scalar 3, ntimes 10 does not") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: native\n"
        "workloads:\n"
        "  - plugin: stream\n"
        "    ntimes: [10, 1000]\n"
        "    scalar: 3\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(one_error_at(*errors, 5, 5, {"ntimes=1000"}));
}

TEST_CASE("platform validate() runs per combination and reports at the platform entry") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: lanes\n"
        "    name: ok\n"
        "  - plugin: lanes\n"
        "    name: crowded\n"
        "    mode: [fast, slow]\n"
        "    lanes: [2, 8]\n"
        "workloads:\n"
        "  - plugin: ranged\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK(one_error_at(*errors, 5, 5, {"at most 4 lanes, not 8"}));
}

TEST_CASE("validate() of every instance runs: errors of two entries in both lists are all reported") {
    const auto errors = text_errors(
        "experiment: x\n"
        "platforms:\n"
        "  - plugin: lanes\n"
        "    mode: slow\n"
        "    lanes: 16\n"
        "workloads:\n"
        "  - plugin: ranged\n"
        "    low: 7\n"
        "    high: 6\n"
        "  - plugin: stream\n"
        "    scalar: 0\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 3);
    CHECK(one_error_at(*errors, 3, 5, {"at most 4 lanes"}));
    CHECK(one_error_at(*errors, 7, 5, {"low 7 exceeds high 6"}));
    CHECK(one_error_at(*errors, 10, 5, {"scalar=0"}));
}

TEST_CASE("several independent errors are collected, none lost") {
    const auto errors = text_errors(
        "experiment: \"bad name\"\n"      // 1:13
        "repetitions: 0\n"                // 2:14
        "warmup: x\n"                     // 3:9
        "timeout: forever\n"              // 4:10
        "extra: 1\n"                      // 5:1
        "platforms:\n"
        "  - plugin: native\n"
        "    cpus: -1\n"                  // 8:11
        "    cpuset: \"0-\"\n"            // 9:13
        "workloads:\n"
        "  - plugin: stream\n"
        "    threads: [1, zero]\n"        // 12:18
        "    ntimes: 1\n"                 // 13:13
        "    array_sise: 1M\n"            // 14:5
        "  - plugin: nope\n");            // 15:13
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    CHECK(errors->size() == 11);
    CHECK(one_error_at(*errors, 1, 13, {"experiment"}));
    CHECK(one_error_at(*errors, 2, 14, {"repetitions"}));
    CHECK(one_error_at(*errors, 3, 9, {"warmup"}));
    CHECK(one_error_at(*errors, 4, 10, {"timeout"}));
    CHECK(one_error_at(*errors, 5, 1, {"extra", "unknown"}));
    CHECK(one_error_at(*errors, 8, 11, {"cpus"}));
    CHECK(one_error_at(*errors, 9, 13, {"cpuset"}));
    CHECK(one_error_at(*errors, 12, 18, {"threads"}));
    CHECK(one_error_at(*errors, 13, 13, {"ntimes"}));
    CHECK(one_error_at(*errors, 14, 5, {"array_sise", "unknown"}));
    CHECK(one_error_at(*errors, 15, 13, {"nope"}));
}

TEST_CASE("malformed YAML is one error at the parser's position mentioning YAML") {
    const auto errors = text_errors("experiment: x\nplatforms: [native\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    const auto& e = (*errors)[0];
    CHECK(icontains(e.message, "yaml"));
    CHECK(e.where.file == "inline.yaml");
    CHECK(e.where.line >= 2);
    CHECK(e.where.column >= 1);
}

TEST_CASE("malformed YAML: bad indentation reports line and column of the parser") {
    const auto errors = text_errors("experiment: x\n  repetitions: 3\n");
    REQUIRE(errors.has_value());
    INFO(describe(*errors));
    REQUIRE(errors->size() == 1);
    CHECK((*errors)[0].where.line == 2);
    CHECK((*errors)[0].where.column == 14);
    CHECK(icontains((*errors)[0].message, "yaml"));
}

TEST_CASE("errors of load_experiment name the file as given") {
    const fs::path file = kConfigDir / "bad_unknown_key.yaml";
    const auto errors = file_errors(file);
    REQUIRE(errors.has_value());
    REQUIRE_FALSE(errors->empty());
    for (const auto& e : *errors) CHECK(e.where.file == file.string());
}

TEST_CASE("ConfigErrors is a std::runtime_error carrying its errors") {
    auto registry = registry_with_test_plugins();
    try {
        platbench::load_experiment_text("experiment: x\n", "inline.yaml", kConfigDir, *registry);
        FAIL("accepted a file without platforms and workloads");
    } catch (const std::runtime_error& e) {
        const auto* errors = dynamic_cast<const ConfigErrors*>(&e);
        REQUIRE(errors != nullptr);
        CHECK(errors->errors().size() == 2);
    }
}

TEST_CASE("a file that does not exist is refused") {
    auto registry = registry_with_test_plugins();
    try {
        platbench::load_experiment(kConfigDir / "no-such-file.yaml", *registry);
        FAIL("a missing file was loaded");
    } catch (const ConfigErrors& e) {
        REQUIRE(e.errors().size() == 1);
        CHECK(e.errors()[0].where.file == (kConfigDir / "no-such-file.yaml").string());
        CHECK(e.errors()[0].message == "cannot read the experiment file");
        CHECK(e.errors()[0].hint == "check the path and permissions");
    }
}

// ---------------------------------------------------------------------------
// format_config_errors

TEST_CASE("format_config_errors: file:line:column: error: message, then the hint on its own line") {
    std::vector<ConfigError> errors;
    errors.push_back({{"exp.yaml", 7, 5}, "unknown key 'aray_size'", "did you mean 'array_size'?"});
    errors.push_back({{"exp.yaml", 12, 13}, "repetitions must be at least 1", ""});
    const std::string text = platbench::format_config_errors(errors);
    INFO(std::string(text));
    const auto first = text.find("exp.yaml:7:5: error: unknown key 'aray_size'");
    const auto hint = text.find("\n  hint: did you mean 'array_size'?");
    const auto second = text.find("exp.yaml:12:13: error: repetitions must be at least 1");
    REQUIRE(first != std::string::npos);
    REQUIRE(hint != std::string::npos);
    REQUIRE(second != std::string::npos);
    CHECK(first < hint);
    CHECK(hint < second);
    // Only the error with a hint has a hint line.
    CHECK(text.find("hint:") == text.rfind("hint:"));
    // The second error starts a line of its own.
    CHECK(text[second - 1] == '\n');
}

TEST_CASE("format_config_errors: an error without a hint has no hint line") {
    const std::string text = platbench::format_config_errors({{{"a.yaml", 1, 1}, "missing key 'experiment'", ""}});
    CHECK(contains(text, "a.yaml:1:1: error: missing key 'experiment'"));
    CHECK_FALSE(contains(text, "hint"));
}

TEST_CASE("format_config_errors of a real load names file, line, column and the hint") {
    const fs::path file = kConfigDir / "bad_unknown_key.yaml";
    const auto errors = file_errors(file);
    REQUIRE(errors.has_value());
    const std::string text = platbench::format_config_errors(*errors);
    INFO(std::string(text));
    CHECK(contains(text, file.string() + ":13:5: error: "));
    CHECK(contains(text, file.string() + ":7:1: error: "));
    CHECK(contains(text, "  hint: "));
    CHECK(contains(text, "array_size"));
    CHECK(contains(text, "repetitions"));
}

// ---------------------------------------------------------------------------
// did_you_mean

TEST_CASE("did_you_mean picks the closest choice") {
    const std::vector<std::string> stream_keys = {"plugin", "name",   "array_size", "array_bytes",
                                                  "ntimes", "threads", "nontemporal", "scalar"};
    CHECK(platbench::did_you_mean("aray_size", stream_keys) == "array_size");
    CHECK(platbench::did_you_mean("array_byte", stream_keys) == "array_bytes");
    CHECK(platbench::did_you_mean("treads", stream_keys) == "threads");
    CHECK(platbench::did_you_mean("ntime", stream_keys) == "ntimes");
    CHECK(platbench::did_you_mean("nontemporl", stream_keys) == "nontemporal");
    CHECK(platbench::did_you_mean("plugins", stream_keys) == "plugin");
    const std::vector<std::string> top_keys = {"experiment", "description", "repetitions", "warmup", "output",
                                               "timeout",    "plugin_path", "platforms",   "workloads"};
    CHECK(platbench::did_you_mean("repetitons", top_keys) == "repetitions");
    CHECK(platbench::did_you_mean("workload", top_keys) == "workloads");
    CHECK(platbench::did_you_mean("platform", top_keys) == "platforms");
    CHECK(platbench::did_you_mean("timout", top_keys) == "timeout");
    CHECK(platbench::did_you_mean("experimnet", top_keys) == "experiment");
}

TEST_CASE("did_you_mean returns nothing when no choice is close") {
    CHECK(platbench::did_you_mean("xyzzy", {"array_size", "threads"}) == "");
    CHECK(platbench::did_you_mean("completely_different", {"ntimes", "scalar"}) == "");
    CHECK(platbench::did_you_mean("anything", {}) == "");
}

TEST_CASE("did_you_mean of an exact choice is that choice") {
    CHECK(platbench::did_you_mean("threads", {"array_size", "threads"}) == "threads");
}
