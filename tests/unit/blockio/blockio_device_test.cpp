// A block device target, on a loop device over a scratch file. Needs root (to
// attach a loop device): elsewhere the test says why it checks nothing.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "../runner/child_capture.hpp"
#include "blockio_run.hpp"
#include "blockio_test_support.hpp"
#include "io_job.hpp"

namespace blockio = platbench::blockio;
using platbench::io_job::Engine;
using platbench::io_job::Job;
using platbench::io_job::Pattern;

namespace {

// A loop device over a file of `bytes`, detached at the end; empty path when none can be made.
class LoopDevice {
public:
    LoopDevice(const std::filesystem::path& file, std::uint64_t bytes) {
        if (::geteuid() != 0 || !std::filesystem::exists("/usr/sbin/losetup")) return;
        std::filesystem::resize_file((std::ofstream(file), file), bytes);
        const platbench::test::Captured attach =
            platbench::test::run_program({"/usr/sbin/losetup", "--find", "--show", "--direct-io=on", file.string()});
        if (attach.exit_code != 0) return;
        path_ = attach.out.substr(0, attach.out.find('\n'));
    }
    ~LoopDevice() {
        if (!path_.empty()) platbench::test::run_program({"/usr/sbin/losetup", "--detach", path_});
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

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

double metric(const platbench::WorkloadResult& result, const std::string& name) {
    for (const platbench::Metric& m : result.metrics) {
        if (m.name == name) return m.value;
    }
    return -1;
}

}  // namespace

TEST_CASE("jobs on a block device use their own regions, verify included") {
    blockio::test::TempDir dir;
    LoopDevice loop(dir.path() / "backing", 4 << 20);
    if (loop.path().empty()) {
        MESSAGE("no loop device could be attached (needs root and losetup): device targets not exercised");
        return;
    }
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
