#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "command.hpp"
#include "workload_result_checks.hpp"
#include "blockio_test_support.hpp"
#include "target_checks.hpp"

namespace blockio = platbench::blockio;
using platbench::io_job::Engine;

namespace {

using test::contains;

}  // namespace

TEST_CASE("a block size off the direct I/O alignment is refused with the nearest valid sizes") {
    const blockio::DirectAlignment alignment{4096, "statx STATX_DIOALIGN"};
    CHECK_FALSE(blockio::block_size_error(8192, alignment, "/data"));
    const auto error = blockio::block_size_error(6000, alignment, "/data");
    REQUIRE(error);
    CHECK(contains(*error, "not a multiple of 4096"));
    CHECK(contains(*error, "statx STATX_DIOALIGN"));
    CHECK(contains(*error, "use block_size 4096 or 8192"));
    CHECK(contains(*error, "direct: false"));
    const auto small = blockio::block_size_error(1024, blockio::DirectAlignment{4096, "st_blksize"}, "/data");
    REQUIRE(small);
    CHECK(contains(*small, "use block_size 4096,"));
}

TEST_CASE("too little free space is refused before any file is written") {
    CHECK_FALSE(blockio::free_space_error("/d", 100 << 20, 200 << 20));
    const auto error = blockio::free_space_error("/d", 300ull << 20, 200ull << 20);
    REQUIRE(error);
    CHECK(contains(*error, "need 300 MiB"));
    CHECK(contains(*error, "only 200 MiB are free"));
}

TEST_CASE("a filesystem without O_DIRECT names the fix") {
    const std::string error = blockio::direct_unsupported_error("/mnt/fuse", EINVAL);
    CHECK(contains(error, "/mnt/fuse does not support direct I/O"));
    CHECK(contains(error, "direct: false"));
}

TEST_CASE("an engine the kernel lacks names the sysctl or kernel feature") {
    const std::string disabled = blockio::engine_unavailable_error(Engine::IoUring, EPERM, 2);
    CHECK(contains(disabled, "kernel.io_uring_disabled is 2"));
    CHECK(contains(disabled, "use engine libaio or psync"));
    CHECK(contains(blockio::engine_unavailable_error(Engine::IoUring, ENOSYS, std::nullopt), "CONFIG_IO_URING"));
    CHECK(contains(blockio::engine_unavailable_error(Engine::IoUring, EPERM, 0), "seccomp"));
    CHECK(contains(blockio::engine_unavailable_error(Engine::IoUring, ENOMEM, 0), "ulimit -l"));
    CHECK(contains(blockio::engine_unavailable_error(Engine::Libaio, ENOSYS, std::nullopt), "CONFIG_AIO"));
    CHECK(contains(blockio::engine_unavailable_error(Engine::Libaio, EAGAIN, std::nullopt), "fs.aio-max-nr"));
}

TEST_CASE("the mount table is searched by major:minor") {
    std::istringstream mountinfo(
        "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
        "25 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        "40 25 259:3 / /data rw - xfs /dev/nvme0n1p1 rw\n");
    CHECK(blockio::mount_point_of(259, 3, mountinfo) == std::optional<std::string>("/data"));
    mountinfo.clear();
    mountinfo.seekg(0);
    CHECK_FALSE(blockio::mount_point_of(259, 4, mountinfo));
}

TEST_CASE("a missing, non-block or mounted device is refused") {
    blockio::DeviceFacts missing;
    missing.stat_error = ENOENT;
    CHECK(contains(*blockio::device_error("/dev/nope", missing, 1), "does not exist"));
    blockio::DeviceFacts character;
    CHECK(contains(*blockio::device_error("/dev/null", character, 1), "not a block device"));
    blockio::DeviceFacts mounted;
    mounted.block_device = true;
    mounted.mount_point = "/data";
    CHECK(contains(*blockio::device_error("/dev/sdb1", mounted, 1), "is mounted on /data"));
    blockio::DeviceFacts small;
    small.block_device = true;
    small.size_bytes = 1 << 20;
    CHECK(contains(*blockio::device_error("/dev/sdb", small, 2 << 20), "holds 1 MiB"));
    small.size_bytes = 4 << 20;
    CHECK_FALSE(blockio::device_error("/dev/sdb", small, 2 << 20));
    // The real probe on what this machine surely has.
    CHECK(blockio::probe_device("/dev/null").block_device == false);
    CHECK(blockio::probe_device("/dev/does-not-exist").stat_error == ENOENT);
}

TEST_CASE("job file names carry the pid, and only such names are recognised") {
    CHECK(blockio::job_file_name(1234, 5) == ".platbench-blockio-1234-5");
    CHECK(blockio::job_file_pid(".platbench-blockio-1234-5") == std::optional<pid_t>(1234));
    CHECK_FALSE(blockio::job_file_pid(".platbench-blockio-1234-"));
    CHECK_FALSE(blockio::job_file_pid(".platbench-blockio--5"));
    CHECK_FALSE(blockio::job_file_pid(".platbench-blockio-12a-5"));
    CHECK_FALSE(blockio::job_file_pid("data.bin"));
}

TEST_CASE("stale job files of dead processes are removed, others are kept") {
    blockio::test::TempDir dir;
    const auto touch = [&](const std::string& name) { std::ofstream(dir.path() / name) << "x"; };
    touch(".platbench-blockio-111-0");
    touch(".platbench-blockio-222-0");
    touch("unrelated");
    const auto removed = blockio::remove_stale_job_files(dir.path(), [](pid_t pid) { return pid == 222; });
    REQUIRE(removed.size() == 1);
    CHECK(removed[0].filename() == ".platbench-blockio-111-0");
    CHECK(std::filesystem::exists(dir.path() / ".platbench-blockio-222-0"));
    CHECK(std::filesystem::exists(dir.path() / "unrelated"));
    CHECK(blockio::process_alive(::getpid()));
}
