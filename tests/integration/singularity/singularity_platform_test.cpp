// The singularity platform with a real apptainer: real SIF and sandbox images,
// containers, limits, timeouts and clean-up. scripts/setup.sh test installs
// apptainer. Without it the tests are reported as skipped, except under CI=true,
// where a missing apptainer fails them.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "bundle_image.hpp"
#include "integration.hpp"
#include "platform_run.hpp"
#include "temp_dir.hpp"

using namespace platbench;
using namespace platbench::singularity;
namespace fs = std::filesystem;
using test::echo_bundle;
using test::ok_report;
using test::unique_label;
using test::workload_bundle;

namespace {

std::string apptainer_problem() {
    return locate_program("") ? std::string() : "neither apptainer nor singularity is in PATH";
}

#define REQUIRE_APPTAINER() PLATBENCH_REQUIRE_PLATFORM(apptainer_problem(), "Apptainer")

// Images are built once per test process and format, into a directory of its own.
const fs::path& image_dir() {
    static const test::TempDir dir{"platbench-test-apptainer", "/var/tmp"};
    return dir.path();
}

// A singularity platform under test, caching its images in the test's image directory.
struct SingularityRun : test::PlatformRun {
    explicit SingularityRun(const std::map<std::string, ParamValue>& values = {})
        : PlatformRun("singularity", {{"image_dir", image_dir().string()}}, values) {}
};

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Processes whose command line holds `text` (the run's unique label, passed to the
// echo workload as its message): the runner in the container, and apptainer around it.
std::vector<int> processes_with(const std::string& text) {
    std::vector<int> pids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos || std::stoi(name) == ::getpid()) continue;
        std::string cmdline = read_text(entry.path() / "cmdline");
        if (cmdline.find(text) != std::string::npos) pids.push_back(std::stoi(name));
    }
    return pids;
}

