// Bad input is refused before anything runs: every experiment file of the corpus in
// tests/data/bad_configs (and a few made here: too large to keep in the repository,
// or not files at all) makes `platbench run` exit 2 with file:line:column, run
// nothing and write nothing. Plugin files that are not plugins, or of another ABI,
// named by an experiment's plugin_path: are refused the same way.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "command.hpp"

using test::contains;
using test::run_cli;
using test::scratch;
namespace fs = std::filesystem;

namespace {

const fs::path kCorpus = fs::path(PLATBENCH_TEST_DATA_DIR) / "bad_configs";

struct Expectation {
    std::string location;       // line:column of the first error
    std::string message_start;  // what the first error message starts with
};

// expected.tsv: file <TAB> line:column <TAB> start of the first error message.
std::map<std::string, Expectation> read_expectations() {
    std::map<std::string, Expectation> expected;
    std::ifstream in(kCorpus / "expected.tsv");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string file, location, message;
        std::getline(fields, file, '\t');
        std::getline(fields, location, '\t');
        std::getline(fields, message);
        expected[file] = {location, message};
    }
    return expected;
}

std::vector<std::string> directory_entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// Runs `platbench run NAME` in `dir` and checks the refusal: exit 2,
// "NAME:LOCATION: error: MESSAGE_START", "nothing was run", and no new file in
// `dir` (the default output results/<experiment> would land there).
void check_refused(const fs::path& dir, const std::string& name, const std::string& location,
                   const std::string& message_start) {
    const std::vector<std::string> before = directory_entries(dir);
    const auto result = test::run_cli_in({"run", name}, dir, dir.parent_path() / (dir.filename().string() + ".io"));
    INFO(name, "\n", result.err);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, name + ":" + location + ": error: " + message_start));
    CHECK(contains(result.err, "nothing was run"));
    CHECK(directory_entries(dir) == before);
}

// A directory holding only `name`, with `text` in it.
fs::path directory_with_file(const std::string& name, const std::string& text) {
    const fs::path dir = scratch("made") / name;
    test::write_file(dir / name, text);
    return dir;
}

}  // namespace

TEST_CASE("each bad experiment file of the corpus is refused with exit 2 and file:line:column, writing nothing") {
    const auto expected = read_expectations();
    std::size_t files = 0;
    for (const auto& entry : fs::directory_iterator(kCorpus)) {
        const std::string name = entry.path().filename().string();
        if (name == "expected.tsv") continue;
        ++files;
        auto it = expected.find(name);
        INFO(name);
        REQUIRE_MESSAGE(it != expected.end(), "no line for it in expected.tsv");
        const fs::path dir = scratch("corpus-" + name);
        fs::copy_file(entry.path(), dir / name);
        check_refused(dir, name, it->second.location, it->second.message_start);
    }
    CHECK(files == expected.size());  // every line of expected.tsv names a file that exists
    CHECK(files >= 50);
}

TEST_CASE("inputs that hung or exhausted the YAML parser, fuzzing's findings among them, are refused promptly") {
    // The regression inputs of the loader's fuzz corpus (tests/fuzz/corpus/config/regression_*):
    // a lone ',' made yaml-cpp 0.7.0's LoadAll append empty documents until the machine's
    // memory was gone. `platbench validate` must refuse each with exit 2 and a location,
    // long before the deadline (which kills it and fails the test).
    const fs::path corpus = fs::path(PLATBENCH_SOURCE_DIR) / "tests/fuzz/corpus/config";
    std::size_t inputs = 0;
    for (const auto& entry : fs::directory_iterator(corpus)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("regression_", 0) != 0) continue;
        ++inputs;
        INFO(name);
        const fs::path io = scratch("regression-" + name);
        auto started = test::Started({PLATBENCH_CLI, "validate", entry.path().string()}, io);
        const auto result = started.wait_for(std::chrono::seconds(60));
        INFO(result.err);
        CHECK_FALSE(result.killed_at_deadline);
        CHECK(result.exit_code == 2);
        CHECK(contains(result.err, entry.path().string() + ":"));
        CHECK(contains(result.err, ": error: "));
    }
    CHECK(inputs >= 10);
}

TEST_CASE("files too large, special files and directories are refused without being read whole") {
    const std::string valid_start = "experiment: big\nplatforms:\n  - plugin: native\nworkloads:\n  - plugin: stream\n";
    // 10 MB of valid YAML (comments): refused by size before parsing.
    std::string ten_megabytes = valid_start;
    while (ten_megabytes.size() < 10'000'000) ten_megabytes += "# " + std::string(97, 'x') + "\n";
    check_refused(directory_with_file("big.yaml", ten_megabytes), "big.yaml", "1:1", "the file has 10000");
    // 10 MB in one value: the same.
    check_refused(directory_with_file("long.yaml", valid_start + "description: " + std::string(10'000'000, 'y') + "\n"),
                  "long.yaml", "1:1", "the file has 100000");
    // A device that never ends: read up to the limit only, then refused.
    const fs::path dir = scratch("device");
    const auto zero = test::run_cli_in({"run", "/dev/zero"}, dir, scratch("device-io"));
    CHECK(zero.exit_code == 2);
    CHECK(contains(zero.err, "/dev/zero:1:1: error: the file has"));
    CHECK(fs::is_empty(dir));
    const auto directory = test::run_cli_in({"run", dir.string()}, dir, scratch("directory-io"));
    CHECK(directory.exit_code == 2);
    CHECK(contains(directory.err, "is a directory, not an experiment file"));
    const auto missing = test::run_cli_in({"run", "missing.yaml"}, dir, scratch("missing-io"));
    CHECK(missing.exit_code == 2);
    CHECK(contains(missing.err, "missing.yaml: error: cannot read the experiment file"));
    CHECK(fs::is_empty(dir));
}

