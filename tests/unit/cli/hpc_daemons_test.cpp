// linpack, randomaccess and hpcc on every platform that can run here, through the
// real executable, runner, plugins and daemons (kvm under TCG, small sizes): hpcc
// inside containers and VMs proves the bundle ships Open MPI's run-time files.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "command.hpp"
#include "skip.hpp"
#include "stored_runs.hpp"

using platbench::RunStatus;
using test::contains;
namespace fs = std::filesystem;

namespace {

const std::string kConfig = PLATBENCH_TEST_DATA_DIR + "/configs/hpc_every_platform.yaml";
bool platform_unavailable(const platbench::RunRecord& run) {
    for (const char* why : {"no Docker daemon answers", "no Podman daemon answers", "cannot connect to libvirt",
                            "no kernel in /boot", "neither apptainer nor singularity is installed"})
        if (contains(run.reason, why)) return true;
    return false;
}

}  // namespace

TEST_CASE("linpack, randomaccess and hpcc (with its MPI runtime from the bundle) run on every platform, checked as HPL and HPCC check") {
    const fs::path dir = test::scratch("hpc");
    const auto run = test::run_cli({"run", kConfig, "--output", (dir / "results").string()}, dir);
    INFO(run.out, run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(contains(run.out, "0 failed"));

    std::string unavailable;
    std::map<std::string, std::map<std::string, RunStatus>> status;
    for (const auto& r : test::stored_runs(dir / "results")) {
        INFO(r.platform_plugin, "/", r.workload_plugin, ": ", r.reason);
        status[r.platform_plugin][r.workload_plugin] = r.status;
        if (r.status == RunStatus::Skipped && platform_unavailable(r)) {
            unavailable += " " + r.platform_plugin;
            continue;
        }
        REQUIRE(r.status == RunStatus::Ok);
        if (r.workload_plugin == "randomaccess") {
            CHECK(test::stored_metric(r, "gups") > 0);
            CHECK(test::stored_metric(r, "error_fraction") <= 0.01);
        } else {
            CHECK(test::stored_metric(r, "gflops") > 0);
            CHECK(test::stored_metric(r, "scaled_residual") < 16);
        }
        if (r.workload_plugin == "linpack") CHECK(r.info.value("blas_library", "").rfind("OpenBLAS", 0) == 0);
    }
    for (const char* platform : {"native", "docker", "podman", "kvm", "singularity"}) {
        CAPTURE(platform);
        CHECK(status[platform].size() == 3);
    }
    if (!unavailable.empty()) PLATBENCH_SKIP("no-daemon", "runs on" << unavailable << " were skipped here");
}
