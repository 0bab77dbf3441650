// The end-of-run comparison with the baseline: cells matched by what they run,
// metrics without a better direction left out, ambiguous and missing baselines
// noted, and tables in the file's cell order whatever order the runs went in.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "analysis/comparison_table.hpp"
#include "analysis/summary.hpp"

using namespace platbench;

namespace {

RunRecord run(const std::string& platform, const std::string& workload, int size, double rate,
              RunStatus status = RunStatus::Ok, bool warmup = false) {
    RunRecord record;
    record.platform_instance = platform;
    record.workload_instance = workload;
    record.workload_params = {{"size", size}};
    record.cell_id = platform + "/" + workload + "/size:" + std::to_string(size);
    record.status = status;
    record.warmup = warmup;
    if (status == RunStatus::Ok) {
        record.metrics.push_back({"rate", rate, "MB/s", Better::Higher});
        record.metrics.push_back({"latency", 1000.0 / rate, "us", Better::Lower});
        record.metrics.push_back({"bytes", 4096, "bytes", Better::None});
    }
    return record;
}

}  // namespace

TEST_CASE("each cell is compared with the baseline cell running the same workload and parameters") {
    std::vector<RunRecord> runs;
    for (double rate : {100.0, 102.0, 98.0, 101.0}) runs.push_back(run("native", "stream", 1, rate));
    for (double rate : {50.0, 51.0, 49.0, 50.5}) runs.push_back(run("native", "stream", 2, rate));
    for (double rate : {90.0, 91.0, 89.0, 90.5}) runs.push_back(run("docker", "stream", 1, rate));
    for (double rate : {50.2, 50.8, 49.4, 50.1}) runs.push_back(run("docker", "stream", 2, rate));
    runs.push_back(run("docker", "stream", 1, 5.0, RunStatus::Ok, true));  // a warmup: left out
    runs.push_back(run("docker", "stream", 1, 0, RunStatus::Failed));      // a failure: left out

    const BaselineComparison comparison = compare_with_baseline(runs, "native");
    CHECK(comparison.notes.empty());
    REQUIRE(comparison.rows.size() == 4);  // rate and latency for two cells; bytes has no direction
    const ComparisonRow& rate = comparison.rows[0];
    CHECK(rate.cell_id == "docker/stream/size:1");
    CHECK(rate.baseline_cell_id == "native/stream/size:1");
    CHECK(rate.metric == "rate");
    CHECK(rate.n == 4);
    CHECK(rate.baseline_n == 4);
    CHECK(rate.ratio.ratio == doctest::Approx(90.125 / 100.25));
    CHECK(rate.verdict == Verdict::Slower);
    CHECK(comparison.rows[1].metric == "latency");
    CHECK(comparison.rows[1].verdict == Verdict::Slower);  // higher latency is slower too
    CHECK(comparison.rows[2].cell_id == "docker/stream/size:2");
    CHECK(comparison.rows[2].baseline_cell_id == "native/stream/size:2");
    CHECK(comparison.rows[2].verdict == Verdict::NoSignificantDifference);

    std::ostringstream out;
    print_comparison(comparison, out);
    CHECK(out.str().find("relative performance against native (higher is better") != std::string::npos);
    // rate is higher-better: relative = ratio; latency is lower-better: its inverse.
    CHECK(rate.relative.ratio == doctest::Approx(rate.ratio.ratio));
    CHECK(comparison.rows[1].relative.ratio == doctest::Approx(1 / comparison.rows[1].ratio.ratio));
    CHECK(out.str().find("docker/stream/size:1  rate") != std::string::npos);
    CHECK(out.str().find("slower") != std::string::npos);
}

TEST_CASE("cells without a baseline, or with several, are noted rather than compared") {
    std::vector<RunRecord> runs;
    for (double rate : {100.0, 101.0}) runs.push_back(run("docker", "stream", 1, rate));
    for (double rate : {100.0, 101.0}) runs.push_back(run("native", "stream", 2, rate));
    RunRecord second_native = run("native", "stream", 2, 99.0);
    second_native.cell_id = "native/stream/size:2/cpuset:1";  // a list in native's own settings
    runs.push_back(second_native);
    runs.push_back(second_native);
    for (double rate : {100.0, 101.0}) runs.push_back(run("docker", "stream", 2, rate));

    const BaselineComparison comparison = compare_with_baseline(runs, "native");
    CHECK(comparison.rows.empty());
    REQUIRE(comparison.notes.size() == 2);
    CHECK(comparison.notes[0] == "docker/stream/size:1: no successful native cell runs the same workload");
    CHECK(comparison.notes[1].find("2 native cells run the same workload") != std::string::npos);

    // No baseline runs at all (none configured): nothing is printed.
    std::ostringstream out;
    print_comparison(compare_with_baseline({}, "native"), out);
    CHECK(out.str().empty());
}

TEST_CASE("tables follow the file's cell order, not the shuffled order of the runs") {
    const std::vector<RunRecord> runs = {run("docker", "stream", 1, 1), run("native", "stream", 2, 1),
                                         run("native", "stream", 1, 1), run("docker", "stream", 1, 2),
                                         run("other", "stream", 9, 1)};
    const nlohmann::json cells = nlohmann::json::array(
        {{{"id", "native/stream/size:1"}}, {{"id", "native/stream/size:2"}}, {{"id", "docker/stream/size:1"}}});
    const std::vector<RunRecord> ordered = in_matrix_order(runs, cells);
    std::vector<std::string> ids;
    std::vector<double> rates;
    for (const RunRecord& r : ordered) ids.push_back(r.cell_id);
    CHECK(ids == std::vector<std::string>{"native/stream/size:1", "native/stream/size:2", "docker/stream/size:1",
                                          "docker/stream/size:1", "other/stream/size:9"});
    CHECK(ordered[2].metrics[0].value == 1);  // stable: the runs of a cell keep their order
    CHECK(ordered[3].metrics[0].value == 2);
    CHECK(in_matrix_order(runs, nlohmann::json("not cells")).size() == 5);
}

