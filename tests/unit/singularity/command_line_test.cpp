// The apptainer command lines platbench runs, checked against reviewed golden
// files (tests/data/singularity; PLATBENCH_REGENERATE_GOLDEN=1 rewrites them), and
// how apptainer's version and exit statuses are read.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>

#include "apptainer_cli.hpp"
#include "container_run.hpp"
#include "golden.hpp"
#include "temp_dir.hpp"

using namespace platbench;
using namespace platbench::singularity;
namespace fs = std::filesystem;

namespace {

// One argument per line: a golden file shows exactly where each argument starts and ends.
std::string one_per_line(const std::vector<std::string>& argv) {
    std::string text;
    for (const std::string& arg : argv) text += arg + "\n";
    return text;
}

ContainerSettings sample_settings() {
    ContainerSettings settings;
    settings.program = "/usr/bin/apptainer";
    settings.image = "/var/tmp/platbench-apptainer-0/bundle-0123456789abcdef.sif";
    settings.runner_path = "/usr/bin/platbench-runner";
    settings.plugin_dir = "/usr/lib/platbench/plugins";
    return settings;
}

// A run request as the engine makes one, with the platform settings given.
struct Request {
    ParamValues settings;
    HostRunner host_runner{"/host/bin/platbench-runner", "/host/lib/platbench/plugins"};
    std::vector<std::string> runner_args{"--workload", "stream", "--param", "array_size=1000000"};
    std::map<std::string, std::string> labels{{"platbench.run", "e1-r0"}};
    std::atomic<bool> cancel{false};
    fs::path work_dir;
    const NetworkPath* network = nullptr;

    PlatformRunRequest request() const {
        return {settings, host_runner, nullptr, runner_args, work_dir, std::chrono::seconds(60), labels, cancel, network};
    }
};

}  // namespace

TEST_CASE("the default exec: contained, no privileges, loopback-only network, cgroups visible") {
    Request request;
    const ExecSpec spec = exec_spec_for(request.request(), sample_settings(), std::nullopt);
    const std::string argv = one_per_line(exec_command(spec));
    CHECK(argv == test::golden("singularity/exec-default.txt", argv));
}

TEST_CASE("exec with limits and a bound work directory") {
    Request request;
    request.settings.set("cpuset", std::string("0-1"));
    request.settings.set("cpus", 1.5);
    request.settings.set("memory", std::int64_t{1} << 30);
    request.work_dir = "/results/quick/work/e1-r0";
    const ExecSpec spec = exec_spec_for(request.request(), sample_settings(), request.work_dir);
    const std::string argv = one_per_line(exec_command(spec));
    CHECK(argv == test::golden("singularity/exec-limits-workdir.txt", argv));
}

TEST_CASE("exec with privileges kept, the host network and no cgroup view, from singularity") {
    Request request;
    NetworkPath host;  // a network workload's run on the host's network (network: host)
    host.name = "loopback";
    request.network = &host;
    ContainerSettings settings = sample_settings();
    settings.program = "/opt/singularity/bin/singularity";
    settings.drop_privileges = false;
    settings.show_cgroups = false;
    const std::string argv = one_per_line(exec_command(exec_spec_for(request.request(), settings, std::nullopt)));
    CHECK(argv == test::golden("singularity/exec-privileged-network.txt", argv));
}

TEST_CASE("a network workload's run in a namespace: apptainer is started inside it, and the container shares it") {
    Request request;
    NetworkPath path;
    path.name = "platbench-net7-4242-0";
    request.network = &path;
    const std::vector<std::string> argv = exec_command(exec_spec_for(request.request(), sample_settings(), std::nullopt));
    REQUIRE(argv.size() > 6);
    CHECK(std::vector<std::string>(argv.begin(), argv.begin() + 6) ==
          std::vector<std::string>{"ip", "netns", "exec", "platbench-net7-4242-0", "/usr/bin/apptainer", "exec"});
    CHECK(std::find(argv.begin(), argv.end(), "--net") == argv.end());
}

