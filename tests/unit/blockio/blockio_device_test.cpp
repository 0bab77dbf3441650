// A block device target, on a loop device over a scratch file. Needs root (to
// attach a loop device): elsewhere the test says why it checks nothing.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "workload_result_checks.hpp"
#include "skip.hpp"
#include "blockio_run.hpp"
#include "blockio_test_support.hpp"
#include "io_job.hpp"
#include "loop_device.hpp"

namespace blockio = platbench::blockio;
using platbench::io_job::Engine;
using platbench::io_job::Job;
using platbench::io_job::Pattern;

namespace {

using ::test::LoopDevice;

Job device_job(const std::string& device, Pattern pattern, Engine engine) {
    Job job;
    job.device = device;
    job.pattern = pattern;
    job.engine = engine;
    job.iodepth = engine == Engine::Psync ? 1 : 4;
    job.jobs = 2;
    job.file_size = 2 << 20;
    return job;
}

using test::metric;

}  // namespace

TEST_CASE("jobs on a block device use their own regions, verify included") {
    blockio::test::TempDir dir;
    LoopDevice loop(dir.path() / "backing", 4 << 20);
    if (loop.path().empty()) PLATBENCH_SKIP(loop.skip_reason(), "no loop device for a device target: " << loop.why());
    blockio::RunOptions options;
    const std::atomic<bool> stop{false};
    for (Engine engine : {Engine::Psync, Engine::Libaio, Engine::IoUring}) {
        Job write = device_job(loop.path(), Pattern::Write, engine);
        write.verify = true;
        CHECK(metric(blockio::run_blockio(write, options, stop), "write_bytes") == 4.0 * (1 << 20));
        Job read = device_job(loop.path(), Pattern::Read, engine);
        read.verify = true;
        CHECK(metric(blockio::run_blockio(read, options, stop), "read_ios") == 1024);
        const Job mixed = device_job(loop.path(), Pattern::RandRw, engine);
        const platbench::WorkloadResult result = blockio::run_blockio(mixed, options, stop);
        CHECK(metric(result, "read_ios") + metric(result, "write_ios") == 1024);
    }
    Job too_big = device_job(loop.path(), Pattern::Read, Engine::Psync);
    too_big.file_size = 4 << 20;
    CHECK_THROWS_WITH(blockio::run_blockio(too_big, options, stop), doctest::Contains("holds 4 MiB"));
}

TEST_CASE("reads of a device are measured on laid-out data, unless layout: false says otherwise and is flagged") {
    // A fresh sparse image, as a VM's disk or a new volume is: reads of holes cost no storage I/O.
    blockio::test::TempDir dir;
    LoopDevice loop(dir.path() / "backing", 4 << 20);
    if (loop.path().empty()) PLATBENCH_SKIP(loop.skip_reason(), "no loop device for a device target: " << loop.why());
    blockio::RunOptions options;
    const std::atomic<bool> stop{false};
    Job unlaid = device_job(loop.path(), Pattern::RandRead, Engine::Psync);
    unlaid.jobs = 1;
    unlaid.layout = false;
    const platbench::WorkloadResult holes = blockio::run_blockio(unlaid, options, stop);
    CHECK(holes.info.at("layout") == "not laid out (layout: false)");
    REQUIRE(holes.warnings.size() == 1);
    CHECK(holes.warnings[0].rfind("layout: reads measured on " + loop.path() + " without laying it out", 0) == 0);
    CHECK(loop.allocated_bytes() == 0);  // every read met a hole

    const Job laid = device_job(loop.path(), Pattern::RandRead, Engine::Psync);
    const platbench::WorkloadResult real = blockio::run_blockio(laid, options, stop);
    CHECK(real.info.at("layout") == "laid out");
    CHECK(std::stod(real.info.at("layout_seconds")) > 0);
    CHECK(real.warnings.empty());
    CHECK(loop.allocated_bytes() >= 2 * laid.file_size);  // both jobs' regions hold data now
}
