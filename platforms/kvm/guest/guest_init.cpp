// platbench-guest-init: the first and only process the VM's kernel starts.
//
// It sets up the little the runner needs (proc, sys, dev, tmp, the kernel modules
// for virtio), reads the run request the host put in fw_cfg, starts
// platbench-runner with the request's arguments, and sends what the runner printed
// back on a virtio-serial port, framed (guest_records.hpp) so nothing the runner or
// the kernel prints can be taken for a result. Then it powers the VM off.
//
// Statically linked: it runs before anything else exists, and the initramfs holds
// it beside the bundle without changing the bundle.
#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "guest_setup.hpp"
#include "run_request.hpp"

namespace {

namespace fs = std::filesystem;
using namespace platbench::kvm;
using namespace platbench::kvm::guest;

constexpr const char* kModuleList = "/platbench/modules.order";
constexpr const char* kWorkDir = "/work";
constexpr const char* kDiskLink = "/dev/platbench-disk";

std::string find_disk() {
    for (const char* name : {"vda", "sda"}) {
        const std::string device = std::string("/dev/") + name;
        if (::access(device.c_str(), R_OK | W_OK) == 0) return device;
    }
    return {};
}

// The report channel. Writes block until the host has taken the bytes.
class Channel {
public:
    explicit Channel(int fd) : fd_(fd) {}
    void send(const std::string& bytes) {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                say(std::string("cannot write the results port: ") + std::strerror(errno));
                return;
            }
            done += static_cast<std::size_t>(n);
        }
    }
    void line(const std::string& text) {
        std::string out;
        append_record(out, text);
        send(out);
    }
    void payload(const std::string& keyword, const std::string& bytes) {
        std::string out;
        append_payload_record(out, keyword, bytes);
        send(out);
    }
    [[noreturn]] void fail(const std::string& message) {
        say(message);
        payload("error", message);
        line("end");
        power_off();
    }

private:
    int fd_;
};

std::optional<RunRequest> read_request(std::string& problem) {
    const std::string path = "/sys/firmware/qemu_fw_cfg/by_name/" + std::string(kRequestFwCfgName) + "/raw";
    if (wait_for([&] { return ::access(path.c_str(), R_OK) == 0 ? path : std::string(); }).empty()) {
        problem = "no run request in fw_cfg (" + path + ")";
        return std::nullopt;
    }
    return parse_request(read_file(path), problem);
}

// The work directory: the disk's filesystem, or memory when there is no disk to use.
std::string prepare_work_dir(const RunRequest& request) {
    ::mkdir(kWorkDir, 0755);
    if (request.disk == "none" || request.disk == "device") {
        if (request.disk == "device") {
            const std::string disk = wait_for(find_disk);
            if (disk.empty()) return "the disk did not appear (no /dev/vda or /dev/sda)";
            if (::symlink(disk.c_str(), kDiskLink) != 0) return "cannot link " + std::string(kDiskLink);
        }
        if (::mount("tmpfs", kWorkDir, "tmpfs", 0, "mode=0755") != 0)
            return std::string("cannot mount a tmpfs on /work: ") + std::strerror(errno);
        return {};
    }
    const std::string disk = wait_for(find_disk);
    if (disk.empty()) return "the disk did not appear (no /dev/vda or /dev/sda)";
    if (::mount(disk.c_str(), kWorkDir, "ext4", 0, nullptr) != 0)
        return "cannot mount " + disk + " (ext4) on /work: " + std::strerror(errno);
    return {};
}

// The disk lives as long as the experiment: leave it as the next run expects it.
void tidy_work_dir(const RunRequest& request) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(kWorkDir, ec))
        if (entry.path().filename() != "lost+found") fs::remove_all(entry.path(), ec);
    ::sync();
    if (request.disk == "filesystem") ::umount(kWorkDir);
}

struct RunnerOutcome {
    std::string stdout_text;
    std::string stderr_text;
    int exit_code = -1;
    int term_signal = 0;
    double seconds = 0;
    std::string problem;
};

void drain(int& fd, std::string& into, std::size_t cap) {
    char buffer[65536];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
        const std::size_t room = cap > into.size() ? cap - into.size() : 0;
        into.append(buffer, std::min(room, static_cast<std::size_t>(n)));
    } else if (n == 0 || errno != EINTR) {
        ::close(fd);
        fd = -1;
    }
}

RunnerOutcome run_runner(const RunRequest& request) {
    RunnerOutcome outcome;
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
        outcome.problem = std::string("pipe: ") + std::strerror(errno);
        return outcome;
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(request.runner.c_str()));
    for (const std::string& arg : request.args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    char path[] = "PATH=/usr/bin:/bin";
    char home[] = "HOME=/root";
    char tmpdir[] = "TMPDIR=/tmp";
    char* envp[] = {path, home, tmpdir, nullptr};

    const double start = monotonic_seconds();
    const pid_t pid = ::fork();
    if (pid < 0) {
        outcome.problem = std::string("fork: ") + std::strerror(errno);
        return outcome;
    }
    if (pid == 0) {
        ::dup2(out_pipe[1], STDOUT_FILENO);
        ::dup2(err_pipe[1], STDERR_FILENO);
        if (::chdir(kWorkDir) != 0) _exit(126);
        ::execve(argv[0], argv.data(), envp);
        const std::string message = "cannot start " + request.runner + ": " + std::strerror(errno) + "\n";
        (void)!::write(STDERR_FILENO, message.data(), message.size());
        _exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    int fds[2] = {out_pipe[0], err_pipe[0]};
    while (fds[0] >= 0 || fds[1] >= 0) {
        pollfd waits[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
        if (::poll(waits, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[0] >= 0 && waits[0].revents != 0) drain(fds[0], outcome.stdout_text, request.output_cap);
        if (fds[1] >= 0 && waits[1].revents != 0) drain(fds[1], outcome.stderr_text, request.output_cap);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    outcome.seconds = monotonic_seconds() - start;
    if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome.term_signal = WTERMSIG(status);
    return outcome;
}

std::string fixed(double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.6f", value);
    return text;
}

}  // namespace

int main() {
    mount_basics();
    bring_up_loopback();
    load_modules(kModuleList);
    const int port_fd = open_results_port();
    Channel channel(port_fd);
    channel.line(std::string(kReportMagic));
    utsname names{};
    ::uname(&names);
    channel.payload("kernel", names.release);

    std::string problem;
    const std::optional<RunRequest> request = read_request(problem);
    if (!request) channel.fail(problem);
    if (std::string work_problem = prepare_work_dir(*request); !work_problem.empty()) channel.fail(work_problem);
    if (!request->address.empty()) {
        if (std::string nic_problem = configure_nic(request->address); !nic_problem.empty()) channel.fail(nic_problem);
    }

    channel.line("ready " + fixed(uptime_seconds()));
    const RunnerOutcome outcome = run_runner(*request);
    if (!outcome.problem.empty()) channel.fail(outcome.problem);
    channel.payload("stdout", outcome.stdout_text);
    channel.payload("stderr", outcome.stderr_text);
    channel.line("exit " + std::to_string(outcome.exit_code) + " " + std::to_string(outcome.term_signal) + " " +
                 fixed(outcome.seconds));
    tidy_work_dir(*request);
    channel.line("end");
    ::close(port_fd);
    power_off();
}
