#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "child_processes.hpp"
#include "skip.hpp"
#include "platbench/process.hpp"
#include "platbench/cgroup.hpp"

using namespace platbench;
namespace fs = std::filesystem;

namespace {

std::size_t open_fd_count() {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++count;
    return count;
}

// No child of this process is left, running or zombie.
using test::no_children_left;

ChildRequest command(std::vector<std::string> argv) {
    ChildRequest request;
    request.argv = std::move(argv);
    request.timeout = std::chrono::seconds(60);
    return request;
}

ChildRequest shell(const std::string& script) { return command({"/bin/sh", "-c", script}); }

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::string status_line(const std::string& status, const std::string& key) {
    std::istringstream in(status);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key + ":", 0) == 0) return line;
    return {};
}

// A process is gone once it is neither in /proc nor still running (a zombie
// waiting for init counts as gone). Waits a little: death is asynchronous.
bool process_gone(pid_t pid) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
        const std::size_t paren = stat.rfind(')');
        if (stat.empty() || (paren != std::string::npos && paren + 2 < stat.size() &&
                             (stat[paren + 2] == 'Z' || stat[paren + 2] == 'X')))
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

bool unified_hierarchy() { return fs::exists("/sys/fs/cgroup/cgroup.controllers"); }

fs::path run_dir(const std::string& controller_mount_v1, const std::string& name) {
    if (unified_hierarchy()) return fs::path("/sys/fs/cgroup/platbench") / name;
    return fs::path("/sys/fs/cgroup") / controller_mount_v1 / "platbench" / name;
}

fs::path cpu_run_dir(const std::string& name) {
    return run_dir(fs::exists("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us") ? "cpu,cpuacct" : "cpu", name);
}

std::string unique_name(const std::string& what) { return "test-" + what + "-" + std::to_string(::getpid()); }

}  // namespace

TEST_CASE("run_child reports the exit code and both streams") {
    const ChildOutcome outcome = run_child(shell("echo to-stdout; echo to-stderr >&2; exit 3"));
    CHECK(outcome.started);
    CHECK(outcome.failure.empty());
    CHECK(outcome.exit_code == 3);
    CHECK(outcome.term_signal == 0);
    CHECK(outcome.stdout_text == "to-stdout\n");
    CHECK(outcome.stderr_text == "to-stderr\n");
    CHECK_FALSE(outcome.timed_out);
    CHECK_FALSE(outcome.output_truncated);
    CHECK(outcome.wall_seconds > 0);
    CHECK(no_children_left());
}

TEST_CASE("run_child passes arguments verbatim, without a shell") {
    const ChildOutcome outcome = run_child(command({"echo", "a b", "$HOME", "*", "';'"}));
    REQUIRE(outcome.started);
    CHECK(outcome.exit_code == 0);
    CHECK(outcome.stdout_text == "a b $HOME * ';'\n");
}

TEST_CASE("run_child gives the child /dev/null as stdin") {
    const ChildOutcome outcome = run_child(command({"/bin/cat"}));
    REQUIRE(outcome.started);
    CHECK(outcome.exit_code == 0);
    CHECK(outcome.stdout_text.empty());
}

TEST_CASE("run_child reports the signal that killed the child") {
    const ChildOutcome outcome = run_child(shell("kill -USR1 $$; sleep 5"));
    REQUIRE(outcome.started);
    CHECK(outcome.term_signal == SIGUSR1);
    CHECK(outcome.exit_code == -1);
    CHECK_FALSE(outcome.timed_out);
}

TEST_CASE("run_child kills a child that runs past its timeout and reaps it") {
    ChildRequest request = command({"sleep", "60"});
    request.timeout = std::chrono::milliseconds(200);
    const ChildOutcome outcome = run_child(request);
    REQUIRE(outcome.started);
    CHECK(outcome.timed_out);
    CHECK_FALSE(outcome.cancelled);
    CHECK(outcome.term_signal == SIGTERM);
    CHECK(outcome.wall_seconds < 50);  // ended by the kill, not by sleep finishing
    CHECK(no_children_left());
}

TEST_CASE("run_child stops the child when the cancel flag turns true") {
    std::atomic<bool> cancel{false};
    ChildRequest request = command({"sleep", "60"});
    request.cancel = &cancel;
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        cancel = true;
    });
    const ChildOutcome outcome = run_child(request);
    canceller.join();
    REQUIRE(outcome.started);
    CHECK(outcome.cancelled);
    CHECK_FALSE(outcome.timed_out);
    CHECK(outcome.term_signal == SIGTERM);
    CHECK(no_children_left());
}

