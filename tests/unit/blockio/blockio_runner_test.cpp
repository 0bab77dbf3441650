// End to end: the real platbench-runner loads the built plugin and runs a job.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../runner/child_capture.hpp"
#include "blockio_test_support.hpp"

namespace {

std::vector<std::string> runner_command(const std::filesystem::path& work_dir, const std::vector<std::string>& params) {
    std::vector<std::string> argv = {PLATBENCH_RUNNER, "--plugin-dir", PLATBENCH_PLUGIN_DIR, "--workload", "blockio",
                                     "--work-dir", work_dir.string(), "--format", "json"};
    for (const std::string& param : params) {
        argv.push_back("--param");
        argv.push_back(param);
    }
    return argv;
}

std::map<std::string, double> metrics_of(const nlohmann::json& report) {
    std::map<std::string, double> metrics;
    for (const auto& metric : report.at("metrics")) metrics[metric.at("name")] = metric.at("value").get<double>();
    return metrics;
}

}  // namespace

TEST_CASE("platbench-runner runs blockio and reports the shared metrics") {
    platbench::blockio::test::TempDir dir;
    const platbench::test::Captured run = platbench::test::run_program(runner_command(
        dir.path(), {"pattern=randrw", "rwmixread=50", "engine=io_uring", "iodepth=4", "file_size=2MiB",
                     "block_size=8KiB"}));
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const nlohmann::json report = nlohmann::json::parse(run.out);
    CHECK(report.at("ok") == true);
    const std::map<std::string, double> metrics = metrics_of(report);
    for (const char* direction : {"read", "write"}) {
        for (const char* figure : {"iops", "bw_mib", "bw_mb", "bytes", "ios", "lat_mean", "lat_stddev", "lat_min",
                                   "lat_max", "lat_p50", "lat_p90", "lat_p99", "lat_p99_9"}) {
            CHECK_MESSAGE(metrics.count(std::string(direction) + "_" + figure) == 1, direction << "_" << figure);
        }
    }
    for (const char* name : {"runtime_s", "cpu_usr_s", "cpu_sys_s", "cpu_per_io_us"}) CHECK(metrics.count(name) == 1);
    CHECK(metrics.size() == 2 * 13 + 4);
    CHECK(metrics.at("read_bytes") + metrics.at("write_bytes") == 2.0 * 1024 * 1024);
    CHECK(metrics.at("read_ios") + metrics.at("write_ios") == 256);
    CHECK(dir.entries().empty());
}

TEST_CASE("SIGTERM stops platbench-runner's blockio run, which removes its files") {
    platbench::blockio::test::TempDir dir;
    platbench::test::Child child(runner_command(
        dir.path(), {"pattern=randread", "engine=libaio", "iodepth=4", "file_size=1MiB", "runtime=60s"}));
    REQUIRE(child.wait_for_stderr("blockio:", std::chrono::seconds(30)));
    ::kill(child.pid(), SIGTERM);
    const platbench::test::Captured run = child.finish();
    CHECK(run.exit_code != 0);
    const nlohmann::json report = nlohmann::json::parse(run.out);
    CHECK(report.at("ok") == false);
    CHECK(report.at("error").get<std::string>().find("interrupted") != std::string::npos);
    CHECK(dir.entries().empty());
}
