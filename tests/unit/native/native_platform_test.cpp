#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <sstream>

#include "skip.hpp"
#include "platbench/process.hpp"
#include "plugin/registry.hpp"
#include "platbench/cgroup.hpp"

using namespace platbench;
namespace fs = std::filesystem;

namespace {

const LoadedPlugin& native_plugin() {
    static const std::unique_ptr<LoadedPlugin> plugin = load_plugin_file(PLATBENCH_PLUGIN_DIR + "/platform_native.so");
    return *plugin;
}

std::unique_ptr<Platform> make_native() { return native_plugin().descriptor->create_platform(); }

// Everything a run needs, with the references PlatformRunRequest holds.
struct RunFixture {
    ParamValues settings;
    HostRunner host_runner;
    std::vector<std::string> runner_args;
    std::map<std::string, std::string> labels;
    std::atomic<bool> cancel{false};
    std::chrono::duration<double> timeout{60.0};
    fs::path work_dir;

    PlatformRunOutcome run(Platform& platform) {
        const PlatformRunRequest request{settings, host_runner, nullptr, runner_args, work_dir, timeout, labels, cancel};
        return platform.run(request);
    }
};

std::string status_line(const std::string& status, const std::string& key) {
    std::istringstream in(status);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key + ":", 0) == 0) return line;
    return {};
}

}  // namespace

TEST_CASE("the native plugin declares its table") {
    const PluginDescriptor& descriptor = *native_plugin().descriptor;
    CHECK(descriptor.kind == PluginKind::Platform);
    CHECK(descriptor.name == "native");
    CHECK(descriptor.description == "Bare metal: the runner as a child process of the host");
    CHECK(descriptor.flags == kPlatformBaseline);  // bare metal, the default baseline
    REQUIRE(descriptor.params.size() == 4);
    CHECK(descriptor.params[3].name == "network");
    CHECK(descriptor.params[3].default_value == "loopback");
    CHECK(descriptor.params[3].choices == std::vector<std::string>{"loopback", "namespace"});
    CHECK(descriptor.params[0].name == "cpuset");
    CHECK(descriptor.params[1].name == "cpus");
    CHECK(descriptor.params[2].name == "memory");
    CHECK(static_cast<bool>(descriptor.create_platform));
    CHECK(!static_cast<bool>(descriptor.create_workload));
}

TEST_CASE("native probe is available and records kernel and cgroup version") {
    auto platform = make_native();
    const ProbeResult result = platform->probe(ParamValues{});
    CHECK(result.availability == Availability::Available);
    CHECK(result.reason.empty());
    CHECK_FALSE(result.metadata.at("kernel").empty());
    const std::string version = result.metadata.at("cgroup_version");
    CHECK((version == "v1" || version == "v2" || version == "none"));
}

TEST_CASE("native probe declines limits the host cannot enforce, and CPUs it does not have") {
    auto platform = make_native();
    ParamValues limited;
    limited.set("memory", std::int64_t{256} << 20);
    limited.set("cpus", 1.0);
    const LimitSupport support = probe_limit_support();
    const ProbeResult result = platform->probe(limited);
    if (support.memory && support.cpu_quota) {
        CHECK(result.availability == Availability::Available);
    } else {
        CHECK(result.availability == Availability::Declined);
        CHECK(result.reason == support.reason);
    }

    ParamValues far_cpus;
    far_cpus.set("cpuset", std::string("65000"));
    const ProbeResult declined = platform->probe(far_cpus);
    CHECK(declined.availability == Availability::Declined);
    CHECK(declined.reason.find("65000") != std::string::npos);
}

TEST_CASE("native run passes the runner arguments in order and appends --plugin-dir") {
    auto platform = make_native();
    RunFixture fixture;
    fixture.host_runner = {"/bin/echo", "/opt/platbench/plugins"};
    fixture.runner_args = {"run", "--workload", "stream", "two words"};
    const PlatformRunOutcome outcome = fixture.run(*platform);
    CHECK(outcome.started);
    CHECK(outcome.failure.empty());
    CHECK(outcome.exit_code == 0);
    CHECK(outcome.stdout_text == "run --workload stream two words --plugin-dir /opt/platbench/plugins\n");
    CHECK(outcome.metadata.at("pid_affinity") == "all");
}