// The runner inside the container: the process running platbench-runner with `label`.
int runner_process(const std::string& label) {
    for (int attempt = 0; attempt < 200; ++attempt) {
        for (int pid : processes_with(label)) {
            const std::string cmdline = read_text("/proc/" + std::to_string(pid) + "/cmdline");
            if (cmdline.rfind("/usr/bin/platbench-runner", 0) == 0) return pid;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
}

bool has_metric(const RunnerReport& report, const std::string& name) {
    return std::any_of(report.metrics.begin(), report.metrics.end(),
                       [&](const Metric& m) { return m.name == name && m.value > 0; });
}

}  // namespace

TEST_CASE("probe records which apptainer and its version, and declines when it is not there") {
    REQUIRE_APPTAINER();
    SingularityRun apptainer;
    const ProbeResult probe = apptainer.probe();
    CHECK(probe.availability == Availability::Available);
    CHECK((probe.metadata.at("apptainer_product") == "apptainer" ||
           probe.metadata.at("apptainer_product").rfind("singularity", 0) == 0));
    CHECK_FALSE(probe.metadata.at("apptainer_version").empty());

    SingularityRun missing({{"program", std::string("/nonexistent/apptainer")}});
    const ProbeResult declined = missing.probe();
    CHECK(declined.availability == Availability::Declined);
    CHECK(declined.reason.find("/nonexistent/apptainer") != std::string::npos);

    SingularityRun impostor({{"program", std::string("/bin/true")}});
    CHECK(impostor.probe().availability == Availability::Broken);
}

TEST_CASE("without apptainer or singularity in PATH the platform declines, saying how to install it") {
    // Needs no apptainer: runs everywhere.
    test::TempDir empty;
    const char* old_path = std::getenv("PATH");
    const std::string saved = old_path != nullptr ? old_path : "";
    ::setenv("PATH", empty.path().c_str(), 1);
    SingularityRun apptainer;
    const ProbeResult probe = apptainer.probe();
    ::setenv("PATH", saved.c_str(), 1);
    CHECK(probe.availability == Availability::Declined);
    CHECK(probe.reason.find("neither apptainer nor singularity is installed") != std::string::npos);
    CHECK(probe.reason.find("scripts/install-apptainer.sh") != std::string::npos);
}

TEST_CASE("a SIF is built from the bundle once and reused, and stream runs in it seeing its cpuset, CPUs and memory") {
    REQUIRE_APPTAINER();
    SingularityRun apptainer({{"cpuset", std::string("0")}, {"cpus", 0.5}, {"memory", std::int64_t{512} << 20}});
    REQUIRE(apptainer.probe().availability == Availability::Available);
    apptainer.prepare(workload_bundle());
    const fs::path image = cached_image_path(image_dir(), workload_bundle().content_hash, ImageFormat::Sif);
    CHECK(fs::is_regular_file(image));
    const auto built_at = fs::last_write_time(image);

    apptainer.runner_args = {"--workload", "stream", "--param", "array_size=1000000", "--param", "ntimes=3"};
    const PlatformRunOutcome outcome = apptainer.run();
    const RunnerReport report = ok_report(outcome);
    CHECK(report.environment["container"] == "apptainer");
    CHECK(report.environment["affinity"] == nlohmann::json::array({0}));
    CHECK(report.environment["memory_limit_bytes"] == (std::int64_t{512} << 20));
    CHECK(report.environment["cpu_quota"].get<double>() == doctest::Approx(0.5));
    CHECK(has_metric(report, "triad_best_rate"));
    CHECK(outcome.metadata.at("image") == image.string());
    // apptainer exec outlives the runner: the engine's overhead is there to see.
    REQUIRE(report.runner_seconds.has_value());
    CHECK(*report.runner_seconds < std::stod(outcome.metadata.at("exec_seconds")));
    CHECK(std::stod(outcome.metadata.at("exec_seconds")) <= apptainer.last_run_seconds);

    SingularityRun again;
    again.prepare(workload_bundle());  // a second experiment: the same image, not rebuilt
    CHECK(fs::last_write_time(image) == built_at);
}

TEST_CASE("blockio runs in a sandbox image, in the run's directory or in a scratch directory that goes with the run") {
    REQUIRE_APPTAINER();
    test::TempDir scratch{"platbench-apptainer-scratch", "/var/tmp"};
    for (const std::string& scratch_dir : {std::string(), scratch.path().string()}) {
        CAPTURE(scratch_dir);
        SingularityRun apptainer({{"image_format", std::string("sandbox")}, {"scratch_dir", scratch_dir}});
        apptainer.prepare(workload_bundle());
        test::TempDir work{"platbench-apptainer-work", "/var/tmp"};
        apptainer.work_dir = work.path();
        apptainer.runner_args = {"--workload", "blockio", "--param", "file_size=8MiB", "--param", "runtime=0.5s"};
        const PlatformRunOutcome outcome = apptainer.run();
        const RunnerReport report = ok_report(outcome);
        CHECK(has_metric(report, "read_iops"));
        CHECK(report.info.count("work_dir") == 0);  // blockio names its file, not the directory
        CHECK(fs::is_directory(outcome.metadata.at("image")));
        CHECK(fs::is_empty(scratch.path()));  // the run's own directory is gone again
    }
}

TEST_CASE("the work directory the container writes in is the host directory bound at /work") {
    REQUIRE_APPTAINER();
    SingularityRun apptainer({{"image_format", std::string("sandbox")}});
    apptainer.prepare(echo_bundle());
    test::TempDir work{"platbench-apptainer-work", "/var/tmp"};
    apptainer.work_dir = work.path();
    apptainer.run_echo({"write_path=/work/hello", "write_text=from the container"});
    const RunnerReport report = ok_report(apptainer.run());
    CHECK(report.info.at("work_dir") == "/work");
    CHECK(read_text(work.path() / "hello") == "from the container");
}

TEST_CASE("the image is read-only, /work writable, and the runner holds no capabilities") {
    REQUIRE_APPTAINER();
    SingularityRun apptainer;  // a SIF: squashfs, read-only by construction
    apptainer.prepare(echo_bundle());
    test::TempDir work{"platbench-apptainer-work", "/var/tmp"};
    apptainer.work_dir = work.path();
    test::check_confined(apptainer, "/work/written");
    CHECK(read_text(work.path() / "written") == "x");
}

TEST_CASE("the container has its own network namespace with loopback only, unless its run has a network path") {
    REQUIRE_APPTAINER();
    for (const std::string setting : {"none", "host", "namespace"}) {
        CAPTURE(setting);
        const bool network = setting != "none";
        SingularityRun apptainer({{"image_format", std::string("sandbox")},
                                  {"network", std::string(network ? setting : "host")}});
        apptainer.prepare(echo_bundle());
        platbench::NetworkPath path;
        if (network) {
            path = apptainer.platform->open_network({apptainer.settings, apptainer.labels});
            apptainer.network = &path;
        }
        const std::string label = unique_label("net");
        apptainer.run_echo({"sleep=5", "message=" + label});
        std::string namespace_seen, interfaces_seen;
        std::thread observer([&] {
            const int pid = runner_process(label);
            if (pid < 0) return;
            namespace_seen = fs::read_symlink("/proc/" + std::to_string(pid) + "/ns/net").string();
            interfaces_seen = read_text("/proc/" + std::to_string(pid) + "/net/dev");
        });
        const PlatformRunOutcome outcome = apptainer.run();
        observer.join();
        ok_report(outcome);
        REQUIRE_FALSE(namespace_seen.empty());
        const std::string own_namespace = fs::read_symlink("/proc/self/ns/net").string();
        if (setting == "host") {
            CHECK(namespace_seen == own_namespace);
            CHECK(path.peer_address == "127.0.0.1");
        } else if (setting == "namespace") {
            // The run's namespace, with loopback and the veth end on the run's bridge.
            CHECK(namespace_seen != own_namespace);
            CHECK(interfaces_seen.find("lo:") != std::string::npos);
            CHECK(interfaces_seen.find("pbn") != std::string::npos);
            CHECK(path.metadata.at("network_interfaces") == "veth, bridge");
            CHECK(fs::exists("/run/netns/" + path.name));
            apptainer.platform->close_network(path);
            CHECK_FALSE(fs::exists("/run/netns/" + path.name));
            int slot = 0;
            REQUIRE(std::sscanf(path.name.c_str(), "platbench-net%d-", &slot) == 1);
            CHECK_FALSE(fs::exists("/sys/class/net/pbbr" + std::to_string(slot)));
        } else {
            CHECK(namespace_seen != own_namespace);
            // /proc/net/dev: two header lines, then one line per interface.
            CHECK(interfaces_seen.find("lo:") != std::string::npos);
            CHECK(std::count(interfaces_seen.begin(), interfaces_seen.end(), '\n') == 3);
        }
    }
}

TEST_CASE("a run past its timeout, and a run stopped by Ctrl-C, leave no process behind") {
    REQUIRE_APPTAINER();
    for (const bool by_cancel : {false, true}) {
        CAPTURE(by_cancel);
        SingularityRun apptainer({{"image_format", std::string("sandbox")}});
        apptainer.prepare(echo_bundle());
        const std::string label = unique_label("stop");
        apptainer.run_echo({"sleep=60", "message=" + label});
        std::thread interrupter;
        if (by_cancel) {
            interrupter = std::thread([&] {
                runner_process(label);
                apptainer.cancel = true;
            });
        } else {
            apptainer.timeout = std::chrono::duration<double>(3.0);
        }
        const auto start = std::chrono::steady_clock::now();
        const PlatformRunOutcome outcome = apptainer.run();
        if (interrupter.joinable()) interrupter.join();
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
        CHECK((by_cancel ? outcome.cancelled : outcome.timed_out));
        if (!by_cancel) CHECK(interpret_outcome(outcome).reason.find("timed out") != std::string::npos);
        CHECK(processes_with(label).empty());
    }
}

TEST_CASE("a limit apptainer cannot apply fails the run with apptainer's own words") {
    REQUIRE_APPTAINER();
    SingularityRun apptainer({{"image_format", std::string("sandbox")}, {"cpuset", std::string("4095")}});
    apptainer.prepare(echo_bundle());
    apptainer.run_echo({});
    const PlatformRunOutcome outcome = apptainer.run();
    const RunInterpretation result = interpret_outcome(outcome);
    CHECK(result.status == RunStatus::Failed);
    CHECK_FALSE(outcome.started);
    CHECK(result.reason.find("apptainer could not run the container: FATAL:") != std::string::npos);
}

TEST_CASE("a workload that fails, crashes or outgrows its memory limit in the container is a failed run with the reason") {
    REQUIRE_APPTAINER();
    SingularityRun apptainer({{"image_format", std::string("sandbox")}, {"memory", std::int64_t{32} << 20}});
    apptainer.prepare(echo_bundle());
    apptainer.run_echo({"fail=true", "message=disk on fire"});
    const RunInterpretation failed = interpret_outcome(apptainer.run());
    CHECK(failed.status == RunStatus::Failed);
    CHECK(failed.reason.find("disk on fire") != std::string::npos);

    apptainer.run_echo({"abort=true"});
    const PlatformRunOutcome aborted = apptainer.run();
    CHECK(aborted.term_signal == 6);
    CHECK(interpret_outcome(aborted).reason.find("SIGABRT") != std::string::npos);

    apptainer.run_echo({"allocate=512MiB"});
    const PlatformRunOutcome killed = apptainer.run();
    CHECK(killed.term_signal == 9);
    CHECK(interpret_outcome(killed).reason.find("most likely it ran out of memory") != std::string::npos);
}

TEST_CASE("clean removes the image builds of a dead platbench, not those in progress, and images only when asked") {
    REQUIRE_APPTAINER();
    SingularityRun apptainer;
    // clean() knows no settings: it finds the image directory as a user's platbench would.
    test::TempDir images{"platbench-apptainer-clean", "/var/tmp"};
    const fs::path& dir = images.path();
    ::setenv("PLATBENCH_APPTAINER_IMAGE_DIR", dir.c_str(), 1);
    const fs::path dead = dir / "building-999999999-0.tmp";
    const fs::path alive = dir / ("building-" + std::to_string(::getpid()) + "-99.tmp");
    const fs::path image = dir / "bundle-0000000000000000.sandbox";
    for (const fs::path& path : {dead, alive, image}) fs::create_directories(path / "inside");

    const std::vector<std::string> removed = apptainer.platform->clean(false);
    CHECK(std::find(removed.begin(), removed.end(), "file " + dead.string()) != removed.end());
    CHECK_FALSE(fs::exists(dead));
    CHECK(fs::exists(alive));
    CHECK(fs::exists(image));

    const std::vector<std::string> with_images = apptainer.platform->clean(true);
    CHECK(std::find(with_images.begin(), with_images.end(), "image " + image.string()) != with_images.end());
    CHECK_FALSE(fs::exists(image));
    ::unsetenv("PLATBENCH_APPTAINER_IMAGE_DIR");
}
