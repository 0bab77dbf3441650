#include <doctest/doctest.h>

#include <limits>
#include <sstream>

#include "store/result_store.hpp"
#include "store_test_support.hpp"

using namespace platbench;
using platbench::test::make_experiment;
using platbench::test::make_run;
using platbench::test::TempDir;

namespace {

using CsvTable = std::vector<std::vector<std::string>>;

// A strict RFC 4180 reader: fails the test on anything a CSV library would reject
// (a quote inside an unquoted field, text after a closing quote, an unterminated quote).
CsvTable parse_csv(const std::string& text) {
    CsvTable rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    bool field_was_quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
                REQUIRE_MESSAGE((i + 1 == text.size() || text[i + 1] == ',' || text[i + 1] == '\n'),
                                "text after a closing quote at offset ", i);
            } else {
                field += c;
            }
        } else if (c == '"') {
            REQUIRE_MESSAGE(field.empty(), "quote inside an unquoted field at offset ", i);
            REQUIRE_FALSE(field_was_quoted);
            quoted = true;
            field_was_quoted = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
            field_was_quoted = false;
        } else if (c == '\n') {
            row.push_back(std::move(field));
            rows.push_back(std::move(row));
            field.clear();
            row.clear();
            field_was_quoted = false;
        } else {
            REQUIRE_MESSAGE(c != '\r', "bare CR in an unquoted field at offset ", i);
            field += c;
        }
    }
    REQUIRE_MESSAGE(!quoted, "unterminated quoted field");
    REQUIRE_MESSAGE(row.empty(), "last row not terminated by a newline");
    REQUIRE(field.empty());
    return rows;
}

const std::vector<std::string> kHeader = {"experiment_id", "experiment", "run_id", "cell_id", "platform",
                                          "platform_plugin", "workload", "workload_plugin", "repetition",
                                          "warmup", "status", "reason", "started_at", "ended_at", "metric",
                                          "value", "unit", "better"};

std::size_t column(const std::string& name) {
    for (std::size_t i = 0; i < kHeader.size(); ++i) {
        if (kHeader[i] == name) {
            return i;
        }
    }
    FAIL("no column " << name);
    return 0;
}

const std::string kNastyName = "exp, \"quoted\"\nsecond line\r\nthird";

struct Fixture {
    TempDir tmp;
    std::unique_ptr<ResultStore> store = ResultStore::open(tmp.path());
    std::int64_t experiment_id = 0;
    std::int64_t other_experiment_id = 0;

    Fixture() {
        experiment_id = store->create_experiment(make_experiment(kNastyName));
        auto ok = make_run(experiment_id, "ok");
        ok.cell_id = "cell,with \"commas\"";
        ok.metrics.front().unit = "MB/s, \"decimal\"";
        ok.metrics.push_back({"not_finite", std::numeric_limits<double>::infinity(), "s", Better::Lower});
        ok.metrics.push_back({"precise", 0.1 + 0.2, "", Better::None});
        ok.warnings = {"warning, one", "warning \"two\"\n"};
        ok.runner_stderr = "bad byte \xff here";
        store->store_run(ok);
        auto failed = make_run(experiment_id, "failed");
        failed.status = RunStatus::Failed;
        failed.reason = "runner exited with status 3:\n\"out of memory\", giving up";
        failed.metrics.clear();
        failed.warmup = true;
        store->store_run(failed);
        other_experiment_id = store->create_experiment(make_experiment("other"));
        store->store_run(make_run(other_experiment_id, "ok"));
    }

    std::string export_text(std::optional<std::int64_t> id, ExportFormat format) {
        std::ostringstream out;
        export_results(*store, id, format, out);
        return out.str();
    }
};

}  // namespace

