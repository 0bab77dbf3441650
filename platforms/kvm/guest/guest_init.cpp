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
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "run_request.hpp"

namespace {

namespace fs = std::filesystem;
using namespace platbench::kvm;

constexpr const char* kModuleList = "/platbench/modules.order";
constexpr const char* kWorkDir = "/work";
constexpr const char* kDiskLink = "/dev/platbench-disk";
constexpr int kDeviceWaitMilliseconds = 20000;


// Said on the console (the kernel's log), for a person reading a failed boot.
void say(const std::string& text) {
    const std::string line = "platbench-guest-init: " + text + "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
}

[[noreturn]] void power_off() {
    ::sync();
    ::reboot(RB_POWER_OFF);
    // Not reached; if power-off is refused the kernel halts when init exits.
    _exit(1);
}

double monotonic_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double uptime_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_BOOTTIME, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

void sleep_milliseconds(int milliseconds) {
    timespec pause{milliseconds / 1000, static_cast<long>(milliseconds % 1000) * 1000000L};
    ::nanosleep(&pause, nullptr);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

void mount_or_say(const char* source, const char* target, const char* type, const char* options) {
    ::mkdir(target, 0755);
    if (::mount(source, target, type, 0, options) != 0)
        say(std::string("cannot mount ") + type + " on " + target + ": " + std::strerror(errno));
}

void mount_basics() {
    mount_or_say("proc", "/proc", "proc", nullptr);
    mount_or_say("sysfs", "/sys", "sysfs", nullptr);
    mount_or_say("devtmpfs", "/dev", "devtmpfs", "mode=0755");
    mount_or_say("tmpfs", "/tmp", "tmpfs", "mode=1777");
    mount_or_say("tmpfs", "/run", "tmpfs", "mode=0755");
}

// Loads the modules the host listed, dependencies first (the host resolved
// modules.dep). A module built into this kernel, or already loaded, is fine.
void load_modules() {
    std::ifstream list(kModuleList);
    std::string path;
    while (std::getline(list, path)) {
        if (path.empty()) continue;
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            say("cannot open module " + path + ": " + std::strerror(errno));
            continue;
        }
        if (::syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)
            say("cannot load module " + path + ": " + std::strerror(errno));
        ::close(fd);
    }
}

// Polls until `find` returns a path, up to the device wait. Devices appear
// asynchronously once their driver has probed them.
template <typename Finder>
std::string wait_for(Finder find) {
    for (int waited = 0; waited <= kDeviceWaitMilliseconds; waited += 10) {
        if (std::string found = find(); !found.empty()) return found;
        sleep_milliseconds(10);
    }
    return {};
}

std::string find_results_port() {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/sys/class/virtio-ports", ec)) {
        if (trimmed(read_file(entry.path() / "name")) != kResultsPortName) continue;
        const std::string device = "/dev/" + entry.path().filename().string();
        if (::access(device.c_str(), W_OK) == 0) return device;
    }
    return {};
}

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
    load_modules();
    const std::string port = wait_for(find_results_port);
    if (port.empty()) {
        say("the results port " + std::string(kResultsPortName) + " did not appear; powering off");
        power_off();
    }
    // Where udev would name it; lets a test play a hostile workload that writes there.
    ::mkdir("/dev/virtio-ports", 0755);
    (void)!::symlink(port.c_str(), ("/dev/virtio-ports/" + std::string(kResultsPortName)).c_str());
    const int port_fd = ::open(port.c_str(), O_WRONLY | O_CLOEXEC);
    if (port_fd < 0) {
        say("cannot open " + port + ": " + std::strerror(errno));
        power_off();
    }
    Channel channel(port_fd);
    channel.line(std::string(kReportMagic));
    utsname names{};
    ::uname(&names);
    channel.payload("kernel", names.release);

    std::string problem;
    const std::optional<RunRequest> request = read_request(problem);
    if (!request) channel.fail(problem);
    if (std::string work_problem = prepare_work_dir(*request); !work_problem.empty()) channel.fail(work_problem);

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
