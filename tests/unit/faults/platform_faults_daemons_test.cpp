// Faults around the real platforms, through the platbench command as a user runs
// it: a run killed with SIGKILL leaves containers, domains, half-built images and
// work directories that the next run removes before it starts; SIGINT and SIGTERM
// stop and remove everything within 10 s; a daemon stopped mid-matrix costs only
// its own runs, and `--resume` once it is back finishes the matrix; a missing
// apptainer skips its runs; a full disk stops the run with the database sound.
//
// Docker, libvirt+QEMU and apptainer must be there under CI=true (scripts/setup.sh
// provides them); elsewhere their tests are skipped. The tests that stop daemons
// restart them with `scripts/setup.sh daemons`, and only run where asked to
// (CI=true, or PLATBENCH_TEST_RESTART_DAEMONS=1): they would stop a developer's own.
#include <doctest/doctest.h>

#include <sys/mount.h>
#include <sys/statvfs.h>

#include <map>
#include <set>

#include "cli_experiment.hpp"
#include "command.hpp"
#include "database_checks.hpp"
#include "host_tools.hpp"
#include "integration.hpp"
#include "stored_runs.hpp"

using test::contains;
using test::scratch;
using test::docker_problem;
using test::run_args;
using test::stored_by_key;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using platbench::RunStatus;

namespace {

const fs::path kDockerPidFile = "/var/run/docker.pid";
const fs::path kLibvirtPidFile = "/var/run/libvirtd.pid";


std::string libvirt_problem() {
    if (::geteuid() != 0) return "the kvm runs use qemu:///system, which needs root";
    const auto version = test::run_tool("virsh", {"-c", "qemu:///system", "version"}, scratch("virsh-version"));
    return version.exit_code == 0 ? "" : "libvirtd does not answer";
}

std::string apptainer_problem() {
    return test::find_program("apptainer").empty() && test::find_program("singularity").empty()
               ? "neither apptainer nor singularity is installed"
               : "";
}

// Stopping the host's daemons needs root and consent (CI=true, or
// PLATBENCH_TEST_RESTART_DAEMONS=1): a developer's own daemons are not stopped unasked.
#define REQUIRE_RESTART_CONSENT(pid_file)                                                                         \
    do {                                                                                                          \
        if (::geteuid() != 0) PLATBENCH_SKIP("not-root", "only root can stop and restart the daemons");          \
        if (!test::running_in_ci() && std::getenv("PLATBENCH_TEST_RESTART_DAEMONS") == nullptr)                   \
            PLATBENCH_SKIP("no-restart-consent", "this test stops and restarts the host's daemons: set "          \
                                                 "PLATBENCH_TEST_RESTART_DAEMONS=1 to allow it");                 \
        if (test::pid_in_file(pid_file) == 0)                                                                     \
            PLATBENCH_SKIP("no-daemon", "no running daemon in " << (pid_file).string());                       \
    } while (false)

void restart_daemons(const fs::path& io) {
    const auto started = test::Started({"/bin/bash", PLATBENCH_SOURCE_DIR + "/scripts/setup.sh", "daemons"}, io).wait();
    INFO(started.err);
    CHECK(started.exit_code == 0);
}

// Stops a daemon with SIGTERM, as an administrator would; restarts the daemons
// when the test ends, whatever happened in it.
class StoppedDaemon {
public:
    StoppedDaemon(const fs::path& pid_file, fs::path io) : io_(std::move(io)) {
        const pid_t pid = test::pid_in_file(pid_file);
        REQUIRE(pid != 0);
        ::kill(pid, SIGTERM);
        CHECK(test::wait_until([pid] { return ::kill(pid, 0) != 0; }, 60));
    }
    ~StoppedDaemon() { restart_daemons(io_); }

private:
    fs::path io_;
};

// An experiment with the echo test workload (and the real plugins).
std::string experiment(const std::string& name, const std::string& head, const std::string& platforms,
                       const std::string& workloads) {
    return "experiment: " + name + "\n" + head + "plugin_path: [" + PLATBENCH_TEST_PLUGIN_DIR + "]\nplatforms:\n" +
           platforms + "workloads:\n" + workloads;
}



std::size_t stored_with(const fs::path& results, const std::string& platform, RunStatus status) {
    std::size_t n = 0;
    for (const auto& [key, run] : stored_by_key(results)) n += run.platform_plugin == platform && run.status == status;
    return n;
}

bool stored_at_least(const fs::path& results, const std::string& platform, std::size_t runs) {
    try {
        return stored_with(results, platform, RunStatus::Ok) >= runs;
    } catch (const std::exception&) {
        return false;  // the database is being created right now
    }
}

std::vector<std::string> docker_objects(const std::string& experiment) {
    const std::string filter = "label=platbench.experiment=" + experiment;
    auto containers = test::output_lines(
        test::run_tool("docker", {"ps", "-a", "-q", "--filter", filter}, scratch("docker-ps")));
    const auto volumes = test::output_lines(
        test::run_tool("docker", {"volume", "ls", "-q", "--filter", filter}, scratch("docker-volumes")));
    containers.insert(containers.end(), volumes.begin(), volumes.end());
    return containers;
}

// platbench's domains started by the process `pid` (their names hold it).
std::vector<std::string> domains_of(pid_t pid) {
    std::vector<std::string> found;
    for (const std::string& name : test::output_lines(
             test::run_tool("virsh", {"-c", "qemu:///system", "list", "--all", "--name"}, scratch("virsh-list")))) {
        if (name.rfind("platbench-", 0) == 0 && contains(name, "-" + std::to_string(pid) + "-")) found.push_back(name);
    }
    return found;
}

bool process_running(const std::string& pattern) {
    return test::Started({"/usr/bin/pgrep", "-f", pattern}, scratch("pgrep")).wait().exit_code == 0;
}

// Resumes the killed experiment: it must first remove the leftovers, then finish.
test::Finished resume_after_kill(const fs::path& dir) {
    auto resumed = test::Started(run_args(dir, true), dir / "resumed").wait();
    INFO(resumed.err);
    CHECK(resumed.exit_code == 0);
    CHECK(contains(resumed.err, "resuming experiment"));
    return resumed;
}

const std::string kKvm = "  - plugin: kvm\n    accel: tcg\n    memory: 1GiB\n";

}  // namespace

