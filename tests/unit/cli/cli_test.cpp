// The platbench command line, end to end: real executable, real runner, real plugins.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "store/result_store.hpp"
#include "stored_runs.hpp"

using test::contains;
using test::run_cli;
using test::scratch;
using platbench::RunStatus;
namespace fs = std::filesystem;

namespace {

const std::string kQuick = std::string(PLATBENCH_SOURCE_DIR) + "/configs/quick.yaml";

// An experiment with the echo test workload on a platform of choice.
std::string echo_experiment(const std::string& name, int repetitions, const std::string& platforms,
                            const std::string& echo_params, const std::string& timeout = "60s") {
    return "experiment: " + name + "\nrepetitions: " + std::to_string(repetitions) + "\ntimeout: " + timeout +
           "\nplugin_path: [" + PLATBENCH_TEST_PLUGIN_DIR + ", " + PLATBENCH_MOCK_PLUGIN_DIR + "]\n" +
           "platforms:\n" + platforms + "workloads:\n  - plugin: echo\n" + echo_params;
}

using ::test::stored_runs;

// Polls the results database (read-only, as a second process would) until it holds `runs` runs.
void wait_for_stored_runs(const fs::path& results, std::size_t runs) {
    for (int attempt = 0; attempt < 600; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!fs::exists(results / "results.db")) continue;
        try {
            if (stored_runs(results).size() >= runs) return;
        } catch (const std::exception&) {
            // The writer may be creating the schema right now; try again.
        }
    }
    FAIL("the experiment never stored ", runs, " runs");
}

}  // namespace

TEST_CASE("help, version and unknown commands") {
    const fs::path dir = scratch("help");
    auto help = run_cli({"--help"}, dir);
    CHECK(help.exit_code == 0);
    CHECK(contains(help.out, "exit codes"));
    CHECK(run_cli({"--version"}, dir).exit_code == 0);
    auto unknown = run_cli({"frobnicate"}, dir);
    CHECK(unknown.exit_code == 2);
    CHECK(contains(unknown.err, "unknown command 'frobnicate'"));
    for (const char* command : {"run", "validate", "plugins", "export", "clean"}) {
        CHECK(run_cli({command, "--help"}, dir).exit_code == 0);
    }
    CHECK(run_cli({"run"}, dir).exit_code == 2);
    CHECK(run_cli({"run", kQuick, "--no-such-option"}, dir).exit_code == 2);
}

TEST_CASE("plugins lists stream and native and shows a parameter table") {
    const fs::path dir = scratch("plugins");
    auto list = run_cli({"plugins"}, dir);
    CHECK(list.exit_code == 0);
    CHECK(contains(list.out, "native"));
    CHECK(contains(list.out, "stream"));
    auto stream = run_cli({"plugins", "stream"}, dir);
    CHECK(stream.exit_code == 0);
    CHECK(contains(stream.out, "array_size"));
    CHECK(contains(stream.out, "nontemporal"));
    auto markdown = run_cli({"plugins", "--format", "markdown"}, dir);
    CHECK(contains(markdown.out, "| parameter | type | default |"));
    CHECK(run_cli({"plugins", "nosuchplugin"}, dir).exit_code == 2);
}

TEST_CASE("docs/plugins.md is what `platbench plugins --format markdown` prints") {
    // The parameter tables are the single source: regenerate the file with
    //   build/bin/platbench plugins --format markdown > docs/plugins.md
    ::unsetenv("PLATBENCH_PLUGIN_PATH");  // the shipped plugins only
    auto markdown = run_cli({"plugins", "--format", "markdown"}, scratch("docs"));
    REQUIRE(markdown.exit_code == 0);
    CHECK(markdown.out == test::read_file(fs::path(PLATBENCH_SOURCE_DIR) / "docs" / "plugins.md"));
}

TEST_CASE("validate and --dry-run print the matrix and write nothing") {
    const fs::path dir = scratch("validate");
    auto validate = run_cli({"validate", kQuick}, dir);
    CHECK(validate.exit_code == 0);
    CHECK(contains(validate.out, "native/stream"));
    const fs::path output = dir / "results";
    auto dry = run_cli({"run", kQuick, "--dry-run", "--output", output.string()}, dir);
    CHECK(dry.exit_code == 0);
    CHECK(contains(dry.out, "nothing was run"));
    CHECK_FALSE(fs::exists(output));
}

