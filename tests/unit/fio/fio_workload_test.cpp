// The fio workload through its plugin, with the real fio: small jobs in /var/tmp
// (ext4 on the test machines, so O_DIRECT works), metric names, sane values,
// clean-up, and the skip when fio is missing. No timing is asserted.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "skip.hpp"
#include "io_job.hpp"
#include "platbench/params.hpp"
#include "platbench/plugin.hpp"
#include "plugin/registry.hpp"
#include "effective_params.hpp"
#include "observed_environment.hpp"
#include "loop_device.hpp"
#include "metric_table_checks.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;

const platbench::LoadedPlugin& fio_plugin() {
    static const std::unique_ptr<platbench::LoadedPlugin> plugin =
        platbench::load_plugin_file(PLATBENCH_PLUGIN_DIR + "/workload_fio.so");
    return *plugin;
}

platbench::ParamValues params_with(const std::map<std::string, std::string>& given) {
    return ::test::effective_params(fio_plugin().descriptor->params, given);
}

// A private directory under /var/tmp (disk-backed, unlike a tmpfs /tmp), removed afterwards.
class WorkDir : public ::test::TempDir {
public:
    WorkDir() : ::test::TempDir("platbench-fio-test", "/var/tmp") {}
};

// Sets an environment variable for one scope.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

using ::test::two_cpu_environment;

platbench::WorkloadResult run_fio(const std::map<std::string, std::string>& given, const fs::path& work_dir,
                                  const std::atomic<bool>& stop_requested) {
    const platbench::ParamValues params = params_with(given);
    const platbench::ObservedEnvironment env = two_cpu_environment();
    platbench::WorkloadRunRequest request{params, env, work_dir, stop_requested, {}};
    return fio_plugin().descriptor->create_workload()->run(request);
}

platbench::WorkloadResult run_fio(const std::map<std::string, std::string>& given, const fs::path& work_dir) {
    const std::atomic<bool> never{false};
    return run_fio(given, work_dir, never);
}

std::map<std::string, double> by_name(const platbench::WorkloadResult& result) {
    std::map<std::string, double> out;
    for (const platbench::Metric& metric : result.metrics) out[metric.name] = metric.value;
    return out;
}

std::set<std::string> direction_names(const std::string& direction) {
    std::set<std::string> names;
    for (const char* figure : {"iops", "bw_mib", "bw_mb", "bytes", "ios", "lat_mean", "lat_stddev", "lat_min",
                               "lat_max", "lat_p50", "lat_p90", "lat_p99", "lat_p99_9"})
        names.insert(direction + "_" + figure);
    return names;
}

const std::set<std::string> kJobNames = {"runtime_s", "cpu_usr_s", "cpu_sys_s", "cpu_per_io_us"};

void check_sane_direction(const std::map<std::string, double>& m, const std::string& d) {
    CAPTURE(d);
    CHECK(m.at(d + "_ios") > 0);
    CHECK(m.at(d + "_bytes") > 0);
    CHECK(m.at(d + "_iops") > 0);
    CHECK(m.at(d + "_bw_mb") == doctest::Approx(m.at(d + "_bw_mib") * 1.048576));
    CHECK(m.at(d + "_lat_min") > 0);
    CHECK(m.at(d + "_lat_min") <= m.at(d + "_lat_mean"));
    CHECK(m.at(d + "_lat_mean") <= m.at(d + "_lat_max"));
    CHECK(m.at(d + "_lat_p50") <= m.at(d + "_lat_p90"));
    CHECK(m.at(d + "_lat_p90") <= m.at(d + "_lat_p99"));
    CHECK(m.at(d + "_lat_p99") <= m.at(d + "_lat_p99_9"));
}

}  // namespace

TEST_CASE("the fio plugin shares io_job's table and declares fio as its program") {
    const platbench::PluginDescriptor& d = *fio_plugin().descriptor;
    CHECK(d.name == "fio");
    CHECK((d.flags & platbench::kWorkloadUsesWorkDir) != 0);
    CHECK(d.programs == std::vector<std::string>{"fio"});
    CHECK(d.params.size() == platbench::io_job::job_params().size());
}

