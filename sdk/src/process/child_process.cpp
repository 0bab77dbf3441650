// run_child(): fork + exec without a shell, the child in its own process group
// and (for limits) its own cgroup, output captured through pipes.
//
// Between fork and exec the child may only make async-signal-safe calls: the
// engine is multi-threaded, and another thread may hold the allocator's lock
// at the moment of fork. Everything the child needs is therefore prepared
// beforehand (ExecPlan), and it reports an exec failure as two ints through a
// close-on-exec pipe.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include "platbench/process.hpp"
#include "platbench/cgroup.hpp"
#include "platbench/params.hpp"

extern char** environ;

namespace platbench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kPollIntervalMs = 50;                        // how often timeout and cancel are checked
constexpr auto kKillGrace = std::chrono::seconds(2);       // SIGTERM, then SIGKILL after this
constexpr auto kDrainGrace = std::chrono::seconds(1);      // pipes held open by escaped processes
constexpr std::size_t kReadChunk = 64 * 1024;

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ~Fd() { reset(); }
    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

// Keeps our descriptors above 0-2 so that the child's dup2 onto 0-2 can never
// overwrite one it still needs (a parent started with closed stdio).
Fd above_stdio(int fd) {
    if (fd < 0 || fd > 2) return Fd(fd);
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    ::close(fd);
    return Fd(moved);
}

struct Pipe {
    Fd read;
    Fd write;
};

bool make_pipe(Pipe& pipe) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    pipe.read = above_stdio(fds[0]);
    pipe.write = above_stdio(fds[1]);
    return pipe.read.valid() && pipe.write.valid();
}

// What the child sends back when it cannot get as far as exec.
enum class ChildStage : int { Affinity = 1, WorkingDirectory = 2, Exec = 3 };
struct ChildReport {
    int stage = 0;
    int error = 0;
};

// Everything the child uses, built before fork.
struct ExecPlan {
    std::string path;  // executable, resolved through PATH
    std::vector<char*> argv;
    std::vector<std::string> environment_storage;
    std::vector<char*> environment;
    char** envp = environ;
    cpu_set_t* affinity = nullptr;
    std::size_t affinity_size = 0;
    std::string working_directory;
    pid_t parent = 0;  // the process that runs the child, for the death signal below

    ExecPlan() = default;
    ExecPlan(const ExecPlan&) = delete;
    ExecPlan& operator=(const ExecPlan&) = delete;
    ~ExecPlan() {
        if (affinity != nullptr) CPU_FREE(affinity);
    }
};

bool is_executable_file(const fs::path& path) {
    std::error_code ec;
    return ::access(path.c_str(), X_OK) == 0 && fs::is_regular_file(path, ec);
}

// execvp's lookup, done before fork: it allocates.
std::optional<std::string> resolve_executable(const std::string& name, std::string& error) {
    if (auto path = find_program(name)) return path->string();
    const char* env_path = std::getenv("PATH");
    error = "cannot execute " + name + ": not found in PATH (" + (env_path != nullptr ? env_path : "") + ")";
    return std::nullopt;
}

void build_environment(const std::map<std::string, std::string>& extra, ExecPlan& plan) {
    if (extra.empty()) return;  // inherit environ as it is
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string variable = *entry;
        const std::string key = variable.substr(0, variable.find('='));
        if (extra.count(key) == 0) plan.environment_storage.push_back(variable);
    }
    for (const auto& [key, value] : extra) plan.environment_storage.push_back(key + "=" + value);
    for (std::string& variable : plan.environment_storage) plan.environment.push_back(variable.data());
    plan.environment.push_back(nullptr);
    plan.envp = plan.environment.data();
}

bool build_affinity(const std::vector<int>& cpus, ExecPlan& plan, std::string& error) {
    if (cpus.empty()) {
        error = "the CPU affinity is empty: give at least one CPU";
        return false;
    }
    const int highest = *std::max_element(cpus.begin(), cpus.end());
    if (*std::min_element(cpus.begin(), cpus.end()) < 0 || highest > 65535) {
        error = "the CPU affinity names CPU numbers outside 0-65535";
        return false;
    }
    plan.affinity = CPU_ALLOC(highest + 1);
    if (plan.affinity == nullptr) {
        error = "cannot allocate a CPU set";
        return false;
    }
    plan.affinity_size = CPU_ALLOC_SIZE(highest + 1);
    CPU_ZERO_S(plan.affinity_size, plan.affinity);
    for (int cpu : cpus) CPU_SET_S(cpu, plan.affinity_size, plan.affinity);
    return true;
}

