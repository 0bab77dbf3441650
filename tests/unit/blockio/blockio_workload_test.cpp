#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <thread>

#include "command.hpp"
#include "workload_result_checks.hpp"
#include "blockio_run.hpp"
#include "skip.hpp"
#include "blockio_test_support.hpp"
#include "io_job.hpp"
#include "platbench/params.hpp"
#include "platbench/plugin.hpp"
#include "plugin/registry.hpp"
#include "target_checks.hpp"
#include "effective_params.hpp"
#include "metric_table_checks.hpp"
#include "observed_environment.hpp"

namespace blockio = platbench::blockio;
using Params = std::map<std::string, std::string>;

namespace {

const platbench::LoadedPlugin& blockio_plugin() {
    static const std::unique_ptr<platbench::LoadedPlugin> plugin =
        platbench::load_plugin_file(PLATBENCH_PLUGIN_DIR + "/workload_blockio.so");
    return *plugin;
}

// The effective settings the engine would hand over: user values, then the table's defaults.
platbench::ParamValues params_with(const Params& given) {
    return ::test::effective_params(blockio_plugin().descriptor->params, given);
}

using ::test::two_cpu_environment;

platbench::WorkloadResult run_plugin(const Params& given, const std::filesystem::path& work_dir,
                                     const std::atomic<bool>& stop) {
    const platbench::ParamValues params = params_with(given);
    const platbench::ObservedEnvironment env = two_cpu_environment();
    platbench::WorkloadRunRequest request{params, env, work_dir, stop, {}};
    return blockio_plugin().descriptor->create_workload()->run(request);
}

platbench::WorkloadResult run_plugin(const Params& given, const std::filesystem::path& work_dir) {
    const std::atomic<bool> stop{false};
    return run_plugin(given, work_dir, stop);
}

std::string failure_of(const Params& given, const std::filesystem::path& work_dir) {
    try {
        run_plugin(given, work_dir);
    } catch (const platbench::WorkloadError& e) {
        return e.what();
    }
    return "";
}

using test::metric;

bool has_metric(const platbench::WorkloadResult& result, const std::string& name) {
    for (const platbench::Metric& m : result.metrics) {
        if (m.name == name) return true;
    }
    return false;
}

using test::contains;

const char* const kEngines[] = {"psync", "libaio", "io_uring"};

Params size_based(const std::string& pattern, const std::string& engine, const std::string& file_size = "2MiB") {
    return {{"pattern", pattern},
            {"engine", engine},
            {"file_size", file_size},
            {"block_size", "4KiB"},
            {"iodepth", engine == std::string("psync") ? "1" : "8"}};
}

}  // namespace

TEST_CASE("the descriptor uses the shared job table and asks for a work directory") {
    const platbench::PluginDescriptor& d = *blockio_plugin().descriptor;
    CHECK(d.name == "blockio");
    CHECK((d.flags & platbench::kWorkloadUsesWorkDir) != 0);
    // The shared job table, and blockio's own `huge_pages` row.
    CHECK(d.params.size() == platbench::io_job::job_params().size() + 1);
    CHECK(d.params.back().name == "huge_pages");
}

namespace {
std::string transparent_huge_pages_mode() {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string line;
    std::getline(in, line);  // "always [madvise] never"
    const auto open = line.find('['), close = line.find(']');
    return open == std::string::npos || close == std::string::npos ? "" : line.substr(open + 1, close - open - 1);
}
}  // namespace

TEST_CASE("1 MiB blocks at depth 8 put their 8 MiB of buffers on huge pages, unless huge_pages is false") {
    blockio::test::TempDir dir;
    Params given = size_based("read", "libaio");
    given["block_size"] = "1MiB";
    given["iodepth"] = "8";
    given["file_size"] = "16MiB";
    given["huge_pages"] = "false";
    CHECK(run_plugin(given, dir.path()).info.at("io_buffers") == "8388608 bytes, 0 of them on huge pages");
    const std::string mode = transparent_huge_pages_mode();
    if (mode != "always" && mode != "madvise") {
        PLATBENCH_SKIP("no-huge-pages", "transparent huge pages are '" << mode << "' here");
        return;
    }
    given["huge_pages"] = "true";
    const std::string buffers = run_plugin(given, dir.path()).info.at("io_buffers");
    // The kernel may find fewer free huge pages than asked for, never more.
    CHECK(buffers.rfind("8388608 bytes, ", 0) == 0);
    CHECK(buffers != "8388608 bytes, 0 of them on huge pages");
}

