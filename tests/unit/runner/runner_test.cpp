// platbench-runner as a black box: its command line, exit statuses and output,
// driven with the echo test workload.
#include <doctest/doctest.h>

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "child_capture.hpp"
#include "platbench/environment.hpp"
#include "platbench/runner_protocol.hpp"

using platbench::RunStatus;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using platbench::test::Captured;
using platbench::test::run_program;

const std::string kRunner = PLATBENCH_RUNNER;
const std::string kEchoDir = PLATBENCH_TEST_PLUGIN_DIR;

Captured run_runner(std::vector<std::string> args) {
    args.insert(args.begin(), kRunner);
    return run_program(args);
}

Captured run_echo(const std::vector<std::string>& params, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--plugin-dir", kEchoDir, "--workload", "echo"};
    for (const std::string& param : params) {
        args.push_back("--param");
        args.push_back(param);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return run_runner(args);
}

platbench::RunnerReport decode(const Captured& run) {
    std::string failure;
    auto report = platbench::decode_runner_output(run.out, failure);
    INFO("decoder: ", failure, "\nstderr: ", run.err);
    REQUIRE(report.has_value());
    return *report;
}

platbench::PlatformRunOutcome as_outcome(const Captured& run) {
    platbench::PlatformRunOutcome outcome;
    outcome.started = true;
    outcome.exit_code = run.exit_code;
    outcome.term_signal = run.term_signal;
    outcome.stdout_text = run.out;
    outcome.stderr_text = run.err;
    return outcome;
}

}  // namespace

TEST_CASE("runner --version names the runner and the protocol version") {
    const Captured run = run_runner({"--version"});
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("platbench-runner") == 0);
    CHECK(run.out.find("protocol v1") != std::string::npos);
}

TEST_CASE("runner without arguments or with an unknown one exits 2 with the usage") {
    for (const std::vector<std::string>& args : {std::vector<std::string>{}, {"--frobnicate"}, {"--workload"},
                                                 {"--version", "--observe"}, {"--workload", "echo"},
                                                 {"--plugin-dir", kEchoDir, "--workload", "echo", "--format", "xml"}}) {
        const Captured run = run_runner(args);
        CAPTURE(run.err);
        CHECK(run.exit_code == 2);
        CHECK(run.out.empty());
        CHECK(run.err.find("usage:") != std::string::npos);
    }
}

TEST_CASE("runner --describe prints the plugin's parameter table as JSON") {
    const Captured run = run_runner({"--plugin-dir", kEchoDir, "--describe", "echo"});
    REQUIRE(run.exit_code == 0);
    const json description = json::parse(run.out);
    CHECK(description["name"] == "echo");
    std::map<std::string, json> params;
    for (const json& param : description["params"]) params[param["name"]] = param;
    REQUIRE(params.count("value") == 1);
    CHECK(params["value"]["type"] == "number");
    CHECK(params["value"]["default"] == "1");
    CHECK(params["fail"]["type"] == "bool");
    CHECK(params["sleep"]["type"] == "duration");
    CHECK(params["sleep"]["max"] == 3600.0);
    CHECK(params["message"]["default"].is_null());
}

TEST_CASE("runner exits 3 naming the plugins it found when the workload is missing") {
    const Captured run = run_runner({"--plugin-dir", kEchoDir, "--workload", "nosuch"});
    CHECK(run.exit_code == 3);
    CHECK(run.out.empty());
    CHECK(run.err.find("nosuch") != std::string::npos);
    CHECK(run.err.find("found: echo") != std::string::npos);

    const Captured missing_dir = run_runner({"--plugin-dir", "/nonexistent/plugins", "--describe", "echo"});
    CHECK(missing_dir.exit_code == 3);
    CHECK(missing_dir.err.find("/nonexistent/plugins") != std::string::npos);
}

TEST_CASE("runner exits 2 naming the valid parameters for an unknown or bad --param") {
    const Captured unknown = run_echo({"colour=red"});
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.out.empty());
    CHECK(unknown.err.find("unknown parameter 'colour'") != std::string::npos);
    CHECK(unknown.err.find("value, fail, sleep, message") != std::string::npos);

    const Captured bad = run_echo({"value=lots"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("parameter 'value'") != std::string::npos);
    CHECK(bad.err.find("expected a number") != std::string::npos);

    CHECK(run_echo({"value"}).exit_code == 2);                      // no '='
    CHECK(run_echo({"value=1", "value=2"}).exit_code == 2);         // given twice
    CHECK(run_echo({}, {"--work-dir", "/nonexistent/work"}).exit_code == 2);
}