TEST_CASE("build commands for a SIF file and for a sandbox directory") {
    const std::string sif =
        one_per_line(build_command("/usr/bin/apptainer", ImageFormat::Sif, "/images/building-1-0.sif", "/bundle/root"));
    CHECK(sif == test::golden("singularity/build-sif.txt", sif));
    const std::string sandbox = one_per_line(
        build_command("/usr/bin/apptainer", ImageFormat::Sandbox, "/images/building-1-0.sandbox", "/bundle/root"));
    CHECK(sandbox == test::golden("singularity/build-sandbox.txt", sandbox));
}

TEST_CASE("user text stays one argument: no shell, and bind paths apptainer would misread are refused") {
    Request request;
    request.runner_args = {"--workload", "echo", "--param", "message=$(rm -rf /); echo hi"};
    const std::vector<std::string> argv = exec_command(exec_spec_for(request.request(), sample_settings(), std::nullopt));
    CHECK(std::find(argv.begin(), argv.end(), "message=$(rm -rf /); echo hi") != argv.end());

    for (const char* path : {"/scratch/a,b", "/scratch/a:b"}) {
        CAPTURE(path);
        ExecSpec spec = exec_spec_for(request.request(), sample_settings(), fs::path(path));
        CHECK_THROWS_WITH_AS(exec_command(spec), doctest::Contains("cannot carry"), std::invalid_argument);
    }
}

TEST_CASE("CPU counts are written as the shortest exact text") {
    CHECK(cpus_text(1) == "1");
    CHECK(cpus_text(0.5) == "0.5");
    CHECK(cpus_text(1.25) == "1.25");
    CHECK(cpus_text(0.01) == "0.01");
}

TEST_CASE("the version line of apptainer and of each singularity is read, anything else is not") {
    const auto apptainer = parse_version_output("apptainer version 1.4.5\n");
    REQUIRE(apptainer);
    CHECK(apptainer->product == "apptainer");
    CHECK(apptainer->version == "1.4.5");
    const auto ce = parse_version_output("singularity-ce version 4.1.2-jammy\n");
    REQUIRE(ce);
    CHECK(ce->product == "singularity-ce");
    CHECK(ce->version == "4.1.2-jammy");
    CHECK(parse_version_output("singularity version 3.8.7-1.el8\r\n")->version == "3.8.7-1.el8");

    CHECK_FALSE(parse_version_output(""));
    CHECK_FALSE(parse_version_output("version 1.0"));
    CHECK_FALSE(parse_version_output("docker version 20.10"));
    CHECK_FALSE(parse_version_output("apptainer version \n"));
    CHECK_FALSE(parse_version_output("apptainer version " + std::string(100, '9')));
}

TEST_CASE("exit statuses: apptainer's own failure, a signal inside, the runner's own status") {
    PlatformRunOutcome failed;
    failed.started = true;
    read_exit_status(255, "WARNING: passwd file doesn't exist\nFATAL:   container creation failed: no cgroup\n", failed);
    CHECK_FALSE(failed.started);
    CHECK(failed.failure == "apptainer could not run the container: FATAL:   container creation failed: no cgroup");

    PlatformRunOutcome killed;
    killed.started = true;
    read_exit_status(137, "", killed);
    CHECK(killed.term_signal == 9);
    CHECK(killed.exit_code == -1);

    PlatformRunOutcome exited;
    exited.started = true;
    read_exit_status(1, "platbench-runner: workload failed\n", exited);
    CHECK(exited.exit_code == 1);
    CHECK(exited.term_signal == 0);

    // 255 without apptainer's FATAL line is the command's own status, whatever it is.
    PlatformRunOutcome odd;
    odd.started = true;
    read_exit_status(255, "", odd);
    CHECK(odd.started);
    CHECK(odd.exit_code == 255);
}