TEST_CASE("every pattern on every engine moves the bytes it claims and leaves no file") {
    blockio::test::TempDir dir;
    for (const char* engine : kEngines) {
        for (const char* pattern : {"read", "write", "randread", "randwrite", "randrw"}) {
            CAPTURE(engine);
            CAPTURE(pattern);
            const platbench::WorkloadResult result = run_plugin(size_based(pattern, engine), dir.path());
            const bool reads = std::string(pattern) != "write" && std::string(pattern) != "randwrite";
            const bool writes = std::string(pattern) != "read" && std::string(pattern) != "randread";
            CHECK(has_metric(result, "read_iops") == reads);
            CHECK(has_metric(result, "write_iops") == writes);
            double bytes = 0, ios = 0;
            if (reads) bytes += metric(result, "read_bytes"), ios += metric(result, "read_ios");
            if (writes) bytes += metric(result, "write_bytes"), ios += metric(result, "write_ios");
            CHECK(bytes == 2.0 * 1024 * 1024);
            CHECK(ios == 512);
            CHECK(metric(result, "runtime_s") > 0);
            const std::string first = reads ? "read" : "write";
            CHECK(metric(result, first + "_lat_min") <= metric(result, first + "_lat_p50"));
            CHECK(metric(result, first + "_lat_p50") <= metric(result, first + "_lat_p99_9"));
            CHECK(metric(result, first + "_lat_p99_9") <= metric(result, first + "_lat_max"));
            CHECK(dir.entries().empty());
        }
    }
}

TEST_CASE("every metric of both directions is in the shared metric table, rates and typical latencies central") {
    blockio::test::TempDir dir;
    const platbench::WorkloadResult result = run_plugin(size_based("randrw", "io_uring"), dir.path());
    const platbench::MetricTable& table = blockio_plugin().descriptor->metrics;
    ::test::check_metrics_in_table(result, table);
    CHECK(::test::central_metrics(table) ==
          std::set<std::string>{"read_iops", "read_bw_mib", "read_lat_mean", "read_lat_p50", "write_iops",
                                "write_bw_mib", "write_lat_mean", "write_lat_p50"});
    CHECK(result.info.at("random_map") == "on");
    CHECK(result.info.at("layout") == "laid out");
}

TEST_CASE("several jobs each move their own file") {
    blockio::test::TempDir dir;
    Params params = size_based("randwrite", "io_uring", "1MiB");
    params["jobs"] = "3";
    params["fdatasync"] = "16";
    const platbench::WorkloadResult result = run_plugin(params, dir.path());
    CHECK(metric(result, "write_bytes") == 3.0 * 1024 * 1024);
    CHECK(metric(result, "write_ios") == 768);
    CHECK(dir.entries().empty());
}

TEST_CASE("verify passes on every engine, for writes read back and for reads of the layout") {
    blockio::test::TempDir dir;
    for (const char* engine : kEngines) {
        for (const char* pattern : {"write", "read"}) {
            CAPTURE(engine);
            CAPTURE(pattern);
            Params params = size_based(pattern, engine, "1MiB");
            params["verify"] = "true";
            params["fsync"] = "7";
            if (std::string(pattern) == "read") params.erase("fsync");
            const platbench::WorkloadResult result = run_plugin(params, dir.path());
            CHECK(result.info.at("verified") == "true");
        }
    }
    CHECK(dir.entries().empty());
}

TEST_CASE("randrw keeps its read share over many I/Os") {
    blockio::test::TempDir dir;
    Params params = size_based("randrw", "io_uring", "16MiB");
    params["rwmixread"] = "70";
    params["direct"] = "false";  // page cache: 4096 small I/Os in little time
    params["engine"] = "io_uring";
    const platbench::WorkloadResult result = run_plugin(params, dir.path());
    const double reads = metric(result, "read_ios"), writes = metric(result, "write_ios");
    CHECK(reads + writes == 4096);
    CHECK(reads / (reads + writes) == doctest::Approx(0.70).epsilon(0.03 / 0.70));
    REQUIRE(result.warnings.size() == 1);
    CHECK(contains(result.warnings[0], "page cache"));
}