TEST_CASE("validate adds to io_job's checks that verify belongs to blockio") {
    auto workload = fio_plugin().descriptor->create_workload();
    CHECK(workload->validate(params_with({})).empty());
    const auto verify = workload->validate(params_with({{"pattern", "write"}, {"verify", "true"}}));
    REQUIRE(verify.size() == 1);
    CHECK(verify[0].find("blockio") != std::string::npos);
    CHECK_FALSE(workload->validate(params_with({{"iodepth", "8"}})).empty());  // psync with iodepth 8
}

TEST_CASE("a randread psync job with O_DIRECT reports io_job's metrics, and leaves no file") {
    WorkDir dir;
    const auto result = run_fio({{"pattern", "randread"}, {"file_size", "4MiB"}, {"engine", "psync"}}, dir.path());
    const auto m = by_name(result);
    std::set<std::string> expected = direction_names("read");
    expected.insert(kJobNames.begin(), kJobNames.end());
    std::set<std::string> names;
    for (const auto& [name, value] : m) names.insert(name);
    CHECK(names == expected);
    check_sane_direction(m, "read");
    CHECK(m.at("read_ios") == 1024);  // size-based: 4 MiB in 4 KiB blocks, once
    CHECK(m.at("read_bytes") == 4 << 20);
    CHECK(m.at("runtime_s") > 0);
    // 1024 reads cost some CPU, and cpu_per_io_us is that CPU time over the I/Os.
    CHECK(m.at("cpu_usr_s") + m.at("cpu_sys_s") > 0);
    CHECK(m.at("cpu_per_io_us") == doctest::Approx((m.at("cpu_usr_s") + m.at("cpu_sys_s")) / 1024 * 1e6));
    CHECK(result.info.at("fio_command").find("--direct=1") != std::string::npos);
    CHECK(result.info.at("fio_version").starts_with("fio-"));
    CHECK(dir.empty());
}

TEST_CASE("every metric fio reports is in the metric table it shares with blockio") {
    WorkDir dir;
    const platbench::WorkloadResult result =
        run_fio({{"pattern", "randrw"}, {"engine", "io_uring"}, {"file_size", "2MiB"}}, dir.path());
    ::test::check_metrics_in_table(result, fio_plugin().descriptor->metrics);
    CHECK(fio_plugin().descriptor->metrics.size() == 30);
}

TEST_CASE("a time-based randrw io_uring job with two jobs reports both directions") {
    WorkDir dir;
    const auto result = run_fio({{"pattern", "randrw"},
                                 {"rwmixread", "70"},
                                 {"file_size", "4MiB"},
                                 {"jobs", "2"},
                                 {"iodepth", "4"},
                                 {"engine", "io_uring"},
                                 {"runtime", "300ms"},
                                 {"ramp_time", "100ms"}},
                                dir.path());
    const auto m = by_name(result);
    std::set<std::string> expected = direction_names("read");
    const auto writes = direction_names("write");
    expected.insert(writes.begin(), writes.end());
    expected.insert(kJobNames.begin(), kJobNames.end());
    std::set<std::string> names;
    for (const auto& [name, value] : m) names.insert(name);
    CHECK(names == expected);
    check_sane_direction(m, "read");
    check_sane_direction(m, "write");
    CHECK(m.at("read_ios") > m.at("write_ios"));  // 70 % reads
    CHECK(dir.empty());
}

TEST_CASE("buffered I/O on a small file warns that the page cache may serve it") {
    WorkDir dir;
    const auto result = run_fio({{"pattern", "write"}, {"file_size", "1MiB"}, {"direct", "false"}, {"fdatasync", "16"}},
                                dir.path());
    const auto m = by_name(result);
    CHECK(m.count("write_iops") == 1);
    CHECK(m.count("read_iops") == 0);
    REQUIRE_FALSE(result.warnings.empty());
    CHECK(result.warnings.back().find("page cache") != std::string::npos);
    CHECK(dir.empty());
}