// ---------------------------------------------------------------- SIGKILL leftovers

TEST_CASE("a native run killed with SIGKILL leaves its work directory, which the next run removes first") {
    const fs::path dir = scratch("leftover-native");
    test::write_file(dir / "e.yaml", experiment("leftover-native", "repetitions: 1\n", "  - plugin: native\n",
                                                "  - plugin: blockio\n    file_size: 16MiB\n    runtime: 2s\n"));
    test::Started run(run_args(dir, false), dir / "killed");
    const fs::path work = dir / "results" / "work";
    REQUIRE(test::wait_until([&] { return fs::exists(work) && !fs::is_empty(work); }, 60));
    run.signal(SIGKILL);
    run.wait();
    REQUIRE_FALSE(fs::is_empty(work));  // the killed run's directory is still there
    const auto resumed = resume_after_kill(dir);
    CHECK(contains(resumed.err, "removed the work directory an earlier, killed run left"));
    CHECK((!fs::exists(work) || fs::is_empty(work)));
    CHECK(stored_with(dir / "results", "native", RunStatus::Ok) == 1);
}

TEST_CASE("a docker run killed with SIGKILL leaves its container and volume, which the next run removes first") {
    PLATBENCH_REQUIRE_PLATFORM(docker_problem(), "Docker");
    const fs::path dir = scratch("leftover-docker");
    test::write_file(dir / "e.yaml", experiment("leftover-docker", "repetitions: 1\n", "  - plugin: docker\n",
                                                "  - plugin: echo\n    sleep: 3s\n"));
    test::Started run(run_args(dir, false), dir / "killed");
    REQUIRE(test::wait_until([] { return !docker_objects("leftover-docker").empty(); }, 300));
    run.signal(SIGKILL);
    run.wait();
    REQUIRE_FALSE(docker_objects("leftover-docker").empty());
    const auto resumed = resume_after_kill(dir);
    CHECK(contains(resumed.err, "removed what an earlier, killed run left: docker: container"));
    CHECK(docker_objects("leftover-docker").empty());
    CHECK(stored_with(dir / "results", "docker", RunStatus::Ok) == 1);
}