namespace {

// Read system calls this process made so far, as the kernel counts them.
std::uint64_t read_syscalls() {
    std::ifstream io("/proc/self/io");
    std::string key;
    std::uint64_t value = 0;
    while (io >> key >> value)
        if (key == "syscr:") return value;
    return 0;
}

}  // namespace

TEST_CASE("a time-based job with a ramp measures its runtime, wrapping around the file, ramp I/Os not counted") {
    blockio::test::TempDir dir;
    Params params = size_based("read", "psync", "1MiB");  // psync: one pread per I/O
    params["runtime"] = "300ms";
    params["ramp_time"] = "100ms";
    const std::uint64_t reads_before = read_syscalls();
    const platbench::WorkloadResult result = run_plugin(params, dir.path());
    const std::uint64_t reads = read_syscalls() - reads_before;
    const double counted = metric(result, "read_ios");
    const std::uint64_t ramp = std::stoull(result.info.at("ramp_ios"));
    CHECK(metric(result, "runtime_s") >= 0.3);
    CHECK(counted > 256);  // more than one pass over the 256 blocks: it wrapped around
    CHECK(ramp > 0);
    // The kernel saw the ramp's reads and the counted ones; the metrics hold only the latter.
    CHECK(reads >= ramp + static_cast<std::uint64_t>(counted));
    CHECK(reads < ramp + static_cast<std::uint64_t>(counted) + 64);  // and not much else read
    CHECK(metric(result, "read_iops") == doctest::Approx(counted / metric(result, "runtime_s")));
    CHECK(metric(result, "cpu_usr_s") + metric(result, "cpu_sys_s") > 0);
    CHECK(metric(result, "cpu_per_io_us") ==
          doctest::Approx((metric(result, "cpu_usr_s") + metric(result, "cpu_sys_s")) / counted * 1e6));
    CHECK(dir.entries().empty());
}

TEST_CASE("inputs the target cannot take fail before any I/O, saying how to fix them") {
    blockio::test::TempDir dir;
    SUBCASE("block size off the direct I/O alignment") {
        Params params = size_based("randread", "psync");
        params["block_size"] = "1000";
        const std::string error = failure_of(params, dir.path());
        CHECK(contains(error, "block_size 1000 is not a multiple of"));
        CHECK(contains(error, "direct: false"));
    }
    SUBCASE("file smaller than a block") {
        Params params = size_based("randread", "psync", "4KiB");
        params["block_size"] = "8KiB";
        CHECK(contains(failure_of(params, dir.path()), "smaller than block_size"));
        CHECK_FALSE(blockio_plugin().descriptor->create_workload()->validate(params_with(params)).empty());
    }
    SUBCASE("not enough free space") {
        Params params = size_based("randread", "psync", "1024TiB");
        CHECK(contains(failure_of(params, dir.path()), "not enough free space"));
    }
    SUBCASE("a directory that does not exist") {
        Params params = size_based("randread", "psync");
        params["directory"] = (dir.path() / "missing").string();
        CHECK(contains(failure_of(params, dir.path()), "does not exist"));
    }
    SUBCASE("a missing device") {
        Params params = size_based("randread", "psync");
        params["device"] = "/dev/platbench-no-such-device";
        CHECK(contains(failure_of(params, dir.path()), "does not exist"));
    }
    SUBCASE("a device path that is no block device") {
        Params params = size_based("randread", "psync");
        params["device"] = "/dev/null";
        CHECK(contains(failure_of(params, dir.path()), "not a block device"));
    }
    SUBCASE("a mounted device") {
        // The device under the scratch directory, when it is a block device here.
        struct stat st {};
        REQUIRE(::stat(dir.path().c_str(), &st) == 0);
        std::string node;
        for (const auto& entry : std::filesystem::directory_iterator("/dev")) {
            struct stat dev {};
            if (::stat(entry.path().c_str(), &dev) == 0 && S_ISBLK(dev.st_mode) && dev.st_rdev == st.st_dev) {
                node = entry.path().string();
            }
        }
        if (!node.empty()) {
            Params params = size_based("randread", "psync");
            params["device"] = node;
            CHECK(contains(failure_of(params, dir.path()), "is mounted on"));
        }
    }
    CHECK(dir.entries().empty());
}