TEST_CASE("run_child does not start a child when already cancelled") {
    std::atomic<bool> cancel{true};
    ChildRequest request = command({"/bin/true"});
    request.cancel = &cancel;
    const ChildOutcome outcome = run_child(request);
    CHECK_FALSE(outcome.started);
    CHECK(outcome.cancelled);
}

TEST_CASE("run_child kills the whole process group, even a grandchild ignoring SIGTERM") {
    // The grandchild prints its pid, ignores SIGTERM and would sleep for a minute.
    ChildRequest request = shell("sh -c 'trap \"\" TERM; echo $$; exec sleep 60' & wait");
    request.timeout = std::chrono::milliseconds(300);
    const ChildOutcome outcome = run_child(request);
    REQUIRE(outcome.started);
    CHECK(outcome.timed_out);
    const pid_t grandchild = std::atoi(outcome.stdout_text.c_str());
    REQUIRE(grandchild > 0);
    CHECK(process_gone(grandchild));
    CHECK(no_children_left());
}

TEST_CASE("run_child ends what the child left running in its group when it exits") {
    const ChildOutcome outcome = run_child(shell("sleep 60 >/dev/null 2>&1 & echo $!"));
    REQUIRE(outcome.started);
    CHECK(outcome.exit_code == 0);
    const pid_t background = std::atoi(outcome.stdout_text.c_str());
    REQUIRE(background > 0);
    CHECK(process_gone(background));
}

TEST_CASE("a child dies with the process that runs it, even one killed with SIGKILL") {
    // A stand-in for the runner: a forked copy of this test that starts a child
    // through run_child() and is then killed outright, as a hung runner would be.
    const fs::path pid_file = fs::temp_directory_path() / unique_name("orphan-pid");
    fs::remove(pid_file);
    const pid_t runner = ::fork();
    REQUIRE(runner >= 0);
    if (runner == 0) {
        run_child(shell("echo $$ > '" + pid_file.string() + "'; exec sleep 60"));
        ::_exit(0);
    }
    pid_t child = 0;
    for (int attempt = 0; attempt < 250 && child <= 0; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        child = std::atoi(read_text(pid_file).c_str());
    }
    REQUIRE(child > 0);
    ::kill(runner, SIGKILL);
    ::waitpid(runner, nullptr, 0);
    CHECK(process_gone(child));
    fs::remove(pid_file);
}

TEST_CASE("run_child explains an exec failure") {
    const ChildOutcome missing = run_child(command({"/nonexistent/platbench-runner"}));
    CHECK_FALSE(missing.started);
    CHECK(missing.failure == "cannot execute /nonexistent/platbench-runner: No such file or directory");

    const fs::path plain_file = fs::temp_directory_path() / unique_name("not-executable");
    std::ofstream(plain_file) << "#!/bin/sh\n";
    fs::permissions(plain_file, fs::perms::owner_read | fs::perms::owner_write);
    const ChildOutcome not_executable = run_child(command({plain_file.string()}));
    fs::remove(plain_file);
    CHECK_FALSE(not_executable.started);
    CHECK(not_executable.failure == "cannot execute " + plain_file.string() + ": Permission denied");

    const ChildOutcome not_in_path = run_child(command({"platbench-no-such-tool"}));
    CHECK_FALSE(not_in_path.started);
    CHECK(not_in_path.failure.rfind("cannot execute platbench-no-such-tool: not found in PATH", 0) == 0);

    const ChildOutcome empty = run_child(command({}));
    CHECK_FALSE(empty.started);
    CHECK_FALSE(empty.failure.empty());
    CHECK(no_children_left());
}

TEST_CASE("run_child explains a missing working directory") {
    ChildRequest request = command({"/bin/pwd"});
    request.working_directory = "/nonexistent-platbench-dir";
    const ChildOutcome outcome = run_child(request);
    CHECK_FALSE(outcome.started);
    CHECK(outcome.failure ==
          "cannot change to the working directory /nonexistent-platbench-dir: No such file or directory");
}

