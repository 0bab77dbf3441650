#include "process/guarded_call.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <exception>
#include <fstream>

namespace platbench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kCheckIntervalMs = 10;  // how often the child's time and memory are looked at
constexpr char kFinishedTag = 'F';
constexpr char kThrewTag = 'T';

// Resident memory of a process, from /proc/<pid>/statm (its second field, in pages).
std::size_t resident_bytes(pid_t pid) {
    std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
    std::size_t total_pages = 0;
    std::size_t resident_pages = 0;
    if (!(statm >> total_pages >> resident_pages)) return 0;
    return resident_pages * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// In the child: run `work`, send the tagged answer, leave without running the
// parent's atexit handlers or destructors (they belong to the parent).
[[noreturn]] void run_in_child(const std::function<std::string()>& work, int answer_fd, pid_t parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(125);  // the parent died before prctl took effect
    // Ctrl-C is the parent's to handle; the parent kills us when it gives up. A
    // crash is the parent's to report: its own handlers (a test framework's, a
    // sanitizer's) must not treat the child's signal as its own.
    ::signal(SIGINT, SIG_IGN);
    for (const int signal : {SIGTERM, SIGPIPE, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL})
        ::signal(signal, SIG_DFL);
    std::string message;
    char tag = kFinishedTag;
    try {
        message = work();
    } catch (const std::exception& e) {
        tag = kThrewTag;
        message = e.what();
    } catch (...) {
        tag = kThrewTag;
        message = "an exception that is not a std::exception";
    }
    const bool sent = write_all(answer_fd, &tag, 1) && write_all(answer_fd, message.data(), message.size());
    ::_exit(sent ? 0 : 124);
}

void kill_and_reap(pid_t pid) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

// Reads what is available on `fd` into `answer` (at most `limit` + 1 bytes kept).
// Returns false at end of file.
bool read_available(int fd, std::string& answer, std::size_t limit) {
    char buffer[64 * 1024];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return false;
    // The tag, the answer's `limit` bytes, and one more to tell an answer that is too long.
    const std::size_t keep = limit + 2;
    if (answer.size() < keep) answer.append(buffer, std::min(static_cast<std::size_t>(n), keep - answer.size()));
    return true;
}

// The answer of a child that exited: its tag decides Finished or Threw.
void classify_exit(int wait_status, std::string answer, std::size_t limit, GuardedOutcome& outcome) {
    if (WIFSIGNALED(wait_status)) {
        outcome.status = GuardStatus::Crashed;
        outcome.detail = std::string("ended by signal ") + ::strsignal(WTERMSIG(wait_status));
    } else if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0 || answer.empty()) {
        outcome.status = GuardStatus::Crashed;
        outcome.detail = "exited with status " + std::to_string(WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1) +
                         " without an answer";
    } else if (answer.size() > limit + 1) {
        outcome.status = GuardStatus::Crashed;
        outcome.detail = "answered more than " + std::to_string(limit) + " bytes";
    } else {
        outcome.status = answer.front() == kThrewTag ? GuardStatus::Threw : GuardStatus::Finished;
        outcome.answer = answer.substr(1);
    }
}

}  // namespace

GuardedOutcome guarded_call(const std::function<std::string()>& work, const GuardLimits& limits) {
    GuardedOutcome outcome;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        outcome.detail = std::string("cannot make a pipe: ") + std::strerror(errno);
        return outcome;
    }
    const std::size_t resident_at_fork = resident_bytes(::getpid());
    std::fflush(nullptr);  // buffered output must not be written twice
    const pid_t parent = ::getpid();
    const auto start = Clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) {
        outcome.detail = std::string("cannot fork: ") + std::strerror(errno);
        ::close(fds[0]);
        ::close(fds[1]);
        return outcome;
    }
    if (pid == 0) {
        ::close(fds[0]);
        run_in_child(work, fds[1], parent);
    }
    ::close(fds[1]);
    std::string answer;
    bool open = true;
    while (open) {
        pollfd waiting{fds[0], POLLIN, 0};
        const int ready = ::poll(&waiting, 1, kCheckIntervalMs);
        if (ready > 0) open = read_available(fds[0], answer, limits.answer_bytes);
        const auto elapsed = Clock::now() - start;
        const std::size_t resident = resident_bytes(pid);
        const std::size_t growth = resident > resident_at_fork ? resident - resident_at_fork : 0;
        outcome.peak_growth_bytes = std::max(outcome.peak_growth_bytes, growth);
        if (!open) break;
        if (growth > limits.memory_bytes || elapsed > limits.time) {
            kill_and_reap(pid);
            ::close(fds[0]);
            outcome.status = growth > limits.memory_bytes ? GuardStatus::OutOfMemory : GuardStatus::TimedOut;
            outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
            return outcome;
        }
    }
    ::close(fds[0]);
    int wait_status = 0;
    while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
    }
    outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    classify_exit(wait_status, std::move(answer), limits.answer_bytes, outcome);
    return outcome;
}

std::string describe_guard_failure(const GuardedOutcome& outcome, const GuardLimits& limits) {
    switch (outcome.status) {
        case GuardStatus::TimedOut:
        {
            char seconds[32];
            std::snprintf(seconds, sizeof seconds, "%g", static_cast<double>(limits.time.count()) / 1000.0);
            return std::string("did not finish within ") + seconds + " s";
        }
        case GuardStatus::OutOfMemory:
            return "grew past " + std::to_string(limits.memory_bytes >> 20) + " MiB of memory";
        case GuardStatus::Crashed:
        case GuardStatus::NotStarted:
            return outcome.detail;
        case GuardStatus::Threw:
            return "failed: " + outcome.answer;
        case GuardStatus::Finished:
            break;
    }
    return "finished";
}

}  // namespace platbench
