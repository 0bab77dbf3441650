// The summary table `platbench run` ends with: warmups left out, failed runs
// counted apart, and per metric the 95% interval and the outliers flagged.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/summary.hpp"
#include "store/run_caveats.hpp"

using namespace platbench;

namespace {

RunRecord run(const std::string& cell, double value, bool warmup = false, RunStatus status = RunStatus::Ok) {
    RunRecord record;
    record.cell_id = cell;
    record.warmup = warmup;
    record.status = status;
    if (status == RunStatus::Ok) record.metrics.push_back({"rate", value, "MB/s", Better::Higher});
    if (status != RunStatus::Ok) record.reason = std::string("scripted ") + run_status_name(status);
    return record;
}

}  // namespace

TEST_CASE("the run summary leaves warmups out and gives the interval and outliers per metric") {
    const std::vector<RunRecord> runs = {run("a", 1000, true), run("a", 1, false), run("a", 2),
                                         run("a", 3),          run("a", 4),        run("a", 100),
                                         run("b", 0, false, RunStatus::Failed)};
    const ExperimentSummary summary = summarize_runs(runs);
    REQUIRE(summary.rows.size() == 1);
    const MetricSummaryRow& row = summary.rows[0];
    CHECK(row.cell_id == "a");
    CHECK(row.n == 5);  // the warmup's 1000 is not among them
    CHECK(row.mean == doctest::Approx(22));
    CHECK(row.median == doctest::Approx(3));
    CHECK(row.cv == doctest::Approx(row.stddev / 22));
    CHECK(row.outliers == 1);
    // t(0.975, 4) = 2.776445; stddev of {1, 2, 3, 4, 100}.
    CHECK(row.ci95_half_width == doctest::Approx(2.776445 * row.stddev / std::sqrt(5.0)).epsilon(1e-6));
    REQUIRE(summary.cells.size() == 2);
    CHECK(summary.cells[1].failed == 1);
    CHECK(summary.cells[1].last_reason == "scripted failed");

    std::ostringstream out;
    print_summary(summary, out);
    const std::string text = out.str();
    CHECK(text.find("±95%") != std::string::npos);
    CHECK(text.find("outliers") != std::string::npos);
    CHECK(text.find("b: 0 ok, 1 failed, 0 skipped; last reason: scripted failed") != std::string::npos);
    // Columns line up on the terminal: "±" is two bytes but one column.
    std::istringstream lines(text);
    std::string header, first;
    std::getline(lines, header);
    std::getline(lines, first);
    auto columns = [](const std::string& s) {
        std::size_t n = 0;
        for (unsigned char c : s) n += (c & 0xC0) != 0x80;
        return n;
    };
    CHECK(columns(header) == columns(first));
}

TEST_CASE("a platform's caveat on its figures is printed under the table, once per platform") {
    std::vector<RunRecord> runs = {run("kvm/stream", 1), run("kvm/blockio", 2), run("native/stream", 3)};
    for (RunRecord& record : runs) record.platform_instance = record.cell_id.substr(0, record.cell_id.find('/'));
    for (int i = 0; i < 2; ++i)
        record_caveats({{Caveat::Kind::Emulation, "TCG: QEMU emulates the CPU; these figures are not KVM performance"}},
                       runs[i].platform_metadata);
    const ExperimentSummary summary = summarize_runs(runs);
    REQUIRE(summary.notes.size() == 1);
    std::ostringstream out;
    print_summary(summary, out);
    CHECK(out.str().find("note: kvm: TCG: QEMU emulates the CPU; these figures are not KVM performance\n") !=
          std::string::npos);
    CHECK(out.str().find("note: native") == std::string::npos);
}
