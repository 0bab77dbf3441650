// configs/quick.yaml end to end, on every platform that can run here: the main
// job of a new user, through the real executable, runner, plugins and daemons.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "skip.hpp"
#include "stored_runs.hpp"

using test::contains;
using test::run_cli;
using test::scratch;
using ::test::stored_runs;
using platbench::RunStatus;
namespace fs = std::filesystem;

namespace {

const std::string kQuick = PLATBENCH_SOURCE_DIR + "/configs/quick.yaml";

}  // namespace

TEST_CASE("configs/quick.yaml runs end to end on every platform here and exports") {
    const fs::path dir = scratch("quick");
    const fs::path output = dir / "results";
    // Every cell on every platform, once, without warmup, instead of the file's 3 + 1
    // (`scripts/setup.sh quick` runs it whole): one VM boot per kvm cell proves that
    // cell runs; repetitions, interleaving and statistics have tests of their own.
    auto run = run_cli({"run", kQuick, "--output", output.string(), "--repetitions", "1", "--warmup", "0"}, dir);
    INFO(run.out, run.err);
    REQUIRE(run.exit_code == 0);
    // The answer at a glance: the headline metrics of every cell, each platform's
    // relative performance, the validity checks and the verdict, on one screen.
    CHECK(contains(run.out, "triad_best_rate"));
    CHECK(contains(run.out, "read_iops"));
    CHECK(contains(run.out, "write_iops"));
    CHECK(contains(run.out, "0 failed"));
    CHECK(contains(run.out, "relative performance against native"));
    CHECK(contains(run.out, "\nverdict\n"));
    const std::vector<std::string> lines = test::lines_of(run.out);
    // 35 cells: a line each for the results, 28 for the comparisons, the rest headers,
    // validity checks (a line or few per check) and a verdict per platform.
    CHECK(lines.size() <= 100);
    for (const std::string& line : lines) {
        CAPTURE(line);
        CHECK(test::columns(line) <= 120);
    }
    // `platbench summary` prints the same text from the database.
    const auto summary = run_cli({"summary", output.string()}, dir / "summary");
    CHECK(summary.exit_code == 0);
    CHECK(contains(run.out, summary.out));

    // linpack, randomaccess, stream: one cell each; blockio and fio: randread and write cells
    // each. 1 measured run per cell. linpack reports peak_fraction where a CPU frequency is visible.
    const std::map<std::string, std::set<std::size_t>> metrics_per_run = {
        {"linpack", {3, 4}}, {"randomaccess", {3}}, {"stream", {16}}, {"blockio", {17}}, {"fio", {17}}};
    const std::map<std::string, std::vector<std::string>> skip_reasons = {
        {"docker", {"no Docker daemon answers"}}, {"podman", {"no Podman daemon answers"}}, {"kvm", {"cannot connect to libvirt", "no kernel in /boot", "as a user other than root"}},
        {"singularity", {"neither apptainer nor singularity is installed"}}};
    std::map<std::string, std::map<std::string, std::size_t>> measured, warmups;
    std::map<std::string, std::size_t> ok, skipped;
    const auto runs = stored_runs(output);
    for (const auto& r : runs) {
        INFO(r.cell_id, ": ", r.reason);
        REQUIRE(metrics_per_run.count(r.workload_plugin) == 1);
        (r.warmup ? warmups : measured)[r.platform_plugin][r.workload_plugin] += 1;
        if (r.status == RunStatus::Skipped && skip_reasons.count(r.platform_plugin) == 1) {
            const auto& accepted = skip_reasons.at(r.platform_plugin);
            CHECK(std::any_of(accepted.begin(), accepted.end(), [&](const std::string& why) { return contains(r.reason, why); }));
            ++skipped[r.platform_plugin];
            continue;
        }
        CHECK(r.status == RunStatus::Ok);
        ++ok[r.platform_plugin];
        CHECK(metrics_per_run.at(r.workload_plugin).count(r.metrics.size()) == 1);
        CHECK(r.observed_environment.value("online_cpus", 0) >= 1);
        if (r.platform_plugin == "docker") CHECK(r.observed_environment.value("container", "") == "docker");
        if (r.platform_plugin == "podman") CHECK(r.observed_environment.value("container", "") == "podman");
        if (r.platform_plugin == "kvm") CHECK(r.observed_environment.value("virtualization", "") == "vm");
        if (r.platform_plugin == "singularity") CHECK(r.observed_environment.value("container", "") == "apptainer");
    }
    std::size_t platforms_ok = 0;
    for (const char* platform : {"native", "docker", "podman", "kvm", "singularity"}) {
        CAPTURE(platform);
        CHECK(ok[platform] + skipped[platform] == 7);
        CHECK((skipped[platform] == 0 || ok[platform] == 0));  // a platform runs all its cells or none
        if (ok[platform] > 0) ++platforms_ok;
        CHECK(measured[platform] == std::map<std::string, std::size_t>{
                                         {"linpack", 1}, {"randomaccess", 1}, {"stream", 1}, {"blockio", 2}, {"fio", 2}});
        CHECK(warmups[platform].empty());
    }
    for (const auto& r : runs) {
        if (r.workload_plugin == "stream") CHECK(r.workload_params.contains("ntimes"));  // defaults written in
    }

    auto csv = run_cli({"export", output.string(), "--format", "csv"}, dir);
    CHECK(csv.exit_code == 0);
    CHECK(test::count(csv.out, ",triad_best_rate,") == platforms_ok);
    CHECK(test::count(csv.out, ",read_iops,") == 2 * platforms_ok);
    CHECK(test::count(csv.out, ",gflops,") == platforms_ok);
    CHECK(test::count(csv.out, ",gups,") == platforms_ok);
    auto json = run_cli({"export", output.string(), "--format", "json", "--output", (dir / "r.json").string()}, dir);
    CHECK(json.exit_code == 0);
    const auto exported = nlohmann::json::parse(test::read_file(dir / "r.json"));
    REQUIRE(exported["experiments"].size() == 1);
    CHECK(exported["experiments"][0]["host"].contains("cpu_model"));
    CHECK(exported["experiments"][0]["runs"].size() == 35);
    // Docker, podman and kvm runs need their daemons, singularity runs apptainer: a platform
    // whose runs were skipped here makes the test a skip (under CI=true, a failure).
    std::string not_run;
    for (const auto& [platform, count] : skipped)
        if (count > 0) not_run += (not_run.empty() ? "" : ", ") + platform;
    if (!not_run.empty()) PLATBENCH_SKIP("no-daemon", "quick.yaml's runs on " << not_run << " were skipped here");
}