TEST_CASE("a kvm run killed with SIGKILL leaves its domain, which the next run destroys first") {
    PLATBENCH_REQUIRE_PLATFORM(libvirt_problem(), "libvirt+QEMU");
    const fs::path dir = scratch("leftover-kvm");
    test::write_file(dir / "e.yaml",
                     experiment("leftover-kvm", "repetitions: 1\n", kKvm, "  - plugin: echo\n    sleep: 1s\n"));
    test::Started run(run_args(dir, false), dir / "killed");
    REQUIRE(test::wait_until([&] { return !domains_of(run.pid()).empty(); }, 300));
    run.signal(SIGKILL);
    run.wait();
    const std::vector<std::string> left = domains_of(run.pid());
    REQUIRE(left.size() == 1);
    const auto resumed = resume_after_kill(dir);
    CHECK(contains(resumed.err, "removed what an earlier, killed run left: kvm: domain " + left.front()));
    CHECK(domains_of(run.pid()).empty());
    CHECK(stored_with(dir / "results", "kvm", RunStatus::Ok) == 1);
}

TEST_CASE("a singularity image build killed with SIGKILL is removed by the next run, which builds it again") {
    PLATBENCH_REQUIRE_PLATFORM(apptainer_problem(), "Apptainer");
    const fs::path dir = scratch("leftover-singularity");
    const fs::path images = dir / "images";  // empty: the image must be built
    test::write_file(dir / "e.yaml", experiment("leftover-singularity", "repetitions: 1\n",
                                                "  - plugin: singularity\n    image_dir: " + images.string() + "\n",
                                                "  - plugin: echo\n"));
    test::Started run(run_args(dir, false), dir / "killed");
    const std::string building = "building-" + std::to_string(run.pid()) + "-";
    const auto build_left = [&] {
        if (!fs::exists(images)) return false;
        for (const auto& entry : fs::directory_iterator(images))
            if (entry.path().filename().string().rfind(building, 0) == 0) return true;
        return false;
    };
    REQUIRE(test::wait_until(build_left, 300));
    run.signal(SIGKILL);
    run.wait();
    REQUIRE(build_left());
    resume_after_kill(dir);  // the image_dir: setting is the experiment's: its prepare removes the build
    CHECK_FALSE(build_left());
    const auto stored = stored_by_key(dir / "results");
    REQUIRE(stored.size() == 1);
    CHECK(stored.begin()->second.status == RunStatus::Ok);
    CHECK(contains(stored.begin()->second.platform_metadata.value("leftovers_removed", ""), "1 of killed runs"));
}

// ---------------------------------------------------------------- SIGINT / SIGTERM

TEST_CASE("SIGINT and SIGTERM stop every platform's run and remove what it made within 10 s, keeping stored runs") {
    struct Case {
        std::string platform;
        std::string platform_yaml;
        std::string problem;
        int signal;
    };
    const std::vector<Case> cases = {
        {"native", "  - plugin: native\n", "", SIGINT},
        {"docker", "  - plugin: docker\n", docker_problem(), SIGTERM},
        {"kvm", kKvm, libvirt_problem(), SIGINT},
        {"singularity", "  - plugin: singularity\n", apptainer_problem(), SIGTERM},
    };
    // A platform that cannot run here is left out, not the others: the test then
    // ends as skipped (a failure of the others still fails it).
    std::string missing;
    for (const Case& c : cases) {
        CAPTURE(c.platform);
        if (!c.problem.empty()) {
            missing += (missing.empty() ? "" : "; ") + c.platform + ": " + c.problem;
            continue;
        }
        const fs::path dir = scratch("interrupt-" + c.platform);
        const std::string name = "interrupt-" + c.platform;
        // A first short run is stored; the second sleeps until it is interrupted.
        test::write_file(dir / "e.yaml", experiment(name, "repetitions: 1\norder: sequential\n", c.platform_yaml,
                                                    "  - plugin: echo\n    sleep: [0s, 47.25s]\n"));
        test::Started run(run_args(dir, false), dir / "run");
        // The sleeping run is under way: its runner is seen on the host (in a VM: its domain exists).
        const auto sleeping = [&] {
            return c.platform == "kvm" ? stored_at_least(dir / "results", "kvm", 1) && !domains_of(run.pid()).empty()
                                       : process_running("sleep=47.25");
        };
        REQUIRE(test::wait_until(sleeping, 300));
        const auto signalled = Clock::now();
        run.signal(c.signal);
        const auto finished = run.wait();
        const double seconds = std::chrono::duration<double>(Clock::now() - signalled).count();
        MESSAGE(c.platform, ": stopped ", seconds, " s after signal ", c.signal);
        INFO(finished.err);
        CHECK(finished.exit_code == 130);
        CHECK(seconds <= 10.0);  // the bound for stopping and removing everything
        CHECK_FALSE(process_running("sleep=47.25"));
        if (c.platform == "docker") CHECK(docker_objects(name).empty());
        if (c.platform == "kvm") CHECK(domains_of(run.pid()).empty());
        const auto stored = stored_by_key(dir / "results");
        CHECK(stored.size() == 1);  // the completed run is kept, the interrupted one is not stored
        for (const auto& [key, r] : stored) CHECK(r.status == RunStatus::Ok);
    }
    if (!missing.empty()) PLATBENCH_SKIP("no-daemon", "not every platform could run here (" << missing << ")");
}