TEST_CASE("CSV export: a header, one row per run and metric, RFC 4180 quoting") {
    Fixture f;
    const CsvTable rows = parse_csv(f.export_text(f.experiment_id, ExportFormat::Csv));
    REQUIRE(rows.size() == 1 + 5 + 1);  // header, 5 metrics of the ok run, 1 row of the failed run
    CHECK(rows[0] == kHeader);
    for (const auto& row : rows) {
        REQUIRE(row.size() == kHeader.size());
    }
    const auto& first = rows[1];
    CHECK(first[column("experiment_id")] == std::to_string(f.experiment_id));
    CHECK(first[column("experiment")] == kNastyName);
    CHECK(first[column("cell_id")] == "cell,with \"commas\"");
    CHECK(first[column("platform")] == "native");
    CHECK(first[column("workload_plugin")] == "stream");
    CHECK(first[column("repetition")] == "1");
    CHECK(first[column("warmup")] == "false");
    CHECK(first[column("status")] == "ok");
    CHECK(first[column("started_at")] == "2026-11-26T04:43:05.000Z");
    CHECK(first[column("metric")] == "copy_best_rate");
    CHECK(first[column("value")] == "12345.5");
    CHECK(first[column("unit")] == "MB/s, \"decimal\"");
    CHECK(first[column("better")] == "higher");
    CHECK(rows[4][column("metric")] == "not_finite");
    CHECK(rows[4][column("value")] == "");  // stored as missing
    CHECK(rows[5][column("metric")] == "precise");
    CHECK(std::stod(rows[5][column("value")]) == 0.1 + 0.2);  // shortest text that reads back exactly

    const auto& failed = rows[6];
    CHECK(failed[column("status")] == "failed");
    CHECK(failed[column("warmup")] == "true");
    CHECK(failed[column("reason")] == "runner exited with status 3:\n\"out of memory\", giving up");
    for (const char* empty : {"metric", "value", "unit", "better"}) {
        CHECK(failed[column(empty)] == "");
    }
}

TEST_CASE("CSV export of all experiments, and of an unknown one") {
    Fixture f;
    const CsvTable rows = parse_csv(f.export_text(std::nullopt, ExportFormat::Csv));
    CHECK(rows.size() == 1 + 6 + 3);
    CHECK(rows.back()[column("experiment")] == "other");
    CHECK_THROWS_WITH_AS(f.export_text(424242, ExportFormat::Csv), doctest::Contains("no experiment with id 424242"),
                         std::runtime_error);
}

TEST_CASE("CSV export of an empty store is the header alone") {
    TempDir tmp;
    auto store = ResultStore::open(tmp.path());
    std::ostringstream out;
    export_results(*store, std::nullopt, ExportFormat::Csv, out);
    CHECK(parse_csv(out.str()) == CsvTable{kHeader});
}

TEST_CASE("JSON export parses back with every run field and parsed JSON columns") {
    Fixture f;
    const auto document = nlohmann::json::parse(f.export_text(std::nullopt, ExportFormat::Json));
    REQUIRE(document["experiments"].size() == 2);
    const auto& experiment = document["experiments"][0];
    CHECK(experiment["id"] == f.experiment_id);
    CHECK(experiment["name"] == kNastyName);
    CHECK(experiment["config"] == make_experiment().config);
    CHECK(experiment["host"]["cpu_model"] == "AMD EPYC");
    CHECK(experiment["planned_runs"] == 12);
    REQUIRE(experiment["runs"].size() == 2);

    const auto& ok = experiment["runs"][0];
    for (const char* key : {"id", "experiment_id", "run_key", "cell_id", "cell_config_hash", "platform_instance",
                            "platform_plugin", "platform_settings", "workload_instance", "workload_plugin",
                            "workload_params", "repetition", "warmup", "status", "reason", "started_at", "ended_at",
                            "duration_seconds", "overhead_seconds", "observed_environment", "platform_metadata",
                            "info", "warnings", "metrics", "runner_stderr"}) {
        CAPTURE(key);
        CHECK(ok.contains(key));
    }
    CHECK(ok["run_key"] == "ok");
    CHECK(ok["workload_params"] == nlohmann::json{{"array_size", 1000000}, {"threads", 2}});
    CHECK(ok["platform_settings"]["cpus"] == 2);
    CHECK(ok["warmup"] == false);
    CHECK(ok["duration_seconds"] == 1.5);
    CHECK(ok["warnings"] == nlohmann::json{"warning, one", "warning \"two\"\n"});
    CHECK(ok["runner_stderr"].get<std::string>().find("bad byte") == 0);  // invalid UTF-8 replaced, not fatal
    REQUIRE(ok["metrics"].size() == 5);
    CHECK(ok["metrics"][0] ==
          nlohmann::json{{"name", "copy_best_rate"}, {"value", 12345.5}, {"unit", "MB/s, \"decimal\""}, {"better", "higher"}});
    CHECK(ok["metrics"][3]["value"].is_null());

    const auto& failed = experiment["runs"][1];
    CHECK(failed["status"] == "failed");
    CHECK(failed["metrics"].empty());
    CHECK(document["experiments"][1]["name"] == "other");
}

TEST_CASE("JSON export of one experiment") {
    Fixture f;
    const auto document = nlohmann::json::parse(f.export_text(f.other_experiment_id, ExportFormat::Json));
    REQUIRE(document["experiments"].size() == 1);
    CHECK(document["experiments"][0]["id"] == f.other_experiment_id);
    CHECK(document["experiments"][0]["runs"].size() == 1);
}