TEST_CASE("a bad experiment file is refused with file:line:column and nothing is written") {
    const fs::path dir = scratch("bad-config");
    test::write_file(dir / "bad.yaml",
                     "experiment: bad\nrepetitions: 3\nplatforms:\n  - plugin: native\nworkloads:\n"
                     "  - plugin: stream\n    aray_size: 1M\n");
    auto result = run_cli({"run", (dir / "bad.yaml").string(), "--output", (dir / "results").string()}, dir);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "bad.yaml:7:5"));
    CHECK(contains(result.err, "array_size"));  // did you mean
    CHECK(contains(result.err, "nothing was run"));
    CHECK_FALSE(fs::exists(dir / "results"));
}

TEST_CASE("--repetitions and --warmup replace the file's values, within the file's limits") {
    const fs::path dir = scratch("overrides");
    test::write_file(dir / "e.yaml", echo_experiment("overrides", 5, "  - plugin: native\n", "    value: [1, 2]\n"));
    auto run = run_cli({"run", (dir / "e.yaml").string(), "--output", (dir / "results").string(), "--repetitions", "1",
                        "--warmup", "1"},
                       dir);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    const auto runs = stored_runs(dir / "results");
    CHECK(runs.size() == 4);
    CHECK(std::count_if(runs.begin(), runs.end(), [](const auto& r) { return r.warmup; }) == 2);
    CHECK(run_cli({"run", (dir / "e.yaml").string(), "--repetitions", "0"}, dir / "zero").exit_code == 2);
    CHECK(run_cli({"run", (dir / "e.yaml").string(), "--warmup", "-1"}, dir / "negative").exit_code == 2);
    // Six cells x 2,000,000 runs: past the 10,000,000 runs an experiment may plan.
    test::write_file(dir / "six.yaml", echo_experiment("six", 1, "  - plugin: native\n", "    value: [1, 2, 3, 4, 5, 6]\n"));
    CHECK(run_cli({"run", (dir / "six.yaml").string(), "--repetitions", "1000000", "--warmup", "1000000"}, dir / "many")
              .exit_code == 2);
}

TEST_CASE("runs are interleaved in rounds in a seeded random order, recorded, and the same seed repeats it") {
    const fs::path dir = scratch("interleaved");
    const std::string cells = "    value: [1, 2, 3, 4, 5]\n";
    test::write_file(dir / "seeded.yaml", echo_experiment("seeded", 3, "  - plugin: native\n", cells) + "seed: 11\n");
    std::vector<std::vector<std::string>> orders;
    for (const char* output : {"first", "second"}) {
        auto run = run_cli({"run", (dir / "seeded.yaml").string(), "--output", (dir / output).string()}, dir);
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        CHECK(contains(run.err, "order: interleaved, seed 11"));
        std::vector<std::string> order;
        for (const auto& r : stored_runs(dir / output)) order.push_back(r.cell_id);  // in the order they ran
        orders.push_back(order);
        auto store = platbench::ResultStore::open_existing(dir / output);
        const auto experiment = store->latest_experiment("seeded");
        REQUIRE(experiment);
        CHECK(experiment->config["order"] == "interleaved");
        CHECK(experiment->config["seed"] == 11);
    }
    REQUIRE(orders[0].size() == 15);
    CHECK(orders[0] == orders[1]);
    // Three rounds, each holding every cell once, not all in the file's order.
    std::vector<std::string> file_order;
    for (int value = 1; value <= 5; ++value) file_order.push_back("native/echo/value:" + std::to_string(value));
    int rounds_in_file_order = 0;
    for (std::size_t round = 0; round < 3; ++round) {
        std::vector<std::string> cells_of_round(orders[0].begin() + 5 * round, orders[0].begin() + 5 * round + 5);
        rounds_in_file_order += cells_of_round == file_order;
        std::sort(cells_of_round.begin(), cells_of_round.end());
        CHECK(cells_of_round == file_order);
    }
    CHECK(rounds_in_file_order < 3);

    // Without a seed, a new one is drawn and recorded; `order: sequential` keeps each cell's runs together.
    test::write_file(dir / "sequential.yaml",
                     echo_experiment("sequential", 2, "  - plugin: native\n", cells) + "order: sequential\n");
    auto run = run_cli({"run", (dir / "sequential.yaml").string(), "--output", (dir / "seq").string()}, dir);
    REQUIRE(run.exit_code == 0);
    CHECK_FALSE(contains(run.err, "order: interleaved"));
    const auto sequential_runs = stored_runs(dir / "seq");
    REQUIRE(sequential_runs.size() == 10);
    for (std::size_t i = 0; i < sequential_runs.size(); ++i) CHECK(sequential_runs[i].cell_id == file_order[i / 2]);
}