// ---------------------------------------------------------------- daemons stopped mid-matrix

TEST_CASE("dockerd stopped mid-matrix fails only the docker runs, and --resume after its restart finishes the matrix") {
    PLATBENCH_REQUIRE_PLATFORM(docker_problem(), "Docker");
    REQUIRE_RESTART_CONSENT(kDockerPidFile);
    const fs::path dir = scratch("dockerd-stopped");
    test::write_file(dir / "e.yaml", experiment("dockerd-stopped", "repetitions: 4\n",
                                                "  - plugin: native\n  - plugin: docker\n",
                                                "  - plugin: echo\n    sleep: 500ms\n"));
    test::Started run(run_args(dir, false), dir / "first");
    REQUIRE(test::wait_until([&] { return stored_at_least(dir / "results", "docker", 1); }, 300));
    {
        StoppedDaemon stopped(kDockerPidFile, dir / "restart");
        const auto finished = run.wait();
        INFO(finished.err);
        CHECK(finished.exit_code == 1);  // some runs failed; the matrix went on
        CHECK(stored_with(dir / "results", "native", RunStatus::Ok) == 4);
        const std::size_t docker_failed = stored_with(dir / "results", "docker", RunStatus::Failed);
        CHECK(docker_failed >= 1);
        CHECK(stored_with(dir / "results", "docker", RunStatus::Ok) + docker_failed == 4);
        for (const auto& entry : stored_by_key(dir / "results")) {
            const platbench::RunRecord& r = entry.second;
            // A failure says it was Docker.
            if (r.status == RunStatus::Failed) CHECK_MESSAGE(contains(r.reason, "ocker"), r.reason);
        }
    }  // dockerd restarted here
    const auto before = stored_by_key(dir / "results");
    auto resumed = test::Started(run_args(dir, true), dir / "resumed").wait();
    INFO(resumed.err);
    CHECK(resumed.exit_code == 0);
    CHECK(contains(resumed.err, "failed or skipped runs are tried again"));
    const auto after = stored_by_key(dir / "results");
    CHECK(after.size() == 8);
    for (const auto& [key, r] : after) {
        CHECK(r.status == RunStatus::Ok);
        if (before.at(key).status == RunStatus::Ok) CHECK(r.id == before.at(key).id);  // not run again
        else CHECK(contains(r.info.value("earlier_attempt", ""), "failed: "));
    }
    CHECK(docker_objects("dockerd-stopped").empty());
}

TEST_CASE("libvirtd stopped mid-matrix fails only the kvm runs, and --resume after its restart finishes the matrix") {
    PLATBENCH_REQUIRE_PLATFORM(libvirt_problem(), "libvirt+QEMU");
    REQUIRE_RESTART_CONSENT(kLibvirtPidFile);
    const fs::path dir = scratch("libvirtd-stopped");
    test::write_file(dir / "e.yaml", experiment("libvirtd-stopped", "repetitions: 2\norder: sequential\n",
                                                kKvm + "  - plugin: native\n", "  - plugin: echo\n"));
    test::Started run(run_args(dir, false), dir / "first");
    REQUIRE(test::wait_until([&] { return stored_at_least(dir / "results", "kvm", 1); }, 300));
    {
        StoppedDaemon stopped(kLibvirtPidFile, dir / "restart");
        const auto finished = run.wait();
        INFO(finished.err);
        CHECK(finished.exit_code == 1);
        CHECK(stored_with(dir / "results", "native", RunStatus::Ok) == 2);
        CHECK(stored_with(dir / "results", "kvm", RunStatus::Ok) == 1);
        CHECK(stored_with(dir / "results", "kvm", RunStatus::Failed) == 1);
    }  // libvirtd restarted here
    auto resumed = test::Started(run_args(dir, true), dir / "resumed").wait();
    INFO(resumed.err);
    CHECK(resumed.exit_code == 0);
    CHECK(contains(resumed.err, "failed or skipped runs are tried again"));
    CHECK(stored_with(dir / "results", "kvm", RunStatus::Ok) == 2);
    CHECK(stored_by_key(dir / "results").size() == 4);
    CHECK(domains_of(run.pid()).empty());  // a guest left running when libvirtd went is gone too
}