TEST_CASE("runner runs echo and prints exactly one valid result line") {
    const fs::path work_dir = fs::temp_directory_path();
    const Captured run = run_echo({"value=3.5"}, {"--work-dir", work_dir.string()});
    CHECK(run.exit_code == 0);
    CHECK(run.out.starts_with(platbench::kResultMarker));
    CHECK(run.out.find('\n') == run.out.size() - 1);
    const platbench::RunnerReport report = decode(run);
    CHECK(report.ok);
    CHECK(report.workload == "echo");
    REQUIRE(report.metrics.size() == 1);
    CHECK(report.metrics[0].name == "echo_value");
    CHECK(report.metrics[0].value == 3.5);
    CHECK(report.params["value"] == 3.5);
    CHECK(report.params["fail"] == false);        // defaults are recorded too
    CHECK(report.params["sleep"] == 0.0);
    CHECK_FALSE(report.params.contains("message"));
    CHECK(report.info.at("work_dir") == work_dir.string());
    CHECK(report.environment["online_cpus"].get<int>() > 0);
    // Its own lifetime covers the workload's run() and more (start, plugin loading).
    REQUIRE(report.runner_seconds.has_value());
    CHECK(*report.runner_seconds >= report.duration_seconds);
    CHECK(platbench::interpret_outcome(as_outcome(run)).status == RunStatus::Ok);
}

TEST_CASE("runner reports a failing workload with ok=false and exit 1") {
    const Captured run = run_echo({"fail=true", "message=disk full: free 2 GiB"});
    CHECK(run.exit_code == 1);
    const platbench::RunnerReport report = decode(run);
    CHECK_FALSE(report.ok);
    CHECK(report.error == "disk full: free 2 GiB");
    CHECK(report.metrics.empty());
    const platbench::RunInterpretation outcome = platbench::interpret_outcome(as_outcome(run));
    CHECK(outcome.status == RunStatus::Failed);
    CHECK(outcome.reason == "disk full: free 2 GiB");
}

TEST_CASE("the runner fails a run whose workload refuses its settings, reports no metrics, or reads a parameter its table lacks") {
    const auto failure_of = [](const std::vector<std::string>& params) {
        const Captured run = run_echo(params);
        CHECK(run.exit_code == 1);
        const platbench::RunnerReport report = decode(run);
        CHECK_FALSE(report.ok);
        CHECK(report.metrics.empty());
        return report.error;
    };
    // validate() runs before run(): nothing is measured with settings the workload refuses.
    CHECK(failure_of({"refuse=chunk must divide iterations", "print=measured"}) ==
          "invalid parameters: chunk must divide iterations");
    CHECK(failure_of({"no_metrics=true"}) == "workload 'echo' reported no metrics: a run without figures is no measurement");
    CHECK(failure_of({"read_unknown=true"}) ==
          "workload 'echo' failed unexpectedly: parameter 'not_in_the_table' has no value: it is not in the plugin's "
          "table, or optional and not given");
}

TEST_CASE("a parameter read as another type than its table's names the parameter") {
    platbench::ParamValues values;
    values.set("size", std::int64_t{4096});
    CHECK(values.integer("size") == 4096);
    CHECK_THROWS_WITH_AS(values.text("size"), "parameter 'size' is read as text, which its table's type is not",
                         std::invalid_argument);
    CHECK_THROWS_AS(values.real("absent"), std::out_of_range);
}

TEST_CASE("a workload's own stdout goes to stderr, never into the result stream") {
    const Captured run = run_echo({"print=noise from the workload"});
    CHECK(run.exit_code == 0);
    CHECK(run.out.starts_with(platbench::kResultMarker));    // the printed line is not on stdout:
    CHECK(run.out.find('\n') == run.out.size() - 1);        // stdout holds the result line alone
    CHECK(run.err.find("noise from the workload") != std::string::npos);
    CHECK(decode(run).ok);
}

TEST_CASE("runner --format json prints the report for humans") {
    const Captured run = run_echo({"value=2"}, {"--format", "json"});
    CHECK(run.exit_code == 0);
    const json report = json::parse(run.out);
    CHECK(report["ok"] == true);
    CHECK(report["metrics"][0]["value"] == 2.0);
    CHECK(report["metrics"][0]["better"] == "higher");
}