TEST_CASE("a cell's metrics are one family: verdicts come from Holm's adjusted p, the raw p is kept") {
    // 16 metrics, each a little higher on docker: at 5% alone several would be "faster"
    // by chance of the family; Holm's adjustment keeps the verdicts honest.
    std::vector<RunRecord> runs;
    const std::vector<std::vector<double>> native = {{100, 103, 97, 101}}, docker = {{101, 104, 99, 103}};
    for (int r = 0; r < 4; ++r) {
        RunRecord base = run("native", "stream", 1, 100), other = run("docker", "stream", 1, 100);
        base.metrics.clear();
        other.metrics.clear();
        for (int m = 0; m < 16; ++m) {
            base.metrics.push_back({"m" + std::to_string(m), native[0][r], "x", Better::Higher});
            other.metrics.push_back({"m" + std::to_string(m), docker[0][r] + (m == 0 ? 30 : 0), "x", Better::Higher});
        }
        runs.push_back(base);
        runs.push_back(other);
    }
    const BaselineComparison comparison = compare_with_baseline(runs, "native");
    REQUIRE(comparison.rows.size() == 16);
    CHECK(comparison.rows[0].verdict == Verdict::Faster);  // 30 units apart: beyond any family's doubt
    CHECK(comparison.rows[0].p_adjusted == doctest::Approx(std::min(1.0, 16 * comparison.rows[0].p_value)));
    for (std::size_t i = 1; i < comparison.rows.size(); ++i) {
        CAPTURE(i);
        CHECK(comparison.rows[i].p_adjusted >= comparison.rows[i].p_value);
        CHECK(comparison.rows[i].verdict == Verdict::NoSignificantDifference);
    }
    std::ostringstream printed;
    print_comparison(comparison, printed);
    CHECK(printed.str().find("p adjusted by Holm over each cell's metrics") != std::string::npos);
}

TEST_CASE("two experiments' cells of the same name but other settings are not compared, each difference named") {
    std::vector<RunRecord> before, after;
    for (double rate : {100.0, 101.0, 99.0}) before.push_back(run("native", "stream", 1, rate));
    for (double rate : {90.0, 91.0, 89.0}) after.push_back(run("native", "stream", 1, rate));
    for (RunRecord& r : before) r.workload_params["array_size"] = 20000000;
    for (RunRecord& r : after) r.workload_params["array_size"] = 3000000;
    const BaselineComparison comparison = compare_experiments(before, after, "A");
    CHECK(comparison.rows.empty());
    REQUIRE(comparison.notes.size() == 1);
    CHECK(comparison.notes[0] == "native/stream/size:1: not comparable, the settings differ (A's value first): "
                                 "workload array_size: 20000000 -> 3000000");
    // Alike settings are compared as before.
    for (RunRecord& r : after) r.workload_params["array_size"] = 20000000;
    CHECK(compare_experiments(before, after, "A").rows.size() == 2);
}

TEST_CASE("runs of one cell id with two configurations are never pooled: the later settings get a name of their own") {
    std::vector<RunRecord> runs;
    for (double rate : {100.0, 101.0}) {
        runs.push_back(run("native", "stream", 1, rate));
        runs.back().cell_config_hash = "aaaaaaaaaaaaaaaa";
    }
    for (double rate : {300.0, 301.0}) {
        runs.push_back(run("native", "stream", 1, rate));
        runs.back().cell_config_hash = "bbbbbbbbbbbbbbbb";
    }
    const nlohmann::json cells = {{{"id", "native/stream/size:1"}, {"config_hash", "aaaaaaaaaaaaaaaa"}}};
    const std::vector<RunRecord> ordered = in_matrix_order(runs, cells);
    const ExperimentSummary summary = summarize_runs(ordered);
    REQUIRE(summary.cells.size() == 2);
    CHECK(summary.cells[0].cell_id == "native/stream/size:1");
    CHECK(summary.cells[0].ok == 2);
    CHECK(summary.cells[1].cell_id == "native/stream/size:1 (settings bbbbbbbb)");
    CHECK(summary.rows[0].mean == doctest::Approx(100.5));  // the planned configuration alone
    // One configuration only: the name stays as it is.
    runs.resize(2);
    CHECK(in_matrix_order(runs, cells)[1].cell_id == "native/stream/size:1");
}

TEST_CASE("an experiment without a baseline is not compared, said once") {
    std::vector<RunRecord> runs;
    for (double rate : {90.0, 91.0, 89.0}) runs.push_back(run("docker", "stream", 1, rate));
    for (double rate : {80.0, 81.0, 79.0}) runs.push_back(run("other", "stream", 1, rate));
    const BaselineComparison comparison = compare_with_baseline(runs, "");
    CHECK(comparison.rows.empty());
    REQUIRE(comparison.notes.size() == 1);
    CHECK(comparison.notes[0].find("no platform is the baseline") == 0);
}