TEST_CASE("adaptive repetitions repeat only the cells whose interval is still wide, up to the maximum, and flag them") {
    const fs::path dir = scratch("adaptive");
    // echo's value never varies: its interval is 0 after the minimum, in both cells.
    test::write_file(dir / "e.yaml", echo_experiment("adaptive", 3, "  - plugin: native\n",
                                                     "    value: 7\n    sleep: [0s, 10ms]\n") +
                                         "target_ci: 0.01\nmax_repetitions: 5\ntarget_metric: echo_value\n");
    auto run = run_cli({"run", (dir / "e.yaml").string(), "--output", (dir / "results").string()}, dir);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    std::map<std::string, int> runs_per_cell;
    for (const auto& r : stored_runs(dir / "results")) ++runs_per_cell[r.cell_id];
    CHECK(runs_per_cell["native/echo/sleep:0s"] == 3);
    CHECK(runs_per_cell["native/echo/sleep:10ms"] == 3);
    CHECK_FALSE(contains(run.out, "convergence"));

    // A measured bandwidth always varies by more than 0.01%: repeated to the maximum, then flagged.
    test::write_file(dir / "wide.yaml",
                     "experiment: wide\nrepetitions: 3\ntarget_ci: 0.01\nmax_repetitions: 5\nplatforms:\n"
                     "  - plugin: native\nworkloads:\n  - plugin: stream\n    array_size: 100k\n    ntimes: 2\n");
    run = run_cli({"run", (dir / "wide.yaml").string(), "--output", (dir / "wide").string()}, dir);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(stored_runs(dir / "wide").size() == 5);
    CHECK(contains(run.out, "did not converge"));
    CHECK(contains(test::unwrapped(run.out), "after 5 runs"));
    auto store = platbench::ResultStore::open_existing(dir / "wide");
    CHECK(store->latest_experiment("wide")->config["adaptive"]["max_repetitions"] == 5);
}

TEST_CASE("a second platbench run on the same results directory refuses while the first runs") {
    const fs::path dir = scratch("locked");
    test::write_file(dir / "e.yaml", echo_experiment("locked", 3, "  - plugin: native\n", "    sleep: 300ms\n"));
    const fs::path output = dir / "results";
    test::Started first({PLATBENCH_CLI, "run", (dir / "e.yaml").string(), "--output", output.string()}, dir / "first");
    wait_for_stored_runs(output, 1);
    auto second = run_cli({"run", (dir / "e.yaml").string(), "--output", output.string()}, dir / "second");
    CHECK(second.exit_code == 3);
    CHECK(contains(second.err, output.string() + " is in use by another platbench run (pid " +
                                   std::to_string(first.pid()) + ")"));
    const auto finished = first.wait();
    CHECK(finished.exit_code == 0);
    CHECK(stored_runs(output).size() == 3);  // the refused run wrote nothing
    // Once the first is done, the directory is free again (the lock goes with the process).
    CHECK(run_cli({"run", (dir / "e.yaml").string(), "--output", output.string()}, dir / "third").exit_code == 0);
    CHECK(stored_runs(output).size() == 6);
}

