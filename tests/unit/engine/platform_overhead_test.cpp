// The platform overhead, computed by the engine the same way for every platform.
#include <doctest/doctest.h>

#include <cmath>

#include "engine/run_executor.hpp"
#include "platbench/runner_protocol.hpp"

using namespace platbench;

namespace {

// A started runner that printed a valid result line with this lifetime.
PlatformRunOutcome outcome_with_runner_seconds(std::optional<double> runner_seconds) {
    RunnerReport report;
    report.ok = true;
    report.workload = "echo";
    report.metrics.push_back({"echo_value", 1.0, "units", Better::Higher});
    report.runner_seconds = runner_seconds;
    PlatformRunOutcome outcome;
    outcome.started = true;
    outcome.exit_code = 0;
    outcome.stdout_text = encode_result_line(report);
    return outcome;
}

}  // namespace

TEST_CASE("the overhead is the platform run's wall time less the runner's life, at least 0, unknown without it") {
    CHECK(platform_overhead_seconds(2.0, 1.25) == doctest::Approx(0.75));
    CHECK(platform_overhead_seconds(1.25, 1.25) == 0.0);
    CHECK(platform_overhead_seconds(1.0, 1.5) == 0.0);  // a guest's clock ran ahead of the host's
    CHECK(platform_overhead_seconds(0.5, 0.0) == doctest::Approx(0.5));
    CHECK_FALSE(platform_overhead_seconds(2.0, std::nullopt).has_value());
}

TEST_CASE("a record's overhead comes from the engine's clock, never from the platform's own overhead_seconds") {
    PlatformRunOutcome outcome = outcome_with_runner_seconds(1.25);
    outcome.overhead_seconds = 99;  // what a platform may still claim
    RunRecord record;
    fill_from_outcome(record, outcome, 2.0);
    CHECK(record.status == RunStatus::Ok);
    CHECK(record.overhead_seconds == doctest::Approx(0.75));
    CHECK(record.info.at("runner_seconds") == 1.25);
    CHECK_FALSE(record.info.contains("overhead_unknown"));
}

TEST_CASE("without the runner's lifetime the overhead is unknown, and the record says why") {
    RunRecord older;
    fill_from_outcome(older, outcome_with_runner_seconds(std::nullopt), 2.0);
    CHECK(older.status == RunStatus::Ok);
    CHECK(std::isnan(older.overhead_seconds));
    CHECK(older.info.at("overhead_unknown") == "the runner's result line has no runner_seconds (an older runner)");

    PlatformRunOutcome crashed;
    crashed.started = true;
    crashed.term_signal = 9;
    crashed.overhead_seconds = 3;
    RunRecord failed;
    fill_from_outcome(failed, crashed, 2.0);
    CHECK(failed.status == RunStatus::Failed);
    CHECK(std::isnan(failed.overhead_seconds));
    CHECK(failed.info.at("overhead_unknown") == "the runner gave no valid result line");
}
