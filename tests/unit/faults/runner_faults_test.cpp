// A runner that hangs, crashes, exits non-zero, floods its output, prints garbage
// or a truncated result: that run fails with the reason, the matrix goes on, and
// nothing of the run is left running.
#include <doctest/doctest.h>

#include <map>

#include "command.hpp"
#include "stored_runs.hpp"

using test::contains;
using test::scratch;
using platbench::RunStatus;
namespace fs = std::filesystem;

namespace {

std::map<std::string, platbench::RunRecord> runs_by_cell(const fs::path& results) {
    std::map<std::string, platbench::RunRecord> by_cell;
    for (auto& run : test::stored_runs(results)) by_cell[run.cell_id] = run;
    return by_cell;
}

}  // namespace

TEST_CASE("real runners that hang, crash, fail, abort or flood: each run fails with its reason, the others complete") {
    const fs::path dir = scratch("runner-faults");
    // Each workload entry is one kind of fault; `message` marks this test's runners for pgrep.
    test::write_file(dir / "e.yaml", std::string("experiment: runner-faults\nrepetitions: 1\ntimeout: 3s\nplugin_path: [") +
                                         PLATBENCH_TEST_PLUGIN_DIR +
                                         "]\nplatforms:\n  - plugin: native\nworkloads:\n"
                                         "  - {plugin: echo, name: healthy, message: runner-faults-marker}\n"
                                         "  - {plugin: echo, name: hangs, sleep: 1h, message: runner-faults-marker}\n"
                                         "  - {plugin: echo, name: segfaults, segfault: true, message: runner-faults-marker}\n"
                                         "  - {plugin: echo, name: aborts, abort: true, message: runner-faults-marker}\n"
                                         "  - {plugin: echo, name: fails, fail: true, message: runner-faults-marker}\n"
                                         "  - {plugin: echo, name: floods, flood: 256MiB, message: runner-faults-marker}\n");
    const auto run = test::run_cli({"run", (dir / "e.yaml").string(), "--output", (dir / "results").string()}, dir / "io");
    INFO(run.err);
    CHECK(run.exit_code == 1);  // some runs failed, the experiment finished
    auto by_cell = runs_by_cell(dir / "results");
    REQUIRE(by_cell.size() == 6);
    CHECK(by_cell["native/healthy"].status == RunStatus::Ok);
    CHECK(by_cell["native/hangs"].status == RunStatus::Failed);
    CHECK(contains(by_cell["native/hangs"].reason, "timed out"));
    CHECK(by_cell["native/segfaults"].status == RunStatus::Failed);
    // "SIGSEGV"; in the sanitizer build AddressSanitizer catches the signal and the
    // reason quotes its "AddressSanitizer: SEGV" report instead.
    CHECK(contains(by_cell["native/segfaults"].reason, "SEGV"));
    CHECK(by_cell["native/aborts"].status == RunStatus::Failed);
    CHECK(contains(by_cell["native/aborts"].reason, "SIGABRT"));
    CHECK(by_cell["native/fails"].status == RunStatus::Failed);
    CHECK(contains(by_cell["native/fails"].reason, "runner-faults-marker"));
    // 256 MiB on stdout and stderr: the workload's stdout is kept off the result
    // channel, the captured output is bounded, and the result still comes through.
    CHECK(by_cell["native/floods"].status == RunStatus::Ok);
    CHECK(by_cell["native/floods"].runner_stderr.size() <= 4096);
    // No runner of this test is left.
    CHECK(test::Started({"/usr/bin/pgrep", "-f", "runner-faults-marker"}, dir / "pgrep").wait().exit_code == 1);
}

TEST_CASE("runner output that floods, is garbage or is truncated fails the run with what was wrong") {
    const fs::path dir = scratch("output-faults");
    test::write_file(dir / "e.yaml", std::string("experiment: output-faults\nrepetitions: 1\nplugin_path: [") +
                                         PLATBENCH_TEST_PLUGIN_DIR + ", " + PLATBENCH_MOCK_PLUGIN_DIR +
                                         "]\nplatforms:\n  - plugin: scripted\n    mode: [ok, flood, garbage, truncated]\n"
                                         "workloads:\n  - plugin: echo\n");
    const auto run = test::run_cli({"run", (dir / "e.yaml").string(), "--output", (dir / "results").string()}, dir / "io");
    INFO(run.err);
    CHECK(run.exit_code == 1);
    std::map<std::string, platbench::RunRecord> by_mode;
    for (auto& r : test::stored_runs(dir / "results")) by_mode[r.platform_settings["mode"]] = r;
    REQUIRE(by_mode.size() == 4);
    CHECK(by_mode["ok"].status == RunStatus::Ok);
    for (const char* mode : {"flood", "garbage", "truncated"}) {
        INFO(mode, ": ", by_mode[mode].reason);
        CHECK(by_mode[mode].status == RunStatus::Failed);
    }
    CHECK(contains(by_mode["flood"].reason, "MiB"));
    CHECK(contains(by_mode["truncated"].reason, "truncated"));
}
