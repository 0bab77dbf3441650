#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>

#include <sqlite3.h>

#include "store/result_store.hpp"
#include "store/sqlite_db.hpp"
#include "store_test_support.hpp"

using namespace platbench;
using platbench::test::make_experiment;
using platbench::test::make_run;
using platbench::test::TempDir;

namespace {

std::int64_t count_rows(const std::filesystem::path& file, const std::string& sql) {
    sqlite::Database db(file, sqlite::OpenMode::ReadOnly);
    return db.query_int(sql);
}

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const std::runtime_error& error) {
        return error.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("open creates <dir>/results.db with the schema, WAL and schema version 1") {
    TempDir tmp;
    const auto dir = tmp.path() / "out" / "nested";
    auto store = ResultStore::open(dir);
    CHECK(store->path() == dir / "results.db");
    REQUIRE(std::filesystem::is_regular_file(dir / "results.db"));

    sqlite::Database db(store->path(), sqlite::OpenMode::ReadOnly);
    CHECK(db.query_int("PRAGMA user_version") == 1);
    CHECK(db.query_text("PRAGMA journal_mode") == "wal");
    for (const char* table : {"experiments", "runs", "metrics"}) {
        CAPTURE(table);
        CHECK(db.query_int(std::string("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='") + table +
                           "'") == 1);
    }
    CHECK(db.query_int("SELECT count(*) FROM sqlite_master WHERE type='index' AND name='experiments_by_name'") == 1);
}

TEST_CASE("open takes a .db file path as it is") {
    TempDir tmp;
    const auto file = tmp.path() / "elsewhere" / "mine.db";
    auto store = ResultStore::open(file);
    CHECK(store->path() == file);
    CHECK(std::filesystem::is_regular_file(file));
    CHECK_FALSE(std::filesystem::exists(tmp.path() / "elsewhere" / "results.db"));
}

TEST_CASE("experiments round-trip and latest_experiment picks the newest of a name") {
    TempDir tmp;
    auto store = ResultStore::open(tmp.path());
    const auto first = store->create_experiment(make_experiment("alpha"));
    const auto other = store->create_experiment(make_experiment("beta"));
    auto newer_record = make_experiment("alpha");
    newer_record.planned_runs = 99;
    newer_record.config = {{"nested", {{"unicode", "grüße, \"quoted\"\n"}}}, {"list", {1, 2.5, nullptr, true}}};
    const auto newer = store->create_experiment(newer_record);
    CHECK(first != newer);

    const auto latest = store->latest_experiment("alpha");
    REQUIRE(latest);
    CHECK(latest->id == newer);
    CHECK(latest->planned_runs == 99);
    CHECK(latest->config == newer_record.config);
    CHECK_FALSE(store->latest_experiment("gamma"));

    const auto read = store->experiment(other);
    REQUIRE(read);
    const auto expected = make_experiment("beta");
    CHECK(read->name == "beta");
    CHECK(read->file == expected.file);
    CHECK(read->file_hash == expected.file_hash);
    CHECK(read->created_at == expected.created_at);
    CHECK(read->config == expected.config);
    CHECK(read->host == expected.host);
    CHECK(read->planned_runs == expected.planned_runs);
    CHECK_FALSE(store->experiment(12345));

    const auto all = store->experiments();
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == first);
    CHECK(all[2].id == newer);
}