TEST_CASE("a non-finite metric fails the run in the decoder, naming the metric") {
    const Captured run = run_echo({"nan=true"});
    std::string failure;
    CHECK_FALSE(platbench::decode_runner_output(run.out, failure).has_value());
    CHECK(failure == "metric echo_value is not a finite number");
    CHECK(platbench::interpret_outcome(as_outcome(run)).reason.find("echo_value") != std::string::npos);
}

TEST_CASE("SIGTERM stops the workload and the run is reported as interrupted") {
    platbench::test::Child child({kRunner, "--plugin-dir", kEchoDir, "--workload", "echo", "--param", "sleep=10m"});
    REQUIRE(child.wait_for_stderr("echo: value"));  // the workload is running
    ::kill(child.pid(), SIGTERM);
    const Captured run = child.finish();
    CHECK(run.exit_code == 1);
    const platbench::RunnerReport report = decode(run);
    CHECK_FALSE(report.ok);
    CHECK(report.error.find("interrupted") != std::string::npos);
}

TEST_CASE("a runner killed by a signal is reported with the signal's name") {
    const Captured run = run_echo({"abort=true"});
    CHECK(run.term_signal == SIGABRT);
    const platbench::RunInterpretation outcome = platbench::interpret_outcome(as_outcome(run));
    CHECK(outcome.status == RunStatus::Failed);
    CHECK(outcome.reason.starts_with("runner killed by signal 6 (SIGABRT)"));
}

// The fio workload as the runner runs it: a missing fio is a skip, SIGTERM stops fio.
namespace {

class ScratchDir {
public:
    ScratchDir() {
        std::string pattern = "/var/tmp/platbench-runner-test-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::vector<std::string> fio_args(const fs::path& work_dir, const std::vector<std::string>& params) {
    std::vector<std::string> args = {kRunner, "--plugin-dir", PLATBENCH_PLUGIN_DIR, "--workload", "fio",
                                     "--work-dir", work_dir.string()};
    for (const std::string& param : params) {
        args.push_back("--param");
        args.push_back(param);
    }
    return args;
}

}  // namespace

TEST_CASE("runner --describe lists the programs a workload runs") {
    const Captured run = run_runner({"--plugin-dir", PLATBENCH_PLUGIN_DIR, "--describe", "fio"});
    REQUIRE(run.exit_code == 0);
    CHECK(json::parse(run.out)["programs"] == json{"fio"});
    const Captured echo = run_runner({"--plugin-dir", kEchoDir, "--describe", "echo"});
    CHECK(json::parse(echo.out)["programs"] == json::array());
}

TEST_CASE("a workload that is unavailable here is reported as such and the run is skipped") {
    ScratchDir dir;
    const char* old_path = std::getenv("PATH");
    const std::string saved = old_path != nullptr ? old_path : "";
    ::setenv("PATH", dir.path().c_str(), 1);  // the runner inherits a PATH without fio
    const Captured run = run_program(fio_args(dir.path(), {"file_size=1MiB"}));
    ::setenv("PATH", saved.c_str(), 1);
    CHECK(run.exit_code == 1);
    const platbench::RunnerReport report = decode(run);
    CHECK_FALSE(report.ok);
    CHECK(report.unavailable);
    CHECK(report.error.find("fio is not installed on this host: apt install fio") != std::string::npos);
    const platbench::RunInterpretation outcome = platbench::interpret_outcome(as_outcome(run));
    CHECK(outcome.status == RunStatus::Skipped);
    CHECK(outcome.reason.starts_with("workload not available: fio is not installed on this host"));
}

TEST_CASE("SIGTERM of the runner stops fio, and fio's files are removed") {
    ScratchDir dir;
    platbench::test::Child child(fio_args(dir.path(), {"file_size=1MiB", "runtime=60s"}));
    REQUIRE(child.wait_for_stderr("--output-format=json"));  // the command line is logged just before fio starts
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // fio is laying out or doing I/O by now
    ::kill(child.pid(), SIGTERM);
    const Captured run = child.finish();
    CHECK(run.exit_code == 1);
    const platbench::RunnerReport report = decode(run);
    CHECK_FALSE(report.ok);
    CHECK_FALSE(report.unavailable);
    CHECK(report.error.find("interrupted") != std::string::npos);
    CHECK(fs::is_empty(dir.path()));
}
