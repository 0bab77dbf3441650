// Runs an executable for a test and captures what it prints, without a shell.
// Self-contained on purpose: it must not depend on the code under test.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace platbench::test {

struct Captured {
    int exit_code = -1;     // when it exited
    int term_signal = 0;    // when a signal ended it
    std::string out;
    std::string err;
};

struct SpawnOptions {
    std::optional<std::filesystem::path> chroot_dir;   // chroot + chdir("/") before exec (root only)
};

// A running child with its stdout and stderr read through pipes.
class Child {
public:
    explicit Child(const std::vector<std::string>& argv, const SpawnOptions& options = {}) {
        int out[2], err[2];
        if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
        std::vector<char*> args;
        for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        const std::string root = options.chroot_dir ? options.chroot_dir->string() : std::string();
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {  // only async-signal-safe calls until exec
            ::dup2(out[1], STDOUT_FILENO);
            ::dup2(err[1], STDERR_FILENO);
            if (!root.empty() && (::chroot(root.c_str()) != 0 || ::chdir("/") != 0)) ::_exit(126);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        ::close(out[1]);
        ::close(err[1]);
        out_fd_ = out[0];
        err_fd_ = err[0];
    }
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            wait();
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }

    // Reads until stderr contains `text` or the child closes its streams. True when seen.
    bool wait_for_stderr(const std::string& text, std::chrono::seconds limit = std::chrono::seconds(60)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (result_.err.find(text) == std::string::npos) {
            if (std::chrono::steady_clock::now() > deadline || !pump(100)) return false;
        }
        return true;
    }

    // Reads everything, reaps the child.
    Captured finish() {
        while (pump(1000)) {
        }
        wait();
        return result_;
    }

private:
    // One round of reading; false once both streams are closed.
    bool pump(int timeout_ms) {
        pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
        int open = 0;
        for (pollfd& fd : fds) open += fd.fd >= 0;
        if (open == 0) return false;
        if (::poll(fds, 2, timeout_ms) < 0 && errno != EINTR) return false;
        read_ready(fds[0], out_fd_, result_.out);
        read_ready(fds[1], err_fd_, result_.err);
        return out_fd_ >= 0 || err_fd_ >= 0;
    }

    static void read_ready(const pollfd& fd, int& own_fd, std::string& into) {
        if (own_fd < 0 || (fd.revents & (POLLIN | POLLHUP | POLLERR)) == 0) return;
        char buffer[65536];
        const ssize_t got = ::read(own_fd, buffer, sizeof buffer);
        if (got > 0) {
            into.append(buffer, static_cast<std::size_t>(got));
        } else if (got == 0 || errno != EINTR) {
            ::close(own_fd);
            own_fd = -1;
        }
    }

    void wait() {
        if (pid_ <= 0) return;
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) result_.term_signal = WTERMSIG(status);
        pid_ = -1;
        for (int* fd : {&out_fd_, &err_fd_}) {
            if (*fd >= 0) ::close(*fd);
            *fd = -1;
        }
    }

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    Captured result_;
};

inline Captured run_program(const std::vector<std::string>& argv, const SpawnOptions& options = {}) {
    Child child(argv, options);
    return child.finish();
}

}  // namespace platbench::test