TEST_CASE("every run's platform overhead is the engine's: wall time less the runner's life, unknown without it") {
    const fs::path dir = scratch("overhead");
    const std::string platforms = "  - plugin: native\n  - plugin: scripted\n    mode: [ok, garbage]\n";
    test::write_file(dir / "e.yaml", echo_experiment("overhead", 1, platforms, "    value: 1\n"));
    auto run = run_cli({"run", (dir / "e.yaml").string(), "--output", (dir / "results").string()}, dir);
    INFO(run.err);
    std::map<std::string, platbench::RunRecord> by_mode;  // "native", or the scripted platform's mode
    for (const auto& r : stored_runs(dir / "results"))
        by_mode[r.platform_plugin == "native" ? "native" : r.platform_settings["mode"].get<std::string>()] = r;
    REQUIRE(by_mode.size() == 3);
    const platbench::RunRecord& native = by_mode.at("native");
    REQUIRE(native.status == RunStatus::Ok);
    const double runner_seconds = native.info.at("runner_seconds").get<double>();
    CHECK(runner_seconds > 0);
    CHECK(native.overhead_seconds >= 0);
    CHECK(native.overhead_seconds + runner_seconds <= native.duration_seconds);
    CHECK_FALSE(native.info.contains("overhead_unknown"));
    // The scripted platform claims an overhead of 1000 s for every run: it is not stored.
    const platbench::RunRecord& ok = by_mode.at("ok");
    REQUIRE(ok.status == RunStatus::Ok);
    CHECK(ok.overhead_seconds >= 0);
    CHECK(ok.overhead_seconds <= ok.duration_seconds);
    const platbench::RunRecord& garbage = by_mode.at("garbage");
    CHECK(std::isnan(garbage.overhead_seconds));
    CHECK(garbage.info.at("overhead_unknown") == "the runner gave no valid result line");
}

TEST_CASE("every kind of broken runner output becomes a failed run with a reason, and the matrix goes on") {
    const fs::path dir = scratch("scripted");
    const std::string platforms =
        "  - plugin: scripted\n    mode: [ok, garbage, truncated, crash, exit3, throw, unstarted, broken, declined]\n";
    test::write_file(dir / "e.yaml", echo_experiment("scripted", 1, platforms, "    value: 1\n"));
    auto run = run_cli({"run", (dir / "e.yaml").string(), "--output", (dir / "results").string()}, dir);
    INFO(run.err);
    CHECK(run.exit_code == 1);  // some runs failed
    std::map<std::string, platbench::RunRecord> by_mode;
    for (const auto& r : stored_runs(dir / "results")) by_mode[r.platform_settings["mode"]] = r;
    REQUIRE(by_mode.size() == 9);
    CHECK(by_mode["ok"].status == RunStatus::Ok);
    CHECK(by_mode["ok"].metrics.size() == 1);
    for (const char* mode : {"garbage", "truncated", "crash", "exit3", "throw", "unstarted", "broken"}) {
        INFO(mode);
        CHECK(by_mode[mode].status == RunStatus::Failed);
        CHECK_FALSE(by_mode[mode].reason.empty());
    }
    CHECK(contains(by_mode["truncated"].reason, "truncated"));
    CHECK(contains(by_mode["crash"].reason, "signal 11"));
    CHECK(contains(by_mode["exit3"].reason, "no workload plugin named"));
    CHECK(contains(by_mode["throw"].reason, "scripted exception"));
    CHECK(by_mode["declined"].status == RunStatus::Skipped);
    CHECK(contains(by_mode["declined"].reason, "scripted to decline"));
}

TEST_CASE("a hung run is stopped by the timeout, recorded as failed, and the matrix goes on") {
    const fs::path dir = scratch("timeout");
    test::write_file(dir / "e.yaml",
                     echo_experiment("timeout", 1, "  - plugin: native\n", "    sleep: [30s, 0s]\n", "1s"));
    const auto start = std::chrono::steady_clock::now();
    auto run = run_cli({"run", (dir / "e.yaml").string(), "--output", (dir / "results").string()}, dir);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(25));
    CHECK(run.exit_code == 1);
    std::map<std::string, platbench::RunRecord> by_cell;  // the runs' order is shuffled
    for (const auto& r : stored_runs(dir / "results")) by_cell[r.cell_id] = r;
    REQUIRE(by_cell.size() == 2);
    CHECK(by_cell["native/echo/sleep:30s"].status == RunStatus::Failed);
    CHECK(contains(by_cell["native/echo/sleep:30s"].reason, "timed out"));
    CHECK(by_cell["native/echo/sleep:0s"].status == RunStatus::Ok);
}

