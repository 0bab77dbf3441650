// interpret_outcome: every way a run can end, and the reason the user reads.
#include <doctest/doctest.h>

#include <signal.h>

#include "platbench/runner_protocol.hpp"

using platbench::RunStatus;

namespace {

using platbench::PlatformRunOutcome;

PlatformRunOutcome exited(int code, std::string out, std::string err = "") {
    PlatformRunOutcome outcome;
    outcome.started = true;
    outcome.exit_code = code;
    outcome.stdout_text = std::move(out);
    outcome.stderr_text = std::move(err);
    return outcome;
}

platbench::RunnerReport report(bool ok, std::string error = "") {
    platbench::RunnerReport r;
    r.ok = ok;
    r.error = std::move(error);
    r.workload = "echo";
    if (ok) r.metrics = {{"echo_value", 1, "units", platbench::Better::Higher}};
    return r;
}

}  // namespace

TEST_CASE("a valid ok report with exit 0 is ok and carries the report") {
    const auto result = platbench::interpret_outcome(exited(0, platbench::encode_result_line(report(true))));
    CHECK(result.status == RunStatus::Ok);
    CHECK(result.reason.empty());
    REQUIRE(result.report.has_value());
    CHECK(result.report->metrics.at(0).name == "echo_value");
}

TEST_CASE("a valid report with ok=false fails with the workload's error") {
    const auto result = platbench::interpret_outcome(
        exited(1, platbench::encode_result_line(report(false, "array does not fit in memory"))));
    CHECK(result.status == RunStatus::Failed);
    CHECK(result.reason == "array does not fit in memory");
    CHECK(result.report.has_value());
}

TEST_CASE("a platform that could not start the runner says so") {
    PlatformRunOutcome outcome;
    outcome.failure = "docker: image platbench-runner:abc not found";
    const auto result = platbench::interpret_outcome(outcome);
    CHECK(result.status == RunStatus::Failed);
    CHECK(result.reason == "platform could not start the runner: docker: image platbench-runner:abc not found");
    CHECK_FALSE(result.report.has_value());
}

TEST_CASE("a platform that lost a started run, with no exit status, says so instead of quoting a status") {
    PlatformRunOutcome outcome = exited(-1, "");
    outcome.failure = "the guest's report is malformed: unexpected bytes";
    const auto result = platbench::interpret_outcome(outcome);
    CHECK(result.status == RunStatus::Failed);
    CHECK(result.reason == "the platform lost the run: the guest's report is malformed: unexpected bytes");
    CHECK_FALSE(result.report.has_value());
}

TEST_CASE("cancelled and timed-out runs are named, a timeout pointing at `timeout:`") {
    PlatformRunOutcome cancelled = exited(-1, "");
    cancelled.cancelled = true;
    CHECK(platbench::interpret_outcome(cancelled).reason == "interrupted");

    PlatformRunOutcome timed_out = exited(-1, "", "still copying\n");
    timed_out.timed_out = true;
    timed_out.term_signal = SIGKILL;
    const auto result = platbench::interpret_outcome(timed_out);
    CHECK(result.status == RunStatus::Failed);
    CHECK(result.reason.starts_with("timed out after the experiment's `timeout:`"));
    CHECK(result.reason.find("still copying") != std::string::npos);
}

TEST_CASE("a killed runner names the signal and the platform's explanation") {
    PlatformRunOutcome killed = exited(-1, "");
    killed.term_signal = SIGKILL;
    killed.failure = "out of memory: memory limit 512 MiB reached";
    const auto result = platbench::interpret_outcome(killed);
    CHECK(result.status == RunStatus::Failed);
    CHECK(result.reason == "runner killed by signal 9 (SIGKILL): out of memory: memory limit 512 MiB reached");

    PlatformRunOutcome segv = exited(-1, "");
    segv.term_signal = SIGSEGV;
    CHECK(platbench::interpret_outcome(segv).reason == "runner killed by signal 11 (SIGSEGV)");
}

TEST_CASE("a non-zero exit without a result quotes the end of stderr, sanitised") {
    std::string err = "loading plugins\n";
    err += std::string(2000, 'x') + "\n";
    err += "\x1b[31merror:\x1b[0m cannot open \x01\x02/dev/cpu_dma_latency\r\n";
    err += "\tgiving up\n\n";
    const auto result = platbench::interpret_outcome(exited(3, "partial output", err));
    CHECK(result.status == RunStatus::Failed);
    CAPTURE(result.reason);
    CHECK(result.reason.starts_with("runner exited with status 3: "));
    CHECK(result.reason.find("error: cannot open /dev/cpu_dma_latency | giving up") != std::string::npos);
    CHECK(result.reason.size() < 480);
    for (char c : result.reason) CHECK(static_cast<unsigned char>(c) >= 0x20);

    const auto silent = platbench::interpret_outcome(exited(127, ""));
    CHECK(silent.reason.starts_with("runner exited with status 127 and printed nothing on stderr"));
}

TEST_CASE("exit 0 without a usable result gives the decoder's reason") {
    const auto none = platbench::interpret_outcome(exited(0, "hello\n"));
    CHECK(none.status == RunStatus::Failed);
    CHECK(none.reason.starts_with("no result line"));

    std::string line = platbench::encode_result_line(report(true));
    line.resize(line.size() / 2);
    const auto cut = platbench::interpret_outcome(exited(0, line, "console closed\n"));
    CHECK(cut.reason.starts_with("result line truncated: got "));
    CHECK(cut.reason.find("console closed") != std::string::npos);
}

TEST_CASE("an ok report with a non-zero exit is not trusted") {
    const auto result = platbench::interpret_outcome(exited(1, platbench::encode_result_line(report(true))));
    CHECK(result.status == RunStatus::Failed);
    CHECK(result.reason.starts_with("runner reported success but exited with status 1"));
}

TEST_CASE("stderr with invalid UTF-8 is cleaned, valid UTF-8 kept") {
    const auto result = platbench::interpret_outcome(exited(2, "", "Fehler: Datei \xc3\xa4 \xff\xfe kaputt\n"));
    CHECK(result.reason == "runner exited with status 2: Fehler: Datei \xc3\xa4  kaputt");
}

TEST_CASE("an unavailable workload is skipped with its reason, whatever the exit status") {
    platbench::RunnerReport missing = report(false, "fio is not installed on this host: apt install fio");
    missing.unavailable = true;
    for (int code : {0, 1}) {
        const auto result = platbench::interpret_outcome(exited(code, platbench::encode_result_line(missing)));
        CHECK(result.status == RunStatus::Skipped);
        CHECK(result.reason == "workload not available: fio is not installed on this host: apt install fio");
        REQUIRE(result.report.has_value());
        CHECK(result.report->metrics.empty());
    }
    // A runner killed or timed out is still a failure: nothing says the workload is unavailable.
    PlatformRunOutcome killed = exited(-1, platbench::encode_result_line(missing));
    killed.term_signal = SIGKILL;
    CHECK(platbench::interpret_outcome(killed).status == RunStatus::Failed);
}