TEST_CASE("run_child honours the working directory and extra environment") {
    ChildRequest request = shell("pwd; echo \"$PLATBENCH_TEST_VALUE\"");
    request.working_directory = "/tmp";
    request.extra_environment["PLATBENCH_TEST_VALUE"] = "hello world";
    const ChildOutcome outcome = run_child(request);
    REQUIRE(outcome.started);
    CHECK(outcome.stdout_text == "/tmp\nhello world\n");
}

TEST_CASE("run_child keeps the first bytes up to the cap and drains the rest") {
    ChildRequest request = shell("head -c 1000000 /dev/zero | tr '\\0' x; echo done >&2");
    request.output_cap_bytes = 1000;
    const ChildOutcome outcome = run_child(request);
    REQUIRE(outcome.started);
    CHECK(outcome.exit_code == 0);  // the child was never blocked or broken
    CHECK(outcome.output_truncated);
    CHECK(outcome.stdout_text == std::string(1000, 'x'));
    CHECK(outcome.stderr_text == "done\n");
}

TEST_CASE("run_child reads large output on both streams without deadlock") {
    const ChildOutcome outcome =
        run_child(shell("head -c 3000000 /dev/zero >&2 & head -c 3000000 /dev/zero; wait"));
    REQUIRE(outcome.started);
    CHECK(outcome.exit_code == 0);
    CHECK_FALSE(outcome.timed_out);
    CHECK(outcome.stdout_text.size() == 3000000);
    CHECK(outcome.stderr_text.size() == 3000000);
    CHECK_FALSE(outcome.output_truncated);
}

TEST_CASE("run_child pins the child to the requested CPUs") {
    ChildRequest request = command({"/bin/cat", "/proc/self/status"});
    request.cpu_affinity = std::vector<int>{0};
    const ChildOutcome outcome = run_child(request);
    REQUIRE(outcome.started);
    CHECK(status_line(outcome.stdout_text, "Cpus_allowed_list") == "Cpus_allowed_list:\t0");
}

TEST_CASE("run_child explains an affinity the kernel refuses") {
    ChildRequest request = command({"/bin/true"});
    request.cpu_affinity = std::vector<int>{65000};
    const ChildOutcome outcome = run_child(request);
    CHECK_FALSE(outcome.started);
    CHECK(outcome.failure.rfind("cannot set the CPU affinity to 65000: Invalid argument", 0) == 0);
}

TEST_CASE("probe_limit_support answers with a reason when it says no") {
    const LimitSupport support = probe_limit_support();
    if (!support.memory || !support.cpu_quota) CHECK_FALSE(support.reason.empty());
    if (support.memory && support.cpu_quota) CHECK(support.reason.empty());
    // The probe leaves nothing behind.
    for (const fs::path& parent : cgroup::run_parents())
        if (fs::exists(parent))
            for (const auto& entry : fs::directory_iterator(parent))
                CHECK(entry.path().filename().string().rfind("probe-" + std::to_string(::getpid()), 0) != 0);
}

TEST_CASE("run_child puts the child into a cgroup with the memory limit") {
    const LimitSupport support = probe_limit_support();
    if (!support.memory) PLATBENCH_SKIP("no-cgroup-limits", "memory limits are not enforceable here: " << support.reason);
    const std::string name = unique_name("memory");
    const fs::path dir = run_dir("memory", name);
    ChildRequest request = command(
        {"/bin/cat", "/proc/self/cgroup", (dir / (unified_hierarchy() ? "memory.max" : "memory.limit_in_bytes")).string()});
    request.memory_limit_bytes = 64u << 20;
    request.cgroup_name = name;
    const ChildOutcome outcome = run_child(request);
    REQUIRE(outcome.started);
    CHECK(outcome.exit_code == 0);
    const std::string cgroup_line = unified_hierarchy() ? "0::/platbench/" + name : ":memory:/platbench/" + name;
    CHECK(outcome.stdout_text.find(cgroup_line + "\n") != std::string::npos);
    CHECK(outcome.stdout_text.find("\n67108864\n") != std::string::npos);
    CHECK_FALSE(fs::exists(dir));  // removed after the run
}