TEST_CASE("SIGKILL loses no completed run, and --resume completes the rest without duplicates") {
    const fs::path dir = scratch("kill-resume");
    test::write_file(dir / "e.yaml", echo_experiment("resume", 12, "  - plugin: native\n", "    sleep: 200ms\n"));
    const fs::path output = dir / "results";
    test::Started first({PLATBENCH_CLI, "run", (dir / "e.yaml").string(), "--output", output.string()}, dir / "first");
    // Kill it once a few runs are stored.
    wait_for_stored_runs(output, 3);
    first.signal(SIGKILL);
    first.wait();
    const auto after_kill = stored_runs(output);
    CHECK(after_kill.size() >= 3);
    CHECK(after_kill.size() < 12);
    for (const auto& r : after_kill) {
        CHECK(r.status == RunStatus::Ok);
        CHECK(r.metrics.size() == 1);  // complete runs only
    }

    auto resumed = run_cli({"run", (dir / "e.yaml").string(), "--output", output.string(), "--resume"}, dir / "second");
    INFO(resumed.err);
    CHECK(resumed.exit_code == 0);
    CHECK(contains(resumed.err, "resuming experiment"));
    const auto all = stored_runs(output);
    CHECK(all.size() == 12);
    std::set<std::string> keys;
    for (const auto& r : all) keys.insert(r.run_key);
    CHECK(keys.size() == 12);
    auto store = platbench::ResultStore::open_existing(output);
    CHECK(store->experiments().size() == 1);

    // Resuming a complete experiment runs nothing.
    auto again = run_cli({"run", (dir / "e.yaml").string(), "--output", output.string(), "--resume"}, dir / "third");
    CHECK(again.exit_code == 0);
    CHECK(contains(again.out, "12 already stored"));
    CHECK(stored_runs(output).size() == 12);
}

TEST_CASE("--resume after the file changed a cell's settings names each change and refuses, running nothing") {
    const fs::path dir = scratch("resume-edited");
    const fs::path output = dir / "results";
    const auto write = [&](const std::string& value, const std::string& sleep) {
        test::write_file(dir / "e.yaml", echo_experiment("edited", 2, "  - plugin: native\n",
                                                         "    value: " + value + "\n    sleep: " + sleep + "\n"));
    };
    write("1.5", "1ms");
    CHECK(run_cli({"run", (dir / "e.yaml").string(), "--output", output.string()}, dir / "first").exit_code == 0);
    write("2.5", "2ms");  // two settings of the one cell change; its id stays native/echo
    const auto refused =
        run_cli({"run", (dir / "e.yaml").string(), "--output", output.string(), "--resume"}, dir / "second");
    INFO(refused.err);
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "--resume: the file gives 1 cell of experiment 1 other settings than when it started"));
    CHECK(contains(refused.err, "  native/echo: workload sleep: 0.001 -> 0.002"));
    CHECK(contains(refused.err, "  native/echo: workload value: 1.5 -> 2.5"));
    CHECK(contains(refused.err, "start a new experiment (run without --resume"));
    CHECK(contains(refused.err, "nothing was run"));
    CHECK(stored_runs(output).size() == 2);  // only the first experiment's runs
    // Put back as it was, --resume goes on (nothing left to run).
    write("1.5", "1ms");
    const auto resumed =
        run_cli({"run", (dir / "e.yaml").string(), "--output", output.string(), "--resume"}, dir / "third");
    CHECK(resumed.exit_code == 0);
    CHECK(contains(resumed.out, "2 already stored"));
}

TEST_CASE("Ctrl-C stops cleanly: exit 130, completed runs kept, the running child is gone") {
    const fs::path dir = scratch("interrupt");
    test::write_file(dir / "e.yaml", echo_experiment("interrupt", 20, "  - plugin: native\n", "    sleep: 310ms\n"));
    const fs::path output = dir / "results";
    test::Started run({PLATBENCH_CLI, "run", (dir / "e.yaml").string(), "--output", output.string()}, dir / "run");
    wait_for_stored_runs(output, 2);
    run.signal(SIGINT);
    auto finished = run.wait();
    CHECK(finished.exit_code == 130);
    CHECK(contains(finished.err, "--resume"));
    const auto runs = stored_runs(output);
    CHECK(runs.size() >= 2);
    CHECK(runs.size() < 20);
    for (const auto& r : runs) CHECK(r.status == RunStatus::Ok);
    // No runner of this test (the only one sleeping 0.31 s) is left running.
    auto pgrep = test::Started({"/usr/bin/pgrep", "-f", "sleep=0.31"}, dir / "pgrep").wait();
    CHECK(pgrep.exit_code == 1);
}
