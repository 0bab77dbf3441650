// Experiment files that are valid: defaults, units, lists, plugin_path, file hash,
// and the experiment files shipped in configs/.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "config_test_data.hpp"
#include "config/experiment.hpp"
#include "plugin/registry.hpp"

namespace fs = std::filesystem;
using platbench::ConfigErrors;
using platbench::ExperimentConfig;
using platbench::ParamSetting;
using platbench::ParamValue;
using platbench::PluginInstanceConfig;
using platbench::PluginKind;
using platbench::PluginRegistry;

namespace {

using test::kConfigDir;
using test::lower;
const fs::path kRepoConfigs = fs::path(PLATBENCH_SOURCE_DIR) / "configs";

std::unique_ptr<PluginRegistry> make_registry() {
    auto registry = std::make_unique<PluginRegistry>();
    registry->load_directory(PLATBENCH_PLUGIN_DIR);
    REQUIRE(registry->problems().empty());
    REQUIRE(registry->find(PluginKind::Platform, "native") != nullptr);
    REQUIRE(registry->find(PluginKind::Workload, "stream") != nullptr);
    return registry;
}

// Loads `text`; on ConfigErrors, fails the test showing every error.
ExperimentConfig load_text(const std::string& text, PluginRegistry& registry, const fs::path& base_dir = kConfigDir) {
    try {
        return platbench::load_experiment_text(text, "inline.yaml", base_dir, registry);
    } catch (const ConfigErrors& e) {
        FAIL("unexpected configuration errors:\n", platbench::format_config_errors(e.errors()));
    }
    return {};
}

ExperimentConfig load_file(const fs::path& file, PluginRegistry& registry) {
    try {
        return platbench::load_experiment(file, registry);
    } catch (const ConfigErrors& e) {
        FAIL("unexpected configuration errors in ", file.string(), ":\n",
             platbench::format_config_errors(e.errors()));
    }
    return {};
}

const ParamSetting* setting(const PluginInstanceConfig& instance, const std::string& name) {
    for (const auto& s : instance.settings) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

std::vector<std::string> setting_names(const PluginInstanceConfig& instance) {
    std::vector<std::string> names;
    for (const auto& s : instance.settings) names.push_back(s.name);
    return names;
}

std::int64_t as_int(const ParamValue& v) {
    REQUIRE(std::holds_alternative<std::int64_t>(v));
    return std::get<std::int64_t>(v);
}

double as_real(const ParamValue& v) {
    REQUIRE(std::holds_alternative<double>(v));
    return std::get<double>(v);
}

bool as_bool(const ParamValue& v) {
    REQUIRE(std::holds_alternative<bool>(v));
    return std::get<bool>(v);
}

std::string as_text(const ParamValue& v) {
    REQUIRE(std::holds_alternative<std::string>(v));
    return std::get<std::string>(v);
}

bool is_hex_sha256(const std::string& text) {
    return text.size() == 64 &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("platbench-config-test-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void write_file(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

std::string with_workload_params(const std::string& params) {
    return "experiment: units\nplatforms:\n  - plugin: native\nworkloads:\n  - plugin: stream\n" + params;
}

}  // namespace

// ---------------------------------------------------------------------------
// Top-level keys and their defaults.

TEST_CASE("a file with only the required keys gets every default") {
    auto registry = make_registry();
    const fs::path file = kConfigDir / "good_minimal.yaml";
    const ExperimentConfig config = load_file(file, *registry);
    CHECK(config.file == file);
    CHECK(config.name == "minimal");
    CHECK(config.description.empty());
    CHECK(config.repetitions == 3);
    CHECK(config.warmup == 0);
    CHECK(config.output_dir == fs::path("results/minimal"));
    CHECK(config.timeout_seconds == doctest::Approx(600));
    CHECK(config.plugin_path.empty());
    REQUIRE(config.platforms.size() == 1);
    REQUIRE(config.workloads.size() == 1);
    CHECK(config.platforms[0].name == "native");
    CHECK(config.workloads[0].name == "stream");
    CHECK(config.platforms[0].plugin == registry->find(PluginKind::Platform, "native"));
    CHECK(config.workloads[0].plugin == registry->find(PluginKind::Workload, "stream"));
    // Only what the user gave: nothing here.
    CHECK(config.platforms[0].settings.empty());
    CHECK(config.workloads[0].settings.empty());
}

TEST_CASE("a file with every top-level key: values as written") {
    auto registry = make_registry();
    const fs::path file = kConfigDir / "good_full.yaml";
    const ExperimentConfig config = load_file(file, *registry);
    CHECK(config.name == "full.example_1-2");
    CHECK(config.description == "every key of an experiment file");
    CHECK(config.repetitions == 2);
    CHECK(config.warmup == 1);
    CHECK(config.output_dir == fs::path("out/full"));
    CHECK(config.timeout_seconds == doctest::Approx(90));
    CHECK(config.plugin_path.empty());
    REQUIRE(config.platforms.size() == 2);
    REQUIRE(config.workloads.size() == 2);
    CHECK(config.platforms[0].name == "free");
    CHECK(config.platforms[1].name == "limited");
    CHECK(config.workloads[0].name == "small");
    CHECK(config.workloads[1].name == "sized");
    for (const auto& p : config.platforms) CHECK(p.plugin == registry->find(PluginKind::Platform, "native"));
    for (const auto& w : config.workloads) CHECK(w.plugin == registry->find(PluginKind::Workload, "stream"));
}

TEST_CASE("instance settings: user-given only, in file order, parsed, with their texts and list flag") {
    auto registry = make_registry();
    const ExperimentConfig config = load_file(kConfigDir / "good_full.yaml", *registry);
    REQUIRE(config.platforms.size() == 2);
    REQUIRE(config.workloads.size() == 2);

    CHECK(config.platforms[0].settings.empty());
    CHECK(setting_names(config.platforms[1]) == std::vector<std::string>{"cpuset", "memory"});
    CHECK(setting_names(config.workloads[0]) == std::vector<std::string>{"array_size", "ntimes", "nontemporal"});
    CHECK(setting_names(config.workloads[1]) == std::vector<std::string>{"array_bytes", "threads", "scalar"});

    const ParamSetting* cpuset = setting(config.platforms[1], "cpuset");
    REQUIRE(cpuset != nullptr);
    CHECK_FALSE(cpuset->is_list);
    REQUIRE(cpuset->values.size() == 1);
    CHECK(as_text(cpuset->values[0]) == "0");
    CHECK(cpuset->texts == std::vector<std::string>{"0"});

    const ParamSetting* memory = setting(config.platforms[1], "memory");
    REQUIRE(memory != nullptr);
    CHECK(memory->is_list);
    REQUIRE(memory->values.size() == 2);
    CHECK(as_int(memory->values[0]) == 268435456);   // 256MiB
    CHECK(as_int(memory->values[1]) == 2000000000);  // 2GB
    CHECK(memory->texts == std::vector<std::string>{"256MiB", "2GB"});

    const ParamSetting* array_size = setting(config.workloads[0], "array_size");
    REQUIRE(array_size != nullptr);
    CHECK_FALSE(array_size->is_list);
    REQUIRE(array_size->values.size() == 1);
    CHECK(as_int(array_size->values[0]) == 80000000);  // 80M
    CHECK(array_size->texts == std::vector<std::string>{"80M"});

    const ParamSetting* ntimes = setting(config.workloads[0], "ntimes");
    REQUIRE(ntimes != nullptr);
    REQUIRE(ntimes->values.size() == 1);
    CHECK(as_int(ntimes->values[0]) == 5);

    const ParamSetting* nontemporal = setting(config.workloads[0], "nontemporal");
    REQUIRE(nontemporal != nullptr);
    CHECK(nontemporal->is_list);
    REQUIRE(nontemporal->values.size() == 2);
    CHECK(as_bool(nontemporal->values[0]) == false);
    CHECK(as_bool(nontemporal->values[1]) == true);
    CHECK(nontemporal->texts == std::vector<std::string>{"false", "true"});

    const ParamSetting* array_bytes = setting(config.workloads[1], "array_bytes");
    REQUIRE(array_bytes != nullptr);
    REQUIRE(array_bytes->values.size() == 1);
    CHECK(as_int(array_bytes->values[0]) == 1073741824);  // 1GiB

    const ParamSetting* threads = setting(config.workloads[1], "threads");
    REQUIRE(threads != nullptr);
    CHECK(threads->is_list);
    REQUIRE(threads->values.size() == 3);
    CHECK(as_int(threads->values[0]) == 1);
    CHECK(as_int(threads->values[1]) == 2);
    CHECK(as_int(threads->values[2]) == 4);
    CHECK(threads->texts == std::vector<std::string>{"1", "2", "4"});

    const ParamSetting* scalar = setting(config.workloads[1], "scalar");
    REQUIRE(scalar != nullptr);
    REQUIRE(scalar->values.size() == 1);
    CHECK(as_real(scalar->values[0]) == doctest::Approx(2.5));
}

TEST_CASE("instances and settings remember where they were written") {
    auto registry = make_registry();
    const ExperimentConfig config = load_file(kConfigDir / "good_full.yaml", *registry);
    REQUIRE(config.platforms.size() == 2);
    REQUIRE(config.workloads.size() == 2);
    // The entries: "  - plugin: ..." at lines 10, 12, 18 and 23, column 5 (their first key).
    CHECK(config.platforms[0].where.line == 10);
    CHECK(config.platforms[0].where.column == 5);
    CHECK(config.platforms[1].where.line == 12);
    CHECK(config.platforms[1].where.column == 5);
    CHECK(config.workloads[0].where.line == 18);
    CHECK(config.workloads[1].where.line == 23);
    CHECK(config.workloads[1].where.column == 5);
    const ParamSetting* memory = setting(config.platforms[1], "memory");
    REQUIRE(memory != nullptr);
    CHECK(memory->where.line == 15);
    const ParamSetting* threads = setting(config.workloads[1], "threads");
    REQUIRE(threads != nullptr);
    CHECK(threads->where.line == 26);
    CHECK(fs::path(threads->where.file).filename() == "good_full.yaml");
}

TEST_CASE("timeout accepts the duration units") {
    struct Case {
        const char* text;
        double seconds;
    };
    const Case cases[] = {{"5m", 300}, {"90s", 90}, {"45", 45}, {"1h", 3600}, {"1.5h", 5400},
                          {"500ms", 0.5}, {"2.5", 2.5}, {"10m", 600}};
    for (const Case& c : cases) {
        INFO(std::string(c.text));
        auto registry = make_registry();
        const ExperimentConfig config = load_text(
            std::string("experiment: t\ntimeout: ") + c.text +
                "\nplatforms:\n  - plugin: native\nworkloads:\n  - plugin: stream\n",
            *registry);
        CHECK(config.timeout_seconds == doctest::Approx(c.seconds));
    }
}

TEST_CASE("repetitions 1 and warmup 0 are the smallest allowed") {
    auto registry = make_registry();
    const ExperimentConfig config = load_text(
        "experiment: smallest\nrepetitions: 1\nwarmup: 0\nplatforms:\n  - plugin: native\nworkloads:\n"
        "  - plugin: stream\n",
        *registry);
    CHECK(config.repetitions == 1);
    CHECK(config.warmup == 0);
}

TEST_CASE("experiment names may use letters, digits, dot, dash and underscore") {
    for (const char* name : {"a", "A.b-c_9", "2024-06-01.run_3", "___", "x.y.z"}) {
        INFO(std::string(name));
        auto registry = make_registry();
        const ExperimentConfig config = load_text(
            std::string("experiment: ") + name + "\nplatforms:\n  - plugin: native\nworkloads:\n  - plugin: stream\n",
            *registry);
        CHECK(config.name == name);
        CHECK(config.output_dir == fs::path("results") / name);
    }
}

TEST_CASE("instance names default to the plugin name, given names are kept") {
    auto registry = make_registry();
    const ExperimentConfig config = load_text(
        "experiment: names\n"
        "platforms:\n"
        "  - plugin: native\n"
        "  - name: pinned\n"
        "    plugin: native\n"
        "    cpuset: \"0\"\n"
        "workloads:\n"
        "  - plugin: stream\n"
        "    name: copy_heavy\n"
        "  - plugin: stream\n",
        *registry);
    REQUIRE(config.platforms.size() == 2);
    REQUIRE(config.workloads.size() == 2);
    CHECK(config.platforms[0].name == "native");
    CHECK(config.platforms[1].name == "pinned");
    CHECK(config.workloads[0].name == "copy_heavy");
    CHECK(config.workloads[1].name == "stream");
    // name: and plugin: are not parameters.
    CHECK(setting_names(config.platforms[1]) == std::vector<std::string>{"cpuset"});
    CHECK(config.workloads[0].settings.empty());
}

// ---------------------------------------------------------------------------
// Units and value spellings.

TEST_CASE("sizes: 1024-based and 1000-based suffixes give the right byte counts") {
    auto registry = make_registry();
    const ExperimentConfig config = load_text(
        with_workload_params("    array_bytes: [256MiB, 2GB, 64KiB, 128K, 64kB, 4096, 1G, 512M, 1.5GiB, 1TB, 256MB]\n"),
        *registry);
    REQUIRE(config.workloads.size() == 1);
    const ParamSetting* bytes = setting(config.workloads[0], "array_bytes");
    REQUIRE(bytes != nullptr);
    CHECK(bytes->is_list);
    const std::vector<std::int64_t> expected = {268435456,  2000000000,    65536,        131072,
                                                64000,      4096,          1073741824,   536870912,
                                                1610612736, 1000000000000, 256000000};
    REQUIRE(bytes->values.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO(bytes->texts.at(i));
        CHECK(as_int(bytes->values[i]) == expected[i]);
    }
    CHECK(bytes->texts == std::vector<std::string>{"256MiB", "2GB", "64KiB", "128K", "64kB", "4096", "1G", "512M",
                                                   "1.5GiB", "1TB", "256MB"});
}

TEST_CASE("counts: k, M and G are 1000-based") {
    auto registry = make_registry();
    const ExperimentConfig config =
        load_text(with_workload_params("    array_size: [80M, 10k, 1G, 1000, 2.5M, 40M]\n"), *registry);
    const ParamSetting* size = setting(config.workloads.at(0), "array_size");
    REQUIRE(size != nullptr);
    const std::vector<std::int64_t> expected = {80000000, 10000, 1000000000, 1000, 2500000, 40000000};
    REQUIRE(size->values.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO(size->texts.at(i));
        CHECK(as_int(size->values[i]) == expected[i]);
    }
}

TEST_CASE("a platform memory limit of 2GB is two billion bytes, 2GiB is 2^31") {
    auto registry = make_registry();
    const ExperimentConfig config = load_text(
        "experiment: mem\nplatforms:\n  - plugin: native\n    memory: 2GB\n  - plugin: native\n    name: binary\n"
        "    memory: 2GiB\nworkloads:\n  - plugin: stream\n",
        *registry);
    REQUIRE(config.platforms.size() == 2);
    const ParamSetting* decimal = setting(config.platforms[0], "memory");
    const ParamSetting* binary = setting(config.platforms[1], "memory");
    REQUIRE(decimal != nullptr);
    REQUIRE(binary != nullptr);
    CHECK(as_int(decimal->values.at(0)) == 2000000000);
    CHECK(as_int(binary->values.at(0)) == 2147483648LL);
    CHECK_FALSE(decimal->is_list);
}

TEST_CASE("booleans accept true/false, yes/no, on/off and keep their texts as written") {
    auto registry = make_registry();
    const ExperimentConfig config = load_text(
        "experiment: bools\nplatforms:\n  - plugin: native\nworkloads:\n"
        "  - plugin: stream\n    name: a\n    nontemporal: [no, yes]\n"
        "  - plugin: stream\n    name: b\n    nontemporal: on\n"
        "  - plugin: stream\n    name: c\n    nontemporal: off\n",
        *registry);
    REQUIRE(config.workloads.size() == 3);
    const ParamSetting* a = setting(config.workloads[0], "nontemporal");
    REQUIRE(a != nullptr);
    REQUIRE(a->values.size() == 2);
    CHECK(as_bool(a->values[0]) == false);
    CHECK(as_bool(a->values[1]) == true);
    CHECK(a->texts == std::vector<std::string>{"no", "yes"});
    CHECK(as_bool(setting(config.workloads[1], "nontemporal")->values.at(0)) == true);
    CHECK(as_bool(setting(config.workloads[2], "nontemporal")->values.at(0)) == false);
}

TEST_CASE("CPU lists are canonicalised in the value, kept as written in the text") {
    auto registry = make_registry();
    const ExperimentConfig config = load_text(
        "experiment: cpus\nplatforms:\n  - plugin: native\n    cpuset: [\"3,0-2\", \"0,2,4-7\"]\n"
        "    cpus: 1.5\nworkloads:\n  - plugin: stream\n",
        *registry);
    const ParamSetting* cpuset = setting(config.platforms.at(0), "cpuset");
    REQUIRE(cpuset != nullptr);
    CHECK(cpuset->is_list);
    REQUIRE(cpuset->values.size() == 2);
    CHECK(as_text(cpuset->values[0]) == "0-3");
    CHECK(as_text(cpuset->values[1]) == "0,2,4-7");
    CHECK(cpuset->texts == std::vector<std::string>{"3,0-2", "0,2,4-7"});
    const ParamSetting* cpus = setting(config.platforms.at(0), "cpus");
    REQUIRE(cpus != nullptr);
    CHECK(as_real(cpus->values.at(0)) == doctest::Approx(1.5));
}

TEST_CASE("a one-element list is still a matrix dimension") {
    auto registry = make_registry();
    const ExperimentConfig config = load_text(with_workload_params("    threads: [4]\n    ntimes: 7\n"), *registry);
    const ParamSetting* threads = setting(config.workloads.at(0), "threads");
    const ParamSetting* ntimes = setting(config.workloads.at(0), "ntimes");
    REQUIRE(threads != nullptr);
    REQUIRE(ntimes != nullptr);
    CHECK(threads->is_list);
    CHECK(threads->values.size() == 1);
    CHECK(as_int(threads->values.at(0)) == 4);
    CHECK_FALSE(ntimes->is_list);
    CHECK(as_int(ntimes->values.at(0)) == 7);
}

TEST_CASE("block-style lists are lists too") {
    auto registry = make_registry();
    const ExperimentConfig config = load_text(
        "experiment: block\n"
        "platforms:\n"
        "  - plugin: native\n"
        "workloads:\n"
        "  - plugin: stream\n"
        "    threads:\n"
        "      - 1\n"
        "      - 8\n",
        *registry);
    const ParamSetting* threads = setting(config.workloads.at(0), "threads");
    REQUIRE(threads != nullptr);
    CHECK(threads->is_list);
    REQUIRE(threads->values.size() == 2);
    CHECK(as_int(threads->values[1]) == 8);
    CHECK(threads->texts == std::vector<std::string>{"1", "8"});
}

// ---------------------------------------------------------------------------
// plugin_path

TEST_CASE("plugin_path: an absolute directory as a string loads its plugins before resolving") {
    auto registry = make_registry();
    CHECK(registry->find(PluginKind::Workload, "echo") == nullptr);
    const ExperimentConfig config = load_text(
        std::string("experiment: echo\nplugin_path: ") + PLATBENCH_TEST_PLUGIN_DIR +
            "\nplatforms:\n  - plugin: native\nworkloads:\n  - plugin: echo\n    sleep: [500ms, 2m, 1.5]\n"
            "    value: 2.5\n    message: hello world\n",
        *registry);
    REQUIRE(config.plugin_path.size() == 1);
    CHECK(config.plugin_path[0].is_absolute());
    CHECK(fs::equivalent(config.plugin_path[0], PLATBENCH_TEST_PLUGIN_DIR));
    const auto* echo = registry->find(PluginKind::Workload, "echo");
    REQUIRE(echo != nullptr);
    REQUIRE(config.workloads.size() == 1);
    CHECK(config.workloads[0].plugin == echo);
    CHECK(config.workloads[0].name == "echo");
    const ParamSetting* sleep = setting(config.workloads[0], "sleep");
    REQUIRE(sleep != nullptr);
    REQUIRE(sleep->values.size() == 3);
    CHECK(as_real(sleep->values[0]) == doctest::Approx(0.5));
    CHECK(as_real(sleep->values[1]) == doctest::Approx(120));
    CHECK(as_real(sleep->values[2]) == doctest::Approx(1.5));
    CHECK(as_real(setting(config.workloads[0], "value")->values.at(0)) == doctest::Approx(2.5));
    CHECK(as_text(setting(config.workloads[0], "message")->values.at(0)) == "hello world");
}

TEST_CASE("plugin_path: a list of absolute directories, a platform plugin with a choice parameter") {
    auto registry = make_registry();
    const ExperimentConfig config = load_text(
        std::string("experiment: mock\nplugin_path: [") + PLATBENCH_TEST_PLUGIN_DIR + ", " +
            PLATBENCH_MOCK_PLUGIN_DIR +
            "]\nplatforms:\n  - plugin: scripted\n    mode: [ok, crash, declined]\nworkloads:\n  - plugin: echo\n",
        *registry);
    REQUIRE(config.plugin_path.size() == 2);
    CHECK(fs::equivalent(config.plugin_path[0], PLATBENCH_TEST_PLUGIN_DIR));
    CHECK(fs::equivalent(config.plugin_path[1], PLATBENCH_MOCK_PLUGIN_DIR));
    REQUIRE(config.platforms.size() == 1);
    CHECK(config.platforms[0].plugin == registry->find(PluginKind::Platform, "scripted"));
    const ParamSetting* mode = setting(config.platforms[0], "mode");
    REQUIRE(mode != nullptr);
    CHECK(mode->is_list);
    REQUIRE(mode->values.size() == 3);
    CHECK(as_text(mode->values[0]) == "ok");
    CHECK(as_text(mode->values[1]) == "crash");
    CHECK(as_text(mode->values[2]) == "declined");
}

TEST_CASE("plugin_path: a relative directory is resolved against the experiment file's directory") {
    const fs::path dir = scratch("relative");
    fs::create_directories(dir / "experiments");
    fs::create_directory_symlink(PLATBENCH_TEST_PLUGIN_DIR, dir / "experiments" / "my-plugins");
    const fs::path file = dir / "experiments" / "e.yaml";
    write_file(file,
               "experiment: relative\nplugin_path: [my-plugins]\nplatforms:\n  - plugin: native\n"
               "workloads:\n  - plugin: echo\n");
    // The working directory is elsewhere: only the file's directory can make this work.
    CHECK_FALSE(fs::exists(fs::current_path() / "my-plugins"));
    auto registry = make_registry();
    const ExperimentConfig config = load_file(file, *registry);
    REQUIRE(config.plugin_path.size() == 1);
    CHECK(fs::equivalent(config.plugin_path[0], dir / "experiments" / "my-plugins"));
    CHECK(config.plugin_path[0].is_absolute());
    REQUIRE(config.workloads.size() == 1);
    CHECK(config.workloads[0].plugin == registry->find(PluginKind::Workload, "echo"));
    CHECK(config.workloads[0].plugin != nullptr);
    fs::remove_all(dir);
}

TEST_CASE("plugin_path: load_experiment_text resolves relative directories against base_dir") {
    const fs::path dir = scratch("relative-text");
    fs::create_directory_symlink(PLATBENCH_TEST_PLUGIN_DIR, dir / "extra");
    auto registry = make_registry();
    const ExperimentConfig config = load_text(
        "experiment: relative\nplugin_path: extra\nplatforms:\n  - plugin: native\nworkloads:\n  - plugin: echo\n",
        *registry, dir);
    REQUIRE(config.plugin_path.size() == 1);
    CHECK(fs::equivalent(config.plugin_path[0], dir / "extra"));
    CHECK(config.workloads.at(0).plugin == registry->find(PluginKind::Workload, "echo"));
    fs::remove_all(dir);
}

TEST_CASE("plugin_path: a missing directory is an error at its entry, naming it") {
    auto registry = make_registry();
    try {
        platbench::load_experiment_text(
            "experiment: x\nplugin_path:\n  - /nonexistent/platbench-plugins\nplatforms:\n  - plugin: native\n"
            "workloads:\n  - plugin: stream\n",
            "inline.yaml", kConfigDir, *registry);
        FAIL("a missing plugin directory was accepted");
    } catch (const ConfigErrors& e) {
        INFO(platbench::format_config_errors(e.errors()));
        REQUIRE(e.errors().size() == 1);
        CHECK(e.errors()[0].where.line == 3);
        CHECK(e.errors()[0].where.column == 5);
        CHECK(e.errors()[0].message.find("/nonexistent/platbench-plugins") != std::string::npos);
    }
}

// ---------------------------------------------------------------------------
// The file hash.

TEST_CASE("file_hash is the SHA-256 of the file's bytes") {
    const fs::path dir = scratch("hash");
    const std::string text = "experiment: hashed\nplatforms:\n  - plugin: native\nworkloads:\n  - plugin: stream\n";
    write_file(dir / "a.yaml", text);
    auto registry = make_registry();
    const ExperimentConfig config = load_file(dir / "a.yaml", *registry);
    CHECK(is_hex_sha256(config.file_hash));
    // sha256sum of the bytes above.
    CHECK(lower(config.file_hash) == "d0f89a4363b74a63a3223599c238bf6887548a8fd914b28467701c5aa23bac56");
    fs::remove_all(dir);
}

TEST_CASE("file_hash: same bytes give the same hash anywhere, any changed byte changes it") {
    const fs::path dir = scratch("hash-compare");
    const std::string text = "experiment: hashed\nplatforms:\n  - plugin: native\nworkloads:\n  - plugin: stream\n";
    write_file(dir / "a.yaml", text);
    fs::create_directories(dir / "elsewhere");
    write_file(dir / "elsewhere" / "b.yaml", text);
    write_file(dir / "c.yaml", text + "# a comment\n");
    auto registry = make_registry();
    const std::string a = load_file(dir / "a.yaml", *registry).file_hash;
    const std::string b = load_file(dir / "elsewhere" / "b.yaml", *registry).file_hash;
    const std::string c = load_file(dir / "c.yaml", *registry).file_hash;
    CHECK(a == b);
    CHECK(a != c);
    CHECK(lower(c) == "667a5195772d0e5713622380c39f1951be9da8a2b71412136326ef4d94c07182");
    fs::remove_all(dir);
}

TEST_CASE("file keeps the path as given") {
    auto registry = make_registry();
    const fs::path given = kConfigDir / "." / "good_minimal.yaml";
    const ExperimentConfig config = load_file(given, *registry);
    CHECK(config.file == given);
}

// ---------------------------------------------------------------------------
// The experiment files shipped with the project.

TEST_CASE("configs/quick.yaml loads") {
    auto registry = make_registry();
    const ExperimentConfig config = load_file(kRepoConfigs / "quick.yaml", *registry);
    CHECK(config.name == "quick");
    CHECK(config.repetitions == 3);
    CHECK(config.warmup == 1);
    CHECK(config.timeout_seconds == doctest::Approx(300));
    CHECK(config.output_dir == fs::path("results/quick"));
    CHECK_FALSE(config.description.empty());
    CHECK(is_hex_sha256(config.file_hash));
    REQUIRE(config.platforms.size() == 5);
    REQUIRE(config.workloads.size() == 5);
    CHECK(config.platforms[0].name == "native");
    CHECK(config.platforms[1].name == "docker");
    CHECK(config.platforms[2].name == "podman");
    CHECK(config.platforms[3].name == "kvm");
    CHECK(config.platforms[4].name == "singularity");
    CHECK(config.workloads[0].name == "linpack");
    CHECK(config.workloads[1].name == "randomaccess");
    CHECK(config.workloads[2].name == "stream");
    CHECK(config.workloads[3].name == "blockio");
    CHECK(config.workloads[4].name == "fio");
    const ParamSetting* array_size = setting(config.workloads[2], "array_size");
    REQUIRE(array_size != nullptr);
    CHECK(as_int(array_size->values.at(0)) == 10000000);
    CHECK(array_size->texts.at(0) == "10M");
    CHECK_FALSE(array_size->is_list);
}

TEST_CASE("configs/stream-scaling.yaml loads") {
    auto registry = make_registry();
    const ExperimentConfig config = load_file(kRepoConfigs / "stream-scaling.yaml", *registry);
    CHECK(config.name == "stream-scaling");
    CHECK(config.repetitions == 5);
    CHECK(config.warmup == 1);
    CHECK(config.timeout_seconds == doctest::Approx(600));
    CHECK(config.output_dir == fs::path("results/stream-scaling"));
    REQUIRE(config.workloads.size() == 1);
    CHECK(setting_names(config.workloads[0]) == std::vector<std::string>{"array_size", "threads", "nontemporal"});
    CHECK(as_int(setting(config.workloads[0], "array_size")->values.at(0)) == 40000000);
    CHECK(setting(config.workloads[0], "threads")->is_list);
    CHECK(setting(config.workloads[0], "nontemporal")->is_list);
}

TEST_CASE("every good_*.yaml file in tests/data/configs loads") {
    std::size_t loaded = 0;
    for (const auto& entry : fs::directory_iterator(kConfigDir)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("good_", 0) != 0 || entry.path().extension() != ".yaml") continue;
        INFO(std::string(name));
        auto registry = make_registry();
        const ExperimentConfig config = load_file(entry.path(), *registry);
        CHECK_FALSE(config.platforms.empty());
        CHECK_FALSE(config.workloads.empty());
        ++loaded;
    }
    CHECK(loaded >= 2);
}

TEST_CASE("without baseline:, the first platform whose plugin declares itself bare metal is the baseline") {
    auto registry = make_registry();
    const char* kWorkloads = "workloads:\n  - plugin: stream\n";
    // native declares kPlatformBaseline; docker does not.
    CHECK(load_text(std::string("experiment: b\nplatforms:\n  - plugin: docker\n  - plugin: native\n    name: host\n"
                                "  - plugin: native\n") + kWorkloads, *registry)
              .baseline == "host");
    CHECK(load_text(std::string("experiment: b\nplatforms:\n  - plugin: docker\n") + kWorkloads, *registry)
              .baseline.empty());
    CHECK(load_text(std::string("experiment: b\nbaseline: docker\nplatforms:\n  - plugin: docker\n  - plugin: native\n") +
                        kWorkloads,
                    *registry)
              .baseline == "docker");
}
