// What every guest init does first: mount the kernel's filesystems, load the
// modules the host listed, and open the results port. Header-only and std-only,
// for the static guest init (and a test's deliberately hostile one).
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "guest_records.hpp"

namespace platbench::kvm::guest {

inline constexpr int kDeviceWaitMilliseconds = 20000;

// Said on the console (the kernel's log), for a person reading a failed boot.
inline void say(const std::string& text) {
    const std::string line = "platbench-guest-init: " + text + "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
}

[[noreturn]] inline void power_off() {
    ::sync();
    ::reboot(RB_POWER_OFF);
    // Not reached; if power-off is refused the kernel halts when init exits.
    _exit(1);
}

inline double monotonic_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

inline double uptime_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_BOOTTIME, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

inline void sleep_milliseconds(int milliseconds) {
    timespec pause{milliseconds / 1000, static_cast<long>(milliseconds % 1000) * 1000000L};
    ::nanosleep(&pause, nullptr);
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

inline void mount_or_say(const char* source, const char* target, const char* type, const char* options) {
    ::mkdir(target, 0755);
    if (::mount(source, target, type, 0, options) != 0)
        say(std::string("cannot mount ") + type + " on " + target + ": " + std::strerror(errno));
}

inline void mount_basics() {
    mount_or_say("proc", "/proc", "proc", nullptr);
    mount_or_say("sysfs", "/sys", "sysfs", nullptr);
    mount_or_say("devtmpfs", "/dev", "devtmpfs", "mode=0755");
    mount_or_say("tmpfs", "/tmp", "tmpfs", "mode=1777");
    mount_or_say("tmpfs", "/run", "tmpfs", "mode=0755");
}

// Brings up the loopback interface, as every Linux system has it, so that a
// workload's programs can talk to themselves over 127.0.0.1 (Open MPI's daemon
// and hpcc do). The VM still has no network device: nothing leaves the guest.
inline void bring_up_loopback() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        say(std::string("cannot bring up lo: socket: ") + std::strerror(errno));
        return;
    }
    struct ifreq request {};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(fd, SIOCGIFFLAGS, &request) == 0) {
        request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
        if (::ioctl(fd, SIOCSIFFLAGS, &request) != 0) say(std::string("cannot bring up lo: ") + std::strerror(errno));
    } else {
        say(std::string("no lo interface: ") + std::strerror(errno));
    }
    ::close(fd);
}

// Loads the modules the host listed, dependencies first (the host resolved
// modules.dep). A module built into this kernel, or already loaded, is fine.
inline void load_modules(const char* module_list) {
    std::ifstream list(module_list);
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
inline std::string wait_for(Finder find) {
    for (int waited = 0; waited <= kDeviceWaitMilliseconds; waited += 10) {
        if (std::string found = find(); !found.empty()) return found;
        sleep_milliseconds(10);
    }
    return {};
}

// Gives the run's NIC (the first interface other than lo, once virtio_net has
// probed it) `address` ("10.249.7.2/24") and brings it up. The kernel adds the
// route of the link's own subnet and nothing else: no default route, so nothing
// but the run's bridge is reachable. Returns what went wrong, or "".
inline std::string configure_nic(const std::string& address) {
    unsigned a = 0, b = 0, c = 0, d = 0, prefix = 0;
    if (std::sscanf(address.c_str(), "%u.%u.%u.%u/%u", &a, &b, &c, &d, &prefix) != 5 || prefix > 32)
        return "bad address " + address;
    namespace fs = std::filesystem;
    const std::string nic = wait_for([] {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator("/sys/class/net", ec))
            if (entry.path().filename() != "lo") return entry.path().filename().string();
        return std::string();
    });
    if (nic.empty()) return "no network interface appeared (is virtio_net in the initramfs?)";
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::string("socket: ") + std::strerror(errno);
    struct ifreq request {};
    std::strncpy(request.ifr_name, nic.c_str(), IFNAMSIZ - 1);
    auto set_ipv4 = [&](unsigned long command, std::uint32_t host_order) {
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_addr.s_addr = htonl(host_order);
        std::memcpy(&request.ifr_addr, &in, sizeof in);
        return ::ioctl(fd, command, &request) == 0;
    };
    const std::uint32_t ip = (a << 24) | (b << 16) | (c << 8) | d;
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    std::string problem;
    if (!set_ipv4(SIOCSIFADDR, ip) || !set_ipv4(SIOCSIFNETMASK, mask)) {
        problem = "cannot give " + nic + " its address: " + std::strerror(errno);
    } else if (::ioctl(fd, SIOCGIFFLAGS, &request) != 0 ||
               (request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP), ::ioctl(fd, SIOCSIFFLAGS, &request)) != 0) {
        problem = "cannot bring up " + nic + ": " + std::strerror(errno);
    }
    ::close(fd);
    return problem;
}

inline std::string find_results_port() {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/sys/class/virtio-ports", ec)) {
        if (trimmed(read_file(entry.path() / "name")) != kResultsPortName) continue;
        const std::string device = "/dev/" + entry.path().filename().string();
        if (::access(device.c_str(), W_OK) == 0) return device;
    }
    return {};
}

// Opens the results port for writing, or powers off: without it nothing can be reported.
// Also links it where udev would (/dev/virtio-ports/<name>).
inline int open_results_port() {
    const std::string port = wait_for(find_results_port);
    if (port.empty()) {
        say("the results port " + std::string(kResultsPortName) + " did not appear; powering off");
        power_off();
    }
    ::mkdir("/dev/virtio-ports", 0755);
    (void)!::symlink(port.c_str(), ("/dev/virtio-ports/" + std::string(kResultsPortName)).c_str());
    const int fd = ::open(port.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        say("cannot open " + port + ": " + std::strerror(errno));
        power_off();
    }
    return fd;
}

}  // namespace platbench::kvm::guest