TEST_CASE("a run is stored and read back with every field intact") {
    TempDir tmp;
    const auto file = tmp.path() / "results.db";
    std::int64_t experiment_id = 0;
    RunRecord run;
    {
        auto store = ResultStore::open(tmp.path());
        experiment_id = store->create_experiment(make_experiment());
        run = make_run(experiment_id, "native|stream|array_size=1000000|rep=1");
        run.warmup = true;
        run.repetition = 7;
        run.reason = "";
        run.observed_environment = {{"cpus", {{"online", 2}, {"affinity", {0, 1}}}}, {"memory_bytes", 8589934592LL}};
        run.platform_metadata = {{"image", "debian:12"}, {"digest", "sha256:abc"}};
        run.info = {{"threads_used", "2"}, {"kernel_isa", "avx2"}};
        run.warnings = {"first, with comma", "second \"quoted\"\nand a newline", ""};
        run.runner_stderr = std::string("line 1\nline 2\0with NUL", 22);
        run.metrics.push_back({"scale_min_time", 1e-9, "s", Better::None});
        run.id = store->store_run(run);
        CHECK(run.id > 0);
    }
    // Reopened read-only: what is on disk, not what a connection cached.
    auto store = ResultStore::open_existing(tmp.path());
    const auto runs = store->runs(experiment_id);
    REQUIRE(runs.size() == 1);
    const RunRecord& read = runs.front();
    CHECK(read.id == run.id);
    CHECK(read.experiment_id == experiment_id);
    CHECK(read.run_key == run.run_key);
    CHECK(read.cell_id == run.cell_id);
    CHECK(read.cell_config_hash == run.cell_config_hash);
    CHECK(read.platform_instance == run.platform_instance);
    CHECK(read.platform_plugin == run.platform_plugin);
    CHECK(read.platform_settings == run.platform_settings);
    CHECK(read.workload_instance == run.workload_instance);
    CHECK(read.workload_plugin == run.workload_plugin);
    CHECK(read.workload_params == run.workload_params);
    CHECK(read.repetition == 7);
    CHECK(read.warmup == true);
    CHECK(read.status == RunStatus::Ok);
    CHECK(read.reason == "");
    CHECK(read.started_at == run.started_at);
    CHECK(read.ended_at == run.ended_at);
    CHECK(read.duration_seconds == run.duration_seconds);
    CHECK(read.overhead_seconds == run.overhead_seconds);
    CHECK(read.observed_environment == run.observed_environment);
    CHECK(read.platform_metadata == run.platform_metadata);
    CHECK(read.info == run.info);
    CHECK(read.warnings == run.warnings);
    CHECK(read.runner_stderr == run.runner_stderr);
    REQUIRE(read.metrics.size() == run.metrics.size());
    for (std::size_t i = 0; i < run.metrics.size(); ++i) {
        CAPTURE(i);
        // In the order the workload reported them, not alphabetical.
        CHECK(read.metrics[i].name == run.metrics[i].name);
        CHECK(read.metrics[i].value == run.metrics[i].value);
        CHECK(read.metrics[i].unit == run.metrics[i].unit);
        CHECK(read.metrics[i].better == run.metrics[i].better);
    }
    CHECK(store->stored_run_keys(experiment_id) == std::set<std::string>{run.run_key});
}

TEST_CASE("failed and skipped runs are stored with their reason and no metrics") {
    TempDir tmp;
    auto store = ResultStore::open(tmp.path());
    const auto experiment_id = store->create_experiment(make_experiment());
    auto failed = make_run(experiment_id, "failed-run");
    failed.status = RunStatus::Failed;
    failed.reason = "array does not fit in memory";
    failed.metrics.clear();
    auto skipped = make_run(experiment_id, "skipped-run");
    skipped.status = RunStatus::Skipped;
    skipped.reason = "docker is not installed";
    skipped.metrics.clear();
    store->store_run(failed);
    store->store_run(skipped);
    store->store_run(make_run(experiment_id, "ok-run"));

    CHECK(store->stored_run_keys(experiment_id) == std::set<std::string>{"failed-run", "ok-run", "skipped-run"});
    const auto runs = store->runs(experiment_id);
    REQUIRE(runs.size() == 3);
    CHECK(runs[0].status == RunStatus::Failed);
    CHECK(runs[0].reason == "array does not fit in memory");
    CHECK(runs[0].metrics.empty());
    CHECK(runs[1].status == RunStatus::Skipped);
    CHECK(runs[2].metrics.size() == 3);
}

TEST_CASE("stored_run_keys and runs are per experiment") {
    TempDir tmp;
    auto store = ResultStore::open(tmp.path());
    const auto a = store->create_experiment(make_experiment("a"));
    const auto b = store->create_experiment(make_experiment("b"));
    store->store_run(make_run(a, "k1"));
    store->store_run(make_run(a, "k2"));
    store->store_run(make_run(b, "k1"));  // the same key in another experiment is fine
    CHECK(store->stored_run_keys(a) == std::set<std::string>{"k1", "k2"});
    CHECK(store->stored_run_keys(b) == std::set<std::string>{"k1"});
    CHECK(store->runs(b).size() == 1);
    CHECK(store->runs(b).front().metrics.size() == 3);
    CHECK(store->stored_run_keys(999).empty());
}

TEST_CASE("non-finite metric values are stored as missing and read back as NaN") {
    TempDir tmp;
    auto store = ResultStore::open(tmp.path());
    const auto experiment_id = store->create_experiment(make_experiment());
    auto run = make_run(experiment_id, "k");
    run.metrics = {{"nan", std::numeric_limits<double>::quiet_NaN(), "s", Better::Lower},
                   {"inf", std::numeric_limits<double>::infinity(), "s", Better::Lower},
                   {"minus_inf", -std::numeric_limits<double>::infinity(), "s", Better::Lower},
                   {"finite", 2.0, "s", Better::Lower}};
    store->store_run(run);
    CHECK(count_rows(store->path(), "SELECT count(*) FROM metrics WHERE value IS NULL") == 3);
    const auto read = store->runs(experiment_id).front().metrics;
    REQUIRE(read.size() == 4);
    CHECK(std::isnan(read[0].value));
    CHECK(std::isnan(read[1].value));
    CHECK(std::isnan(read[2].value));
    CHECK(read[3].value == 2.0);
}

