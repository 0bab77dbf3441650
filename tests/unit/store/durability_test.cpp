// The promise of the result store: a process killed with SIGKILL loses no run
// it had completed, leaves no half-stored run, and a resume stores each missing
// run once. A forked child writes runs and reports each finished store_run on a
// pipe; the parent kills it mid-stream and inspects the database.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/result_store.hpp"
#include "store/sqlite_db.hpp"
#include "store_test_support.hpp"

using namespace platbench;
using platbench::test::make_experiment;
using platbench::test::make_run;
using platbench::test::TempDir;

namespace {

constexpr int kEndlessRuns = 1'000'000;

std::string key_of(int index) {
    char key[32];
    std::snprintf(key, sizeof key, "run-%07d", index);
    return key;
}

int index_of(const std::string& key) { return std::stoi(key.substr(4)); }

// Metric counts differ between runs, so a run with a lost metric stands out.
std::size_t metric_count_of(int index) { return 1 + static_cast<std::size_t>(index % 8); }

RunRecord planned_run(std::int64_t experiment_id, int index) {
    RunRecord run = make_run(experiment_id, key_of(index));
    run.repetition = index;
    run.metrics.clear();
    for (std::size_t m = 0; m < metric_count_of(index); ++m) {
        run.metrics.push_back({"metric_" + std::to_string(m), index + m / 10.0, "s", Better::Lower});
    }
    run.runner_stderr = std::string(2000, 'e');  // some bulk, so a kill can land inside a commit
    return run;
}

// What --resume does: store every planned run whose key is not stored yet.
void store_missing_runs(ResultStore& store, std::int64_t experiment_id, int planned, int report_fd) {
    const auto stored = store.stored_run_keys(experiment_id);
    for (int index = 0; index < planned; ++index) {
        if (stored.count(key_of(index)) != 0) {
            continue;
        }
        store.store_run(planned_run(experiment_id, index));
        if (report_fd >= 0) {
            const std::string line = key_of(index) + "\n";
            if (write(report_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
                _exit(3);
            }
        }
    }
}

[[noreturn]] void write_until_killed(const std::filesystem::path& dir, std::int64_t experiment_id, int report_fd) {
    try {
        auto store = ResultStore::open(dir);
        store_missing_runs(*store, experiment_id, kEndlessRuns, report_fd);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "writer: %s\n", error.what());
        _exit(2);
    }
    _exit(0);
}

// Reads newline-terminated keys until `wanted` arrived (then SIGKILLs the child)
// and on until end of file; a half-written line at the end is not a report.
std::vector<std::string> collect_reports_and_kill(pid_t child, int read_fd, std::size_t wanted) {
    std::vector<std::string> reported;
    std::string pending;
    bool killed = false;
    char buffer[4096];
    for (;;) {
        pollfd waiting{read_fd, POLLIN, 0};
        if (poll(&waiting, 1, 60'000) <= 0) {
            kill(child, SIGKILL);
            FAIL("the writer reported nothing for 60 s");
        }
        const ssize_t got = read(read_fd, buffer, sizeof buffer);
        if (got <= 0) {
            break;
        }
        pending.append(buffer, static_cast<std::size_t>(got));
        for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
            reported.push_back(pending.substr(0, end));
            pending.erase(0, end + 1);
        }
        if (!killed && reported.size() >= wanted) {
            kill(child, SIGKILL);
            killed = true;
        }
    }
    return reported;
}

// One writer process, killed after `wanted` reports; returns the keys it reported.
std::vector<std::string> run_writer_and_kill(const std::filesystem::path& dir, std::int64_t experiment_id,
                                             std::size_t wanted) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    std::fflush(nullptr);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        close(fds[0]);
        write_until_killed(dir, experiment_id, fds[1]);
    }
    close(fds[1]);
    const auto reported = collect_reports_and_kill(child, fds[0], wanted);
    close(fds[0]);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    // Killed mid-stream, not finished or failed on its own.
    REQUIRE_MESSAGE(WIFSIGNALED(status), "writer exited with status ", WEXITSTATUS(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    REQUIRE(reported.size() >= wanted);
    return reported;
}

void check_database_intact(ResultStore& store, std::int64_t experiment_id) {
    sqlite::Database db(store.path(), sqlite::OpenMode::ReadOnly);
    CHECK(db.query_text("PRAGMA integrity_check") == "ok");
    CHECK(db.query_int("SELECT count(*) FROM pragma_foreign_key_check") == 0);
    // No run row without its metrics (every planned run has at least one).
    CHECK(db.query_int("SELECT count(*) FROM runs WHERE id NOT IN (SELECT run_id FROM metrics)") == 0);
    CHECK(db.query_int("SELECT count(*) FROM (SELECT 1 FROM runs GROUP BY experiment_id, run_key "
                       "HAVING count(*) > 1)") == 0);
    for (const RunRecord& run : store.runs(experiment_id)) {
        const int index = index_of(run.run_key);
        CAPTURE(run.run_key);
        CHECK(run.repetition == index);
        CHECK(run.runner_stderr.size() == 2000);
        REQUIRE(run.metrics.size() == metric_count_of(index));
        for (std::size_t m = 0; m < run.metrics.size(); ++m) {
            CHECK(run.metrics[m].value == index + m / 10.0);
        }
    }
}

}  // namespace

TEST_CASE("a writer killed with SIGKILL loses no completed run, leaves no partial one, and resumes without duplicates") {
    TempDir tmp;
    std::int64_t experiment_id = 0;
    {
        auto store = ResultStore::open(tmp.path());
        experiment_id = store->create_experiment(make_experiment());
    }

    std::set<std::string> reported;
    std::size_t stored_before = 0;
    // Many kills at different points, each landing somewhere in the writer's
    // loop (often inside store_run); each writer resumes where the last one died.
    for (const std::size_t wanted : {7u, 19u, 3u, 11u, 5u, 13u, 2u, 17u, 1u, 9u, 23u, 4u}) {
        CAPTURE(wanted);
        const auto reported_now = run_writer_and_kill(tmp.path(), experiment_id, wanted);
        for (const auto& key : reported_now) {
            CHECK_MESSAGE(reported.insert(key).second, "reported twice: ", key);
        }
        auto store = ResultStore::open(tmp.path());
        const auto stored = store->stored_run_keys(experiment_id);
        for (const auto& key : reported) {
            CHECK_MESSAGE(stored.count(key) == 1, "reported complete but not stored: ", key);
        }
        // This writer committed what it reported, plus at most the one run whose report the kill cut off.
        CHECK(stored.size() - stored_before <= reported_now.size() + 1);
        stored_before = stored.size();
        check_database_intact(*store, experiment_id);
    }

    // The final resume: every planned run stored exactly once.
    auto store = ResultStore::open(tmp.path());
    const int planned = static_cast<int>(store->stored_run_keys(experiment_id).size()) + 10;
    store_missing_runs(*store, experiment_id, planned, -1);
    const auto stored = store->stored_run_keys(experiment_id);
    CHECK(stored.size() == static_cast<std::size_t>(planned));
    CHECK(index_of(*stored.rbegin()) == planned - 1);
    CHECK(store->runs(experiment_id).size() == static_cast<std::size_t>(planned));
    check_database_intact(*store, experiment_id);
    CHECK_THROWS_AS(store->store_run(planned_run(experiment_id, 0)), std::runtime_error);
}