TEST_CASE("files go to `directory` when given, and are removed there too") {
    WorkDir work, target;
    const fs::path with_colon = target.path() / "a:b";  // fio splits paths at ':' unless escaped
    fs::create_directory(with_colon);
    const auto result =
        run_fio({{"pattern", "write"}, {"file_size", "1MiB"}, {"directory", with_colon.string()}}, work.path());
    CHECK(result.info.at("fio_command").find("a\\:b") != std::string::npos);
    CHECK(fs::is_empty(with_colon));
    CHECK(work.empty());
    try {
        run_fio({{"directory", (target.path() / "missing").string()}, {"file_size", "1MiB"}}, work.path());
        FAIL("a missing directory must fail the run");
    } catch (const platbench::WorkloadError& e) {
        CHECK(std::string(e.what()).find("does not exist") != std::string::npos);
    }
}

TEST_CASE("fio's own failure is reported with its message, and cleaned up") {
    WorkDir dir, not_a_device;
    // io_job's checks catch bad settings first; a directory given as the device makes fio itself fail.
    try {
        run_fio({{"device", not_a_device.path().string()}, {"file_size", "1MiB"}}, dir.path());
        FAIL("fio must fail on a missing device");
    } catch (const platbench::WorkloadUnavailable&) {
        FAIL("a failing fio is a failure, not a skip");
    } catch (const platbench::WorkloadError& e) {
        CHECK(std::string(e.what()).find("fio failed (exit status 1)") != std::string::npos);
        CHECK(std::string(e.what()).find("Is a directory") != std::string::npos);
    }
    CHECK(dir.empty());
}

TEST_CASE("a stop request ends a running fio soon and reports the interruption") {
    WorkDir dir;
    std::atomic<bool> stop{false};
    std::thread stopper([&stop] {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        stop.store(true);  // what the runner's SIGTERM handler does
    });
    const auto start = std::chrono::steady_clock::now();
    std::string error = "no error";
    try {
        run_fio({{"file_size", "1MiB"}, {"runtime", "60s"}}, dir.path(), stop);
    } catch (const platbench::WorkloadError& e) {
        error = e.what();
    }
    stopper.join();
    CHECK(error.find("interrupted") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));  // not the 60 s runtime
    CHECK(dir.empty());
}

TEST_CASE("without fio on PATH the run is unavailable, saying how to install it") {
    WorkDir dir;
    const ScopedEnv path("PATH", dir.path().string());  // a directory without fio
    try {
        run_fio({{"file_size", "1MiB"}}, dir.path());
        FAIL("the run must not succeed without fio");
    } catch (const platbench::WorkloadUnavailable& e) {
        CHECK(std::string(e.what()).find("fio is not installed on this host: apt install fio") != std::string::npos);
    }
    CHECK(dir.empty());
}

TEST_CASE("fio lays out a device's region before reading it, unless layout: false, which it flags") {
    WorkDir dir;
    ::test::LoopDevice loop(dir.path() / "backing", 8 << 20);
    if (loop.path().empty()) PLATBENCH_SKIP(loop.skip_reason(), "no loop device for a device target: " << loop.why());
    const std::map<std::string, std::string> unlaid = {
        {"device", loop.path()}, {"pattern", "randread"}, {"file_size", "2MiB"}, {"layout", "false"}};
    const platbench::WorkloadResult holes = run_fio(unlaid, dir.path());
    CHECK(holes.info.at("layout") == "not laid out (layout: false)");
    REQUIRE(holes.warnings.size() == 1);
    CHECK(holes.warnings[0].rfind("layout: reads measured on", 0) == 0);
    CHECK(loop.allocated_bytes() == 0);

    std::map<std::string, std::string> laid = unlaid;
    laid.erase("layout");
    laid["jobs"] = "2";
    const platbench::WorkloadResult real = run_fio(laid, dir.path());
    CHECK(real.info.at("layout") == "laid out");
    CHECK(real.warnings.empty());
    CHECK(loop.allocated_bytes() >= (4u << 20));  // both jobs' regions
    CHECK(by_name(real).at("read_ios") == 2 * 512);
}