TEST_CASE("a duplicate run key is refused and stores nothing") {
    TempDir tmp;
    auto store = ResultStore::open(tmp.path());
    const auto experiment_id = store->create_experiment(make_experiment());
    store->store_run(make_run(experiment_id, "same-key"));
    auto again = make_run(experiment_id, "same-key");
    again.metrics.push_back({"extra", 1, "s", Better::None});
    const std::string message = error_of([&] { store->store_run(again); });
    CHECK(message.find("same-key") != std::string::npos);
    CHECK(message.find("already stored") != std::string::npos);
    CHECK(message.find(store->path().string()) != std::string::npos);
    CHECK(count_rows(store->path(), "SELECT count(*) FROM runs") == 1);
    CHECK(count_rows(store->path(), "SELECT count(*) FROM metrics") == 3);
    // The store is still usable after the refused transaction.
    store->store_run(make_run(experiment_id, "next-key"));
    CHECK(store->stored_run_keys(experiment_id).size() == 2);
}

TEST_CASE("a run whose metrics cannot be stored leaves no run row behind") {
    TempDir tmp;
    auto store = ResultStore::open(tmp.path());
    const auto experiment_id = store->create_experiment(make_experiment());
    auto run = make_run(experiment_id, "k");
    run.metrics.push_back(run.metrics.front());  // the same metric name twice
    const std::string message = error_of([&] { store->store_run(run); });
    CHECK(message.find("copy_best_rate") != std::string::npos);
    CHECK(message.find("twice") != std::string::npos);
    CHECK(count_rows(store->path(), "SELECT count(*) FROM runs") == 0);
    CHECK(count_rows(store->path(), "SELECT count(*) FROM metrics") == 0);
    CHECK(store->stored_run_keys(experiment_id).empty());
}

TEST_CASE("a run of an unknown experiment is refused") {
    TempDir tmp;
    auto store = ResultStore::open(tmp.path());
    const auto experiment_id = store->create_experiment(make_experiment());
    CHECK(error_of([&] { store->store_run(make_run(experiment_id + 41, "k")); }).find("does not exist") !=
          std::string::npos);
    CHECK(count_rows(store->path(), "SELECT count(*) FROM runs") == 0);
}

TEST_CASE("a stored status that is none of ok, failed, skipped is refused, naming the database and the run") {
    TempDir tmp;
    std::int64_t experiment_id = 0;
    {
        auto store = ResultStore::open(tmp.path());
        experiment_id = store->create_experiment(make_experiment());
        store->store_run(make_run(experiment_id, "damaged"));
    }
    const auto file = tmp.path() / "results.db";
    {
        // The CHECK constraint keeps such a text out; a hand edit that turns it off gets past it.
        sqlite::Database db(file, sqlite::OpenMode::ReadWriteCreate);
        db.exec("PRAGMA ignore_check_constraints = ON");
        db.exec("UPDATE runs SET status = 'done'");
    }
    auto store = ResultStore::open_existing(tmp.path());
    for (const std::string& message : {error_of([&] { store->runs(experiment_id); }),
                                       error_of([&] { store->stored_run_outcomes(experiment_id); })}) {
        CHECK_MESSAGE(message.find(file.string()) != std::string::npos, message);
        CHECK_MESSAGE(message.find("'damaged'") != std::string::npos, message);
        CHECK_MESSAGE(message.find("status 'done' is none of ok, failed, skipped") != std::string::npos, message);
    }
    auto writable = ResultStore::open(tmp.path());
    auto retried = make_run(experiment_id, "damaged");
    CHECK(error_of([&] { writable->store_retried_run(retried); }).find("status 'done'") != std::string::npos);
}

TEST_CASE("a database of another program is refused and left untouched") {
    TempDir tmp;
    const auto file = tmp.path() / "results.db";
    {
        sqlite::Database foreign(file, sqlite::OpenMode::ReadWriteCreate);
        foreign.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
    }
    const std::string message = error_of([&] { ResultStore::open(tmp.path()); });
    CHECK(message.find(file.string()) != std::string::npos);
    CHECK(message.find("not a platbench results database") != std::string::npos);
    CHECK(error_of([&] { ResultStore::open_existing(tmp.path()); }).find("not a platbench results database") !=
          std::string::npos);
    sqlite::Database check(file, sqlite::OpenMode::ReadOnly);
    CHECK(check.query_text("PRAGMA journal_mode") == "delete");
    CHECK(check.query_int("SELECT count(*) FROM sqlite_master") == 1);
}