bool build_plan(const ChildRequest& request, std::vector<std::string>& argv_storage, ExecPlan& plan,
                std::string& error) {
    if (request.argv.empty() || request.argv.front().empty()) {
        error = "no command to run: argv is empty";
        return false;
    }
    auto path = resolve_executable(request.argv.front(), error);
    if (!path) return false;
    plan.path = *path;
    argv_storage = request.argv;
    for (std::string& arg : argv_storage) plan.argv.push_back(arg.data());
    plan.argv.push_back(nullptr);
    build_environment(request.extra_environment, plan);
    if (request.cpu_affinity && !build_affinity(*request.cpu_affinity, plan, error)) return false;
    if (request.working_directory) plan.working_directory = request.working_directory->string();
    return true;
}

std::string describe_report(const ChildReport& report, const ExecPlan& plan, const ChildRequest& request) {
    const std::string reason = std::strerror(report.error);
    switch (static_cast<ChildStage>(report.stage)) {
        case ChildStage::Affinity:
            return "cannot set the CPU affinity to " + format_cpu_list(*request.cpu_affinity) + ": " + reason +
                   (report.error == EINVAL ? " (none of these CPUs is available to this process)" : "");
        case ChildStage::WorkingDirectory:
            return "cannot change to the working directory " + plan.working_directory + ": " + reason;
        case ChildStage::Exec:
            return "cannot execute " + plan.path + ": " + reason;
    }
    return "the child failed before exec: " + reason;
}

// ---- In the child: async-signal-safe calls only. ----

[[noreturn]] void report_and_exit(int report_fd, ChildStage stage) {
    const ChildReport report{static_cast<int>(stage), errno};
    [[maybe_unused]] ssize_t ignored = ::write(report_fd, &report, sizeof report);
    ::_exit(127);
}

bool move_fd(int fd, int target) {
    if (fd == target) return ::fcntl(fd, F_SETFD, 0) == 0;  // dup2 would keep FD_CLOEXEC
    return ::dup2(fd, target) == target;
}

void reset_signals() {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Ignored signals stay ignored across exec: give the child the defaults.
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    for (int signal : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM})
        ::sigaction(signal, &default_action, nullptr);
}

struct ChildFds {
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
    int gate_fd;        // -1: no cgroup to wait for
    int gate_write_fd;  // the parent's end, closed here so that its close reads as EOF
    int report_fd;
};

[[noreturn]] void exec_in_child(const ExecPlan& plan, const ChildFds& fds) {
    ::setpgid(0, 0);
    // The child is in its own process group, so a kill of ours misses it: have
    // the kernel kill it when we die (a runner killed with SIGKILL takes the fio
    // it started along). The signal comes when the forking thread ends, and
    // run_child() waits for the child on that thread. If we died already, stop.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != plan.parent) ::_exit(127);
    reset_signals();
    if (!move_fd(fds.stdin_fd, 0) || !move_fd(fds.stdout_fd, 1) || !move_fd(fds.stderr_fd, 2)) ::_exit(127);
    if (fds.gate_fd >= 0) {
        ::close(fds.gate_write_fd);
        // Wait until the parent has put us into the cgroup; EOF means it gave up.
        char byte = 0;
        ssize_t got;
        do got = ::read(fds.gate_fd, &byte, 1);
        while (got < 0 && errno == EINTR);
        if (got != 1) ::_exit(127);
    }
    // Descriptors the engine opened without O_CLOEXEC must not reach the child.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    if (plan.affinity != nullptr && ::sched_setaffinity(0, plan.affinity_size, plan.affinity) != 0)
        report_and_exit(fds.report_fd, ChildStage::Affinity);
    if (!plan.working_directory.empty() && ::chdir(plan.working_directory.c_str()) != 0)
        report_and_exit(fds.report_fd, ChildStage::WorkingDirectory);
    ::execve(plan.path.c_str(), plan.argv.data(), plan.envp);
    report_and_exit(fds.report_fd, ChildStage::Exec);
}

// ---- In the parent. ----

