// Which cells adaptive repetitions repeat: the deciding metric and the width of
// its 95% interval relative to the mean.
#include <doctest/doctest.h>

#include <cmath>

#include "analysis/convergence.hpp"

using namespace platbench;

namespace {

RunRecord run(const std::string& cell, std::vector<Metric> metrics, RunStatus status = RunStatus::Ok) {
    RunRecord record;
    record.cell_id = cell;
    record.status = status;
    record.metrics = std::move(metrics);
    return record;
}

}  // namespace

TEST_CASE("a cell converges when its interval's half-width is within the target share of the mean") {
    std::vector<RunRecord> runs;
    for (double value : {100.0, 101.0, 99.0, 100.0}) runs.push_back(run("steady", {{"rate", value, "MB/s", Better::Higher}}));
    for (double value : {100.0, 140.0, 70.0}) runs.push_back(run("noisy", {{"rate", value, "MB/s", Better::Higher}}));
    const auto cells = cell_convergence(runs, "", 0.02);
    const CellConvergence& steady = cells.at("steady");
    CHECK(steady.metric == "rate");
    CHECK(steady.n == 4);
    // t(0.975, 3) = 3.182446 * stddev 0.8165 / sqrt(4) / 100
    CHECK(steady.relative_half_width == doctest::Approx(3.182446 * 0.816497 / 2 / 100).epsilon(1e-4));
    CHECK(steady.converged);
    CHECK_FALSE(cells.at("noisy").converged);
}

TEST_CASE("the deciding metric: the one named, else the first with a direction and a non-zero value") {
    const std::vector<RunRecord> runs = {
        run("write", {{"read_iops", 0, "IOPS", Better::Higher}, {"bytes", 5, "bytes", Better::None},
                      {"write_iops", 900, "IOPS", Better::Higher}}),
        run("write", {{"read_iops", 0, "IOPS", Better::Higher}, {"bytes", 5, "bytes", Better::None},
                      {"write_iops", 910, "IOPS", Better::Higher}})};
    CHECK(cell_convergence(runs, "", 0.5).at("write").metric == "write_iops");
    CHECK(cell_convergence(runs, "bytes", 0.5).at("write").metric == "bytes");
    CHECK(cell_convergence(runs, "bytes", 0.5).at("write").converged);  // 5, 5: no spread
}

TEST_CASE("warmups and failures do not count, and a single sample has no interval") {
    std::vector<RunRecord> runs = {run("c", {{"rate", 10, "MB/s", Better::Higher}})};
    RunRecord warmup = run("c", {{"rate", 1000, "MB/s", Better::Higher}});
    warmup.warmup = true;
    runs.push_back(warmup);
    runs.push_back(run("c", {}, RunStatus::Failed));
    runs.push_back(run("gone", {}, RunStatus::Failed));
    const auto cells = cell_convergence(runs, "", 0.05);
    CHECK(cells.at("c").n == 1);
    CHECK(std::isnan(cells.at("c").relative_half_width));
    CHECK_FALSE(cells.at("c").converged);
    CHECK(cells.at("gone").metric.empty());  // nothing to repeat for
}