TEST_CASE("without apptainer the singularity runs are skipped with the reason, and --resume with it runs them") {
    PLATBENCH_REQUIRE_PLATFORM(apptainer_problem(), "Apptainer");
    const fs::path dir = scratch("apptainer-missing");
    test::write_file(dir / "e.yaml", experiment("apptainer-missing", "repetitions: 2\n",
                                                "  - plugin: native\n  - plugin: singularity\n", "  - plugin: echo\n"));
    const std::string path = std::getenv("PATH");
    ::setenv("PATH", dir.c_str(), 1);  // a PATH without apptainer or singularity
    auto without = test::Started(run_args(dir, false), dir / "without").wait();
    ::setenv("PATH", path.c_str(), 1);
    INFO(without.err);
    CHECK(without.exit_code == 0);  // skipped runs are not failures
    CHECK(stored_with(dir / "results", "native", RunStatus::Ok) == 2);
    CHECK(stored_with(dir / "results", "singularity", RunStatus::Skipped) == 2);
    for (const auto& [key, r] : stored_by_key(dir / "results")) {
        if (r.status == RunStatus::Skipped) CHECK(contains(r.reason, "neither apptainer nor singularity is installed"));
    }
    auto with = test::Started(run_args(dir, true), dir / "with").wait();
    INFO(with.err);
    CHECK(with.exit_code == 0);
    CHECK(stored_with(dir / "results", "singularity", RunStatus::Ok) == 2);
    CHECK(stored_by_key(dir / "results").size() == 4);
}

// ---------------------------------------------------------------- disk full

TEST_CASE("a full disk stops the run with a clear message, the database stays sound, and --resume finishes") {
    if (::geteuid() != 0) PLATBENCH_SKIP("not-root", "mounting a small tmpfs needs root");
    const fs::path dir = scratch("disk-full");
    const fs::path small = dir / "small";
    fs::create_directories(small);
    REQUIRE(::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=768k") == 0);
    struct Unmount {
        fs::path at;
        ~Unmount() { ::umount2(at.c_str(), MNT_DETACH); }
    } unmount{small};
    // 768 KiB hold about 24 such runs: 80 planned fill it with room to spare, and
    // the --resume that follows runs the rest (under the sanitizers each run costs).
    test::write_file(dir / "e.yaml", experiment("disk-full", "repetitions: 80\n", "  - plugin: native\n",
                                                "  - plugin: echo\n    message: " + std::string(1000, 'm') + "\n"));
    const std::vector<std::string> args{PLATBENCH_CLI, "run", (dir / "e.yaml").string(), "--output",
                                        (small / "results").string()};
    const auto full = test::Started(args, dir / "full").wait();
    INFO(full.err);
    CHECK(full.exit_code == 3);
    CHECK(contains(full.err, "could not store the result of"));
    CHECK(contains(full.err, "full"));
    CHECK(contains(full.err, "--resume"));
    CHECK(test::integrity_check(small / "results" / "results.db") == "ok");
    const auto stored = stored_by_key(small / "results");
    CHECK(stored.size() > 0);
    CHECK(stored.size() < 80);
    for (const auto& [key, r] : stored) CHECK(r.metrics.size() == 1);
    MESSAGE("the disk was full after ", stored.size(), " runs");
    // Room again: the experiment continues where it stopped.
    REQUIRE(::mount("tmpfs", small.c_str(), "tmpfs", MS_REMOUNT, "size=64m") == 0);
    std::vector<std::string> resume = args;
    resume.push_back("--resume");
    const auto resumed = test::Started(resume, dir / "resumed").wait();
    INFO(resumed.err);
    CHECK(resumed.exit_code == 0);
    CHECK(stored_by_key(small / "results").size() == 80);
    CHECK(test::integrity_check(small / "results" / "results.db") == "ok");
}