// Blocks until the child execs (EOF) or reports why it could not.
std::optional<ChildReport> read_report(int fd) {
    ChildReport report;
    std::size_t got = 0;
    while (got < sizeof report) {
        const ssize_t n = ::read(fd, reinterpret_cast<char*>(&report) + got, sizeof report - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    if (got != sizeof report) return std::nullopt;
    return report;
}

int reap(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

// One captured stream: the first `cap` bytes are kept, the rest read and dropped
// so the child never blocks on a full pipe.
struct Capture {
    Fd fd;
    std::string* text;
    std::size_t cap;
    bool truncated = false;

    // Reads what is there now; closes the pipe at EOF.
    void drain() {
        char buffer[kReadChunk];
        while (fd.valid()) {
            const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            if (n <= 0) {
                fd.reset();
                return;
            }
            const std::size_t room = cap > text->size() ? cap - text->size() : 0;
            const std::size_t keep = std::min(room, static_cast<std::size_t>(n));
            text->append(buffer, keep);
            if (keep < static_cast<std::size_t>(n)) truncated = true;
        }
    }
};

Clock::time_point deadline_after(std::chrono::duration<double> timeout, Clock::time_point start) {
    const double seconds = timeout.count();
    if (!std::isfinite(seconds) || seconds > 1e9) return Clock::time_point::max();
    if (seconds <= 0) return start;
    return start + std::chrono::duration_cast<Clock::duration>(timeout);
}

void set_outcome_status(int status, ChildOutcome& outcome) {
    if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome.term_signal = WTERMSIG(status);
}

// Polls the pipes, enforces timeout and cancel, and reaps the child.
void supervise(pid_t pid, Capture (&streams)[2], const ChildRequest& request, Clock::time_point start,
               ChildOutcome& outcome) {
    const Clock::time_point deadline = deadline_after(request.timeout, start);
    std::optional<Clock::time_point> kill_at;    // SIGTERM sent: SIGKILL from then on
    std::optional<Clock::time_point> exited_at;  // reaped
    // Readable when the child exits, so its end is seen at once rather than at
    // the next poll interval (the child closes its pipes just before it exits).
    // Kernels before 5.3 have no pidfd: the poll interval bounds the delay there.
    Fd exit_fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    for (;;) {
        if (exited_at && std::none_of(std::begin(streams), std::end(streams),
                                      [](const Capture& s) { return s.fd.valid(); }))
            return;  // reaped and everything read
        pollfd fds[3];
        nfds_t count = 0;
        for (Capture& stream : streams)
            if (stream.fd.valid()) fds[count++] = pollfd{stream.fd.get(), POLLIN, 0};
        if (exit_fd.valid() && !exited_at) fds[count++] = pollfd{exit_fd.get(), POLLIN, 0};
        if (::poll(count > 0 ? fds : nullptr, count, kPollIntervalMs) > 0)
            for (Capture& stream : streams) stream.drain();
        const Clock::time_point now = Clock::now();

        if (!exited_at) {
            siginfo_t info{};
            const int waited = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
            if ((waited == 0 && info.si_pid == pid) || (waited < 0 && errno == ECHILD)) {
                // The exited leader, not yet reaped, still holds its pid, so its group
                // id cannot have been reused: whatever it left running in the group
                // ends with it. (ECHILD: SIGCHLD is ignored and the kernel reaped it.)
                if (waited == 0) {
                    ::kill(-pid, SIGKILL);
                    set_outcome_status(reap(pid), outcome);
                }
                exited_at = Clock::now();
                outcome.wall_seconds = std::chrono::duration<double>(*exited_at - start).count();
                continue;  // read what is left before deciding anything
            }
        }
        if (exited_at) {
            if (now - *exited_at > kDrainGrace) return;
            continue;
        }
        if (kill_at) {
            if (now >= *kill_at) ::kill(-pid, SIGKILL);
            continue;
        }
        const bool cancel = request.cancel != nullptr && request.cancel->load();
        if (cancel || now >= deadline) {
            (cancel ? outcome.cancelled : outcome.timed_out) = true;
            ::kill(-pid, SIGTERM);
            kill_at = now + kKillGrace;
        }
    }
}

void make_nonblocking(const Fd& fd) { ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK); }

}  // namespace

std::optional<fs::path> find_program(const std::string& name) {
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string::npos) return fs::path(name);
    const char* env_path = std::getenv("PATH");
    const std::string search = env_path != nullptr ? env_path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= search.size()) {
        std::size_t end = search.find(':', start);
        if (end == std::string::npos) end = search.size();
        if (end > start) {
            const fs::path candidate = fs::path(search.substr(start, end - start)) / name;
            if (is_executable_file(candidate)) return candidate;
        }
        start = end + 1;
    }
    return std::nullopt;
}