TEST_CASE("run_child puts the child into a cgroup with the CPU quota") {
    const LimitSupport support = probe_limit_support();
    if (!support.cpu_quota) PLATBENCH_SKIP("no-cgroup-limits", "CPU quotas are not enforceable here: " << support.reason);
    const std::string name = unique_name("cpu");
    const fs::path dir = cpu_run_dir(name);
    ChildRequest request =
        command({"/bin/cat", (dir / (unified_hierarchy() ? "cpu.max" : "cpu.cfs_quota_us")).string()});
    request.cpu_quota = 0.5;
    request.cgroup_name = name;
    const ChildOutcome outcome = run_child(request);
    REQUIRE(outcome.started);
    CHECK(outcome.exit_code == 0);
    CHECK(outcome.stdout_text == (unified_hierarchy() ? "50000 100000\n" : "50000\n"));
    CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("run_child reports a child killed by the memory limit") {
    const LimitSupport support = probe_limit_support();
    if (!support.memory) PLATBENCH_SKIP("no-cgroup-limits", "memory limits are not enforceable here: " << support.reason);
    // The shell keeps the command substitution's 300 MB in its own memory.
    ChildRequest request = shell("x=$(head -c 300M /dev/zero | tr '\\0' a); echo survived");
    request.memory_limit_bytes = 32u << 20;
    request.cgroup_name = unique_name("oom");
    const ChildOutcome outcome = run_child(request);
    REQUIRE(outcome.started);
    CHECK(outcome.term_signal == SIGKILL);
    CHECK(outcome.failure == "killed by the memory limit (OOM)");
    CHECK(outcome.stdout_text.empty());
    CHECK_FALSE(fs::exists(run_dir("memory", request.cgroup_name)));
    CHECK(no_children_left());
}

TEST_CASE("run_child does not run the child when its cgroup cannot be made") {
    const LimitSupport support = probe_limit_support();
    if (!support.memory) PLATBENCH_SKIP("no-cgroup-limits", "memory limits are not enforceable here: " << support.reason);
    // Another live run already owns the name.
    const std::string name = unique_name("taken");
    const fs::path dir = run_dir("memory", name);
    REQUIRE(fs::create_directory(dir));
    const pid_t owner = ::fork();
    if (owner == 0) {
        ::pause();
        ::_exit(0);
    }
    REQUIRE(owner > 0);
    std::ofstream(dir / "cgroup.procs") << owner << std::flush;

    ChildRequest request = command({"/bin/sh", "-c", "echo ran"});
    request.memory_limit_bytes = 64u << 20;
    request.cgroup_name = name;
    const ChildOutcome outcome = run_child(request);

    ::kill(owner, SIGKILL);
    ::waitpid(owner, nullptr, 0);
    for (int attempt = 0; attempt < 100 && fs::exists(dir); ++attempt) {
        ::rmdir(dir.c_str());
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK_FALSE(outcome.started);
    CHECK(outcome.stdout_text.empty());
    CHECK(outcome.failure.find("already exists and is in use") != std::string::npos);
    CHECK(outcome.failure.rfind("cannot enforce the memory limit: ", 0) == 0);
    CHECK_FALSE(fs::exists(dir));
    CHECK(no_children_left());
}

TEST_CASE("run_child leaks no file descriptor, child or cgroup") {
    const LimitSupport support = probe_limit_support();
    const std::size_t before = open_fd_count();
    run_child(shell("echo hello; echo world >&2"));
    run_child(command({"/nonexistent/tool"}));
    ChildRequest slow = command({"sleep", "60"});
    slow.timeout = std::chrono::milliseconds(100);
    run_child(slow);
    ChildRequest capped = shell("head -c 100000 /dev/zero");
    capped.output_cap_bytes = 10;
    run_child(capped);
    if (support.memory) {
        ChildRequest limited = command({"/bin/true"});
        limited.memory_limit_bytes = 64u << 20;
        limited.cgroup_name = unique_name("leak");
        CHECK(run_child(limited).exit_code == 0);
        CHECK_FALSE(fs::exists(run_dir("memory", limited.cgroup_name)));
    }
    CHECK(open_fd_count() == before);
    CHECK(no_children_left());
}

TEST_CASE("cgroup names stay one safe path element") {
    CHECK(cgroup::sanitise_name("run-42.a_b") == "run-42.a_b");
    CHECK(cgroup::sanitise_name("../../etc") == ".._.._etc");
    CHECK(cgroup::sanitise_name("a b/c") == "a_b_c");
    CHECK(cgroup::sanitise_name("..").rfind("run-", 0) == 0);
    CHECK(cgroup::sanitise_name("").rfind("run-", 0) == 0);
    CHECK(cgroup::sanitise_name("") != cgroup::sanitise_name(""));
}