TEST_CASE("job files are removed after a failure during the run") {
    blockio::test::TempDir dir;
    const platbench::io_job::Job job = platbench::io_job::parse_job(params_with(size_based("write", "libaio", "1MiB")));
    blockio::RunOptions options;
    options.work_dir = dir.path();
    options.after_layout = [&](int) {
        CHECK(dir.entries().size() == 1);  // the file exists while the job runs
        throw platbench::WorkloadError("injected failure");
    };
    const std::atomic<bool> stop{false};
    CHECK_THROWS_WITH(blockio::run_blockio(job, options, stop), "injected failure");
    CHECK(dir.entries().empty());
}

TEST_CASE("a stop request ends a time-based run soon, removes its files and reports the interruption") {
    blockio::test::TempDir dir;
    Params params = size_based("randread", "io_uring", "1MiB");
    params["runtime"] = "60s";
    std::atomic<bool> stop{false};
    std::string error;
    std::thread run([&] {
        try {
            run_plugin(params, dir.path(), stop);
        } catch (const platbench::WorkloadError& e) {
            error = e.what();
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
    run.join();
    CHECK(contains(error, "interrupted"));
    CHECK(dir.entries().empty());
}

TEST_CASE("a job file left by a dead process is removed, one of a live process kept") {
    blockio::test::TempDir dir;
    // pid_max is at most 2^22: this pid cannot be alive.
    const std::string dead = ".platbench-blockio-99999999-0";
    const std::string alive = ".platbench-blockio-1-0";  // init
    std::ofstream(dir.path() / dead) << "left behind";
    std::ofstream(dir.path() / alive) << "in use";
    run_plugin(size_based("read", "psync", "1MiB"), dir.path());
    CHECK_FALSE(std::filesystem::exists(dir.path() / dead));
    CHECK(std::filesystem::exists(dir.path() / alive));
}

TEST_CASE("the written data is neither zeros nor compressible") {
    blockio::test::TempDir dir;
    const platbench::io_job::Job job = platbench::io_job::parse_job(params_with(size_based("read", "psync", "1MiB")));
    blockio::RunOptions options;
    options.work_dir = dir.path();
    std::string sample;
    options.after_layout = [&](int) {
        for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
            std::ifstream in(entry.path(), std::ios::binary);
            sample.assign(std::istreambuf_iterator<char>(in), {});
        }
    };
    const std::atomic<bool> stop{false};
    blockio::run_blockio(job, options, stop);
    REQUIRE(sample.size() == 1 << 20);
    std::map<char, int> counts;
    for (char c : sample) ++counts[c];
    CHECK(counts.size() == 256);
    for (const auto& [byte, count] : counts) CHECK(count < 2 * (1 << 20) / 256);  // flat: about 4096 each
    CHECK(sample.substr(0, 4096) != sample.substr(4096, 4096));
}

TEST_CASE("verify names the block and byte where the data read differs from the data written") {
    blockio::test::TempDir dir;
    Params params = size_based("read", "io_uring", "1MiB");
    params["verify"] = "true";
    const platbench::io_job::Job job = platbench::io_job::parse_job(params_with(params));
    blockio::RunOptions options;
    options.work_dir = dir.path();
    options.after_layout = [&](int) {
        for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
            std::fstream file(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
            file.seekp(3 * 4096 + 100);
            file.write("corrupt!", 8);
        }
    };
    const std::atomic<bool> stop{false};
    std::string error;
    try {
        blockio::run_blockio(job, options, stop);
    } catch (const platbench::WorkloadError& e) {
        error = e.what();
    }
    CHECK(contains(error, "verify failed: the block at offset 12288"));
    CHECK(contains(error, "first at byte 100 of the block (offset 12388)"));
    CHECK(dir.entries().empty());
}