ChildOutcome run_child(const ChildRequest& request) {
    ChildOutcome outcome;
    if (request.cancel != nullptr && request.cancel->load()) {
        outcome.cancelled = true;
        outcome.failure = "cancelled before the child started";
        return outcome;
    }
    std::vector<std::string> argv_storage;
    ExecPlan plan;
    if (!build_plan(request, argv_storage, plan, outcome.failure)) return outcome;

    std::unique_ptr<cgroup::RunCgroup> run_cgroup;
    if (request.memory_limit_bytes || request.cpu_quota) {
        run_cgroup = cgroup::RunCgroup::create(request.cgroup_name, {request.memory_limit_bytes, request.cpu_quota},
                                               outcome.failure);
        if (!run_cgroup) return outcome;
    }

    Fd null_input = above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    Pipe out, err, report, gate;
    if (!null_input.valid() || !make_pipe(out) || !make_pipe(err) || !make_pipe(report) ||
        (run_cgroup && !make_pipe(gate))) {
        outcome.failure = std::string("cannot create pipes for the child: ") + std::strerror(errno);
        return outcome;
    }

    const Clock::time_point start = Clock::now();
    plan.parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        outcome.failure = std::string("cannot fork: ") + std::strerror(errno);
        return outcome;
    }
    if (pid == 0)
        exec_in_child(plan, {null_input.get(), out.write.get(), err.write.get(),
                             run_cgroup ? gate.read.get() : -1, gate.write.get(), report.write.get()});

    // Both sides set the group, so it exists whichever runs first.
    ::setpgid(pid, pid);
    null_input.reset();
    out.write.reset();
    err.write.reset();
    report.write.reset();
    if (run_cgroup) {
        if (std::string error = run_cgroup->add_process(pid); !error.empty()) {
            gate.write.reset();  // EOF: the child exits without running anything
            ::kill(pid, SIGKILL);
            reap(pid);
            outcome.failure = error;
            return outcome;
        }
        // Our read end is still open, so this write cannot raise SIGPIPE.
        [[maybe_unused]] ssize_t ignored = ::write(gate.write.get(), "x", 1);
        gate.write.reset();
        gate.read.reset();
    }

    if (std::optional<ChildReport> failed = read_report(report.read.get())) {
        reap(pid);
        outcome.failure = describe_report(*failed, plan, request);
        return outcome;
    }
    report.read.reset();
    outcome.started = true;

    Capture streams[2] = {{std::move(out.read), &outcome.stdout_text, request.output_cap_bytes},
                          {std::move(err.read), &outcome.stderr_text, request.output_cap_bytes}};
    for (Capture& stream : streams) make_nonblocking(stream.fd);
    supervise(pid, streams, request, start, outcome);
    outcome.output_truncated = streams[0].truncated || streams[1].truncated;

    if (run_cgroup) {
        if (run_cgroup->oom_killed())
            outcome.failure = outcome.term_signal == SIGKILL && !outcome.timed_out && !outcome.cancelled
                                  ? "killed by the memory limit (OOM)"
                                  : "a process of the run was killed by the memory limit (OOM)";
        run_cgroup->kill_remaining();
        run_cgroup->remove();
    }
    return outcome;
}

LimitSupport probe_limit_support() {
    // Creating a real (empty) cgroup with a limit is the only sure test: the
    // files can exist and still refuse writes (read-only mount, no delegation).
    LimitSupport support;
    const std::string name = "probe-" + std::to_string(::getpid()) + "-" +
                             std::to_string(Clock::now().time_since_epoch().count());
    std::string memory_error, cpu_error;
    support.memory = cgroup::RunCgroup::create(name + "-memory", {std::uint64_t{1} << 40, std::nullopt},
                                               memory_error) != nullptr;
    support.cpu_quota = cgroup::RunCgroup::create(name + "-cpu", {std::nullopt, 1.0}, cpu_error) != nullptr;
    support.reason = memory_error;
    if (!cpu_error.empty()) support.reason += (support.reason.empty() ? "" : "; ") + cpu_error;
    return support;
}

}  // namespace platbench