TEST_CASE("native run runs in the work directory") {
    auto platform = make_native();
    RunFixture fixture;
    fixture.host_runner = {"/bin/sh", "/plugins"};
    fixture.runner_args = {"-c", "pwd", "sh"};
    fixture.work_dir = fs::temp_directory_path();
    const PlatformRunOutcome outcome = fixture.run(*platform);
    REQUIRE(outcome.started);
    CHECK(outcome.stdout_text == fs::temp_directory_path().string() + "\n");
}

TEST_CASE("native run honours the cpuset") {
    auto platform = make_native();
    RunFixture fixture;
    fixture.host_runner = {"/bin/cat", "/plugins"};
    // "--" so that cat reads "--plugin-dir" as a file name (and fails on it after printing).
    fixture.runner_args = {"/proc/self/status", "--"};
    fixture.settings.set("cpuset", std::string("0"));
    const PlatformRunOutcome outcome = fixture.run(*platform);
    REQUIRE(outcome.started);
    CHECK(status_line(outcome.stdout_text, "Cpus_allowed_list") == "Cpus_allowed_list:\t0");
    CHECK(outcome.metadata.at("pid_affinity") == "0");
}

TEST_CASE("native run kills a runner that exceeds the timeout") {
    auto platform = make_native();
    RunFixture fixture;
    fixture.host_runner = {"/bin/sh", "/plugins"};
    fixture.runner_args = {"-c", "sleep 60", "sh"};
    fixture.timeout = std::chrono::milliseconds(200);
    const PlatformRunOutcome outcome = fixture.run(*platform);
    REQUIRE(outcome.started);
    CHECK(outcome.timed_out);
    CHECK(outcome.term_signal == SIGTERM);
}

TEST_CASE("native run reports a runner that cannot start") {
    auto platform = make_native();
    RunFixture fixture;
    fixture.host_runner = {"/nonexistent/platbench-runner", "/plugins"};
    const PlatformRunOutcome outcome = fixture.run(*platform);
    CHECK_FALSE(outcome.started);
    CHECK(outcome.failure == "cannot execute /nonexistent/platbench-runner: No such file or directory");
}

TEST_CASE("native run names the run's cgroup after its label") {
    const LimitSupport support = probe_limit_support();
    if (!support.memory) PLATBENCH_SKIP("no-cgroup-limits", "memory limits are not enforceable here: " << support.reason);
    auto platform = make_native();
    RunFixture fixture;
    fixture.host_runner = {"/bin/cat", "/plugins"};
    fixture.runner_args = {"/proc/self/cgroup", "--"};
    fixture.settings.set("memory", std::int64_t{128} << 20);
    fixture.labels["platbench.run"] = "cell 7/" + std::to_string(::getpid());
    const PlatformRunOutcome outcome = fixture.run(*platform);
    REQUIRE(outcome.started);
    const std::string leaf = "cell_7_" + std::to_string(::getpid());
    CHECK(outcome.stdout_text.find("/platbench/" + leaf + "\n") != std::string::npos);
}

TEST_CASE("native clean removes empty leftover cgroups") {
    const LimitSupport support = probe_limit_support();
    const std::vector<fs::path> parents = cgroup::run_parents();
    if (!support.memory || parents.empty())
        PLATBENCH_SKIP("no-cgroup-limits", "no writable cgroup filesystem here: " << support.reason);
    const fs::path leftover = parents.front() / ("leftover-" + std::to_string(::getpid()));
    REQUIRE(::mkdir(leftover.c_str(), 0755) == 0);
    auto platform = make_native();
    const std::vector<std::string> lines = platform->clean(false);
    CHECK(std::find(lines.begin(), lines.end(), "removed cgroup " + leftover.string()) != lines.end());
    CHECK_FALSE(fs::exists(leftover));
}