TEST_CASE("messages quote the file's text printably and briefly") {
    // A 5000-character value and a control character: cut, and escaped.
    const fs::path dir = directory_with_file("quoted.yaml", "experiment: q\nrepetitions: " + std::string(5000, 'k') +
                                                                "\nplatforms:\n  - plugin: native\nworkloads:\n"
                                                                "  - plugin: st\x1bream\n");
    const auto result = test::run_cli_in({"run", "quoted.yaml"}, dir, scratch("quoted-io"));
    INFO(result.err);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "quoted.yaml:2:14: error: 'repetitions': 'kkkk"));
    CHECK(contains(result.err, "kkk..."));
    CHECK(result.err.size() < 3000);
    CHECK(contains(result.err, "quoted.yaml:6:13: error: unknown workload plugin 'st\\x1Bream'"));
    CHECK_FALSE(contains(result.err, "\x1b"));
}

// The three ways to name a plugin directory: the experiment's plugin_path, the
// command line's --plugin-path, and $PLATBENCH_PLUGIN_PATH. Each refused file is a
// warning saying where its directory came from; where the experiment names the
// plugin a refused file would have been, that entry is the error, with the reason.
TEST_CASE("a refused plugin is reported the same way from plugin_path, --plugin-path and $PLATBENCH_PLUGIN_PATH") {
    const std::string broken_dir = PLATBENCH_BROKEN_PLUGIN_DIR;
    struct Way {
        std::string name, head, origin;
        std::vector<std::string> args;
        bool environment = false;
    };
    const std::vector<Way> ways{
        {"plugin_path", "plugin_path: [" + broken_dir + "]\n", "plugin_path at plugins.yaml:2:15", {}},
        {"--plugin-path", "", "--plugin-path", {"--plugin-path", broken_dir}},
        {"$PLATBENCH_PLUGIN_PATH", "", "$PLATBENCH_PLUGIN_PATH", {}, true},
    };
    for (const Way& way : ways) {
        CAPTURE(way.name);
        if (way.environment) setenv("PLATBENCH_PLUGIN_PATH", broken_dir.c_str(), 1);
        const auto run = [&](const std::string& workloads) {
            const fs::path dir = directory_with_file("plugins.yaml", "experiment: p\n" + way.head +
                                                                        "platforms:\n  - plugin: native\n"
                                                                        "workloads:\n" + workloads);
            std::vector<std::string> args{"validate", "plugins.yaml"};
            args.insert(args.end(), way.args.begin(), way.args.end());
            return test::run_cli_in(args, dir, scratch("plugins-io"));
        };
        // Not used by the experiment: warnings only, naming each file, its reason and its way in.
        const auto unused = run("  - plugin: stream\n");
        INFO(unused.err);
        CHECK(unused.exit_code == 0);
        CHECK(contains(unused.err, "warning: plugin not loaded: " + broken_dir + "/wrong_version.so: built for plugin "
                                   "ABI version 999"));
        CHECK(contains(unused.err, "(found through " + way.origin + ")"));
        CHECK(contains(unused.err, "not_elf.so"));                         // not a shared library
        CHECK(contains(unused.err, "cannot initialise the frobnicator"));  // a throwing entry point
        // Named by the experiment: the error is at that entry, the reason inline.
        const auto used = run("  - plugin: stream\n  - plugin: wrong_version\n");
        INFO(used.err);
        CHECK(used.exit_code == 2);
        CHECK(contains(used.err, "plugins.yaml:" + std::string(way.head.empty() ? "6" : "7") +
                                     ":13: error: unknown workload plugin 'wrong_version'"));
        CHECK(contains(used.err, "hint: the file that would be it was refused: " + broken_dir +
                                     "/wrong_version.so: built for plugin ABI version 999"));
        CHECK(contains(used.err, "nothing was run"));
        if (way.environment) unsetenv("PLATBENCH_PLUGIN_PATH");
    }
}

TEST_CASE("plugins whose factories throw are refused at their entries, before anything runs") {
    // Checking the settings asks each plugin's factory for an object: a throwing
    // factory is found there, with the entry's position, not in the middle of a run.
    const fs::path dir = directory_with_file(
        "factories.yaml", std::string("experiment: factories\nplugin_path: [") + PLATBENCH_THROWING_FACTORY_DIR +
                              "]\nplatforms:\n  - plugin: native\n  - plugin: throwing_platform\n"
                              "workloads:\n  - plugin: stream\n  - plugin: throwing_workload\n");
    const auto result = test::run_cli_in({"run", "factories.yaml"}, dir, scratch("factories-io"));
    INFO(result.err);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "factories.yaml:5:5: error: plugin 'throwing_platform' failed to check its settings: "
                               "the platform factory threw on purpose"));
    CHECK(contains(result.err, "factories.yaml:8:5: error: plugin 'throwing_workload' failed to check its settings: "
                               "the workload factory threw on purpose"));
    CHECK(contains(result.err, "nothing was run"));
    CHECK(directory_entries(dir) == std::vector<std::string>{"factories.yaml"});
}
