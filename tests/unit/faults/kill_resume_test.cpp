// SIGKILL at chosen and at random points of a two-platform matrix: nothing
// completed is lost, nothing is run twice, the database stays sound, and --resume
// completes exactly the missing runs.
#include <doctest/doctest.h>

#include <signal.h>
#include <stdlib.h>

#include <map>
#include <random>
#include <set>

#include "cli_experiment.hpp"
#include "command.hpp"
#include "database_checks.hpp"
#include "stored_runs.hpp"
#include "util/fault_injection.hpp"

using test::contains;
using test::scratch;
using test::stored_by_key;
using platbench::RunStatus;
namespace fs = std::filesystem;

namespace {

// native and the scripted test platform, three echo cells each, 16 repetitions: 96 runs.
constexpr std::size_t kPlannedRuns = 96;

std::string two_platform_experiment() {
    return std::string("experiment: killed\nrepetitions: 16\nplugin_path: [") + PLATBENCH_TEST_PLUGIN_DIR + ", " +
           PLATBENCH_MOCK_PLUGIN_DIR +
           "]\nplatforms:\n  - plugin: native\n  - plugin: scripted\nworkloads:\n  - plugin: echo\n"
           "    value: [1, 2, 3]\n";
}

// What was stored, by run key: the run's id and start time show whether it was run again.

// The database is sound, every stored run is complete, and every run stored
// before is still there, unchanged (not lost, not run again).
void check_nothing_lost(const fs::path& results, const std::map<std::string, platbench::RunRecord>& before,
                        const std::map<std::string, platbench::RunRecord>& now) {
    if (fs::exists(results / "results.db")) CHECK(test::integrity_check(results / "results.db") == "ok");
    // (Entries, not structured bindings: doctest's INFO captures what it names in a
    // lambda, and clang 14, which builds the sanitizer build, cannot capture a binding.)
    for (const auto& entry : now) {
        INFO(entry.first);
        CHECK(entry.second.status == RunStatus::Ok);
        CHECK(entry.second.metrics.size() == 1);  // a run is stored with its metrics or not at all
    }
    for (const auto& entry : before) {
        INFO(entry.first);
        auto it = now.find(entry.first);
        REQUIRE(it != now.end());
        CHECK(it->second.id == entry.second.id);
        CHECK(it->second.started_at == entry.second.started_at);
    }
}

test::Finished run_platbench(const fs::path& dir, const std::string& kill_at, int attempt) {
    const fs::path io = dir / ("attempt-" + std::to_string(attempt));
    if (!kill_at.empty()) setenv("PLATBENCH_FAULT_KILL_AT", kill_at.c_str(), 1);
    auto finished = test::run_cli({"run", (dir / "e.yaml").string(), "--output", (dir / "results").string(), "--resume"}, io);
    unsetenv("PLATBENCH_FAULT_KILL_AT");
    return finished;
}

}  // namespace

TEST_CASE("SIGKILL at 26 fault points, inside stores included, loses nothing, and --resume completes exactly the rest") {
    const fs::path dir = scratch("kill-points");
    test::write_file(dir / "e.yaml", two_platform_experiment());
    std::mt19937 random(20261126);  // fixed: a failure names a point that can be replayed
    std::map<std::string, platbench::RunRecord> before;
    int attempt = 0;
    // The database's and the experiment's creation first (each happens once), then
    // every other fault point four times, at its 1st to 3rd passage, in a shuffled
    // order: each attempt stores at most 3 runs, so all 26 attempts are killed
    // before the end.
    std::vector<std::string> kills;
    for (const std::string& point : platbench::fault_point_names()) {
        if (point == "database-made" || point == "experiment-created") continue;
        for (int i = 0; i < 4; ++i) kills.push_back(point + ":" + std::to_string(1 + random() % 3));
    }
    std::shuffle(kills.begin(), kills.end(), random);
    kills.insert(kills.begin(), {"database-made:1", "experiment-created:1"});
    REQUIRE(kills.size() >= 20);
    for (const std::string& kill_at : kills) {
        INFO("PLATBENCH_FAULT_KILL_AT=", kill_at);
        const auto killed = run_platbench(dir, kill_at, ++attempt);
        CHECK(killed.signal == SIGKILL);
        // A database is in place whole or not at all: never one without its schema.
        if (kill_at == "database-made:1") CHECK_FALSE(fs::exists(dir / "results" / "results.db"));
        const auto now = stored_by_key(dir / "results");
        check_nothing_lost(dir / "results", before, now);
        CHECK(now.size() < kPlannedRuns);
        before = now;
    }
    // The database the first attempt left half made is gone once another was made.
    for (const auto& entry : fs::directory_iterator(dir / "results"))
        CHECK(entry.path().filename().string().find(".making-") == std::string::npos);
    const auto completed = run_platbench(dir, "", ++attempt);
    INFO(completed.err);
    CHECK(completed.exit_code == 0);
    CHECK(contains(completed.out, std::to_string(before.size()) + " already stored"));
    const auto all = stored_by_key(dir / "results");
    check_nothing_lost(dir / "results", before, all);
    CHECK(all.size() == kPlannedRuns);
    CHECK(platbench::ResultStore::open_existing(dir / "results")->experiments().size() == 1);
}

TEST_CASE("SIGKILL sent at random moments loses nothing, and --resume completes exactly the rest") {
    const fs::path dir = scratch("kill-random");
    test::write_file(dir / "e.yaml", two_platform_experiment());
    std::mt19937 random(1126);
    std::map<std::string, platbench::RunRecord> before;
    for (int attempt = 1; attempt <= 8; ++attempt) {
        const int delay_ms = 100 + static_cast<int>(random() % 600);
        INFO("attempt ", attempt, ", killed after ", delay_ms, " ms");
        test::Started run({PLATBENCH_CLI, "run", (dir / "e.yaml").string(), "--output", (dir / "results").string(),
                           "--resume"},
                          dir / ("attempt-" + std::to_string(attempt)));
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        run.signal(SIGKILL);
        run.wait();
        const auto now = stored_by_key(dir / "results");
        check_nothing_lost(dir / "results", before, now);
        before = now;
    }
    auto completed = test::run_cli(
        {"run", (dir / "e.yaml").string(), "--output", (dir / "results").string(), "--resume"}, dir / "last");
    CHECK(completed.exit_code == 0);
    const auto all = stored_by_key(dir / "results");
    check_nothing_lost(dir / "results", before, all);
    CHECK(all.size() == kPlannedRuns);
}