TEST_CASE("a file that is not SQLite at all is refused") {
    TempDir tmp;
    const auto file = tmp.path() / "results.db";
    std::ofstream(file) << "this is a text file, long enough to fill the header of an SQLite database: "
                        << std::string(200, 'x');
    const std::string message = error_of([&] { ResultStore::open(tmp.path()); });
    CHECK(message.find(file.string()) != std::string::npos);
    CHECK(message.find("not a platbench results database") != std::string::npos);
}

TEST_CASE("a database of another schema version is refused") {
    TempDir tmp;
    { ResultStore::open(tmp.path()); }
    {
        sqlite::Database db(tmp.path() / "results.db", sqlite::OpenMode::ReadWriteCreate);
        db.exec("PRAGMA user_version = 2");
    }
    const std::string message = error_of([&] { ResultStore::open(tmp.path()); });
    CHECK(message.find("schema version 2") != std::string::npos);
    CHECK(message.find("newer platbench") != std::string::npos);
    CHECK(message.find((tmp.path() / "results.db").string()) != std::string::npos);
    CHECK(error_of([&] { ResultStore::open_existing(tmp.path()); }).find("schema version 2") != std::string::npos);
}

TEST_CASE("open_existing of a missing database fails clearly and creates nothing") {
    TempDir tmp;
    const auto dir = tmp.path() / "never-written";
    const std::string message = error_of([&] { ResultStore::open_existing(dir); });
    CHECK(message.find((dir / "results.db").string()) != std::string::npos);
    CHECK(message.find("no results database") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir));
    CHECK(error_of([&] { ResultStore::open_existing(tmp.path() / "missing.db"); }).find("missing.db") !=
          std::string::npos);
}

TEST_CASE("open_existing is read-only") {
    TempDir tmp;
    std::int64_t experiment_id = 0;
    {
        auto store = ResultStore::open(tmp.path());
        experiment_id = store->create_experiment(make_experiment());
        store->store_run(make_run(experiment_id, "k"));
    }
    auto store = ResultStore::open_existing(tmp.path());
    CHECK(store->runs(experiment_id).size() == 1);
    const std::string message = error_of([&] { store->store_run(make_run(experiment_id, "other")); });
    CHECK(message.find(store->path().string()) != std::string::npos);
    CHECK(message.find("read-only") != std::string::npos);
    CHECK_THROWS_AS(store->create_experiment(make_experiment()), std::runtime_error);
    CHECK(store->stored_run_keys(experiment_id) == std::set<std::string>{"k"});
}

TEST_CASE("two connections on one database see each other's committed runs") {
    TempDir tmp;
    auto writer = ResultStore::open(tmp.path());
    auto second = ResultStore::open(tmp.path());
    const auto experiment_id = writer->create_experiment(make_experiment());
    writer->store_run(make_run(experiment_id, "a"));
    second->store_run(make_run(experiment_id, "b"));
    CHECK(writer->stored_run_keys(experiment_id) == std::set<std::string>{"a", "b"});
    CHECK_THROWS_AS(second->store_run(make_run(experiment_id, "a")), std::runtime_error);
}

TEST_CASE("a run tried again replaces its failed or skipped attempt, never an ok one") {
    TempDir tmp;
    auto store = ResultStore::open(tmp.path());
    const auto experiment_id = store->create_experiment(make_experiment());
    auto failed = make_run(experiment_id, "retried");
    failed.status = RunStatus::Failed;
    failed.reason = "cannot reach the Docker daemon";
    failed.metrics.clear();
    store->store_run(failed);
    store->store_run(make_run(experiment_id, "done"));

    const auto outcomes = store->stored_run_outcomes(experiment_id);
    REQUIRE(outcomes.size() == 2);
    CHECK(outcomes.at("retried").status == RunStatus::Failed);
    CHECK(outcomes.at("retried").reason == "cannot reach the Docker daemon");
    CHECK(outcomes.at("done").status == RunStatus::Ok);

    store->store_retried_run(make_run(experiment_id, "retried"));
    const auto runs = store->runs(experiment_id);
    REQUIRE(runs.size() == 2);
    for (const auto& run : runs) {
        CHECK(run.status == RunStatus::Ok);
        CHECK(run.metrics.size() == 3);
    }
    // An ok run is never replaced: the transaction stores nothing.
    CHECK(error_of([&] { store->store_retried_run(make_run(experiment_id, "done")); }).find("already stored as ok") !=
          std::string::npos);
    CHECK(store->runs(experiment_id).size() == 2);
    CHECK(count_rows(store->path(), "SELECT count(*) FROM metrics") == 6);
    // A run never stored before is simply stored.
    store->store_retried_run(make_run(experiment_id, "new"));
    CHECK(store->runs(experiment_id).size() == 3);
}
