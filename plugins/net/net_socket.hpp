// Sockets for both ends of net: an owning descriptor, IPv4 "address:port" text,
// and transfers that give up when asked to stop instead of blocking for ever.
//
// Sockets stay blocking, with SO_RCVTIMEO/SO_SNDTIMEO of kWakeInterval: a
// transfer costs one system call, as in iperf3's and sockperf's loops (a poll()
// before each would add one to every transaction), and a blocked call still
// wakes often enough to notice a stop request or a silent peer.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace platbench::net {

inline constexpr std::chrono::milliseconds kWakeInterval{100};

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release() {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset();

private:
    int fd_ = -1;
};

// "a.b.c.d:port" (IPv4, a port 1..65535); nullopt for anything else.
std::optional<sockaddr_in> parse_endpoint(const std::string& text);
// An IPv4 address without a port; nullopt for anything else.
std::optional<in_addr> parse_address(const std::string& text);
std::string format_endpoint(const sockaddr_in& address);   // "a.b.c.d:port"
std::string format_address(const in_addr& address);        // "a.b.c.d"
std::string errno_text(int error);                         // strerror, thread-safe

// SO_RCVTIMEO and SO_SNDTIMEO of kWakeInterval; false on failure (errno set).
bool set_wake_interval(int fd);
bool set_nodelay(int fd);

// How long a transfer waits: until `stop` turns true, and, when idle_limit is
// set, until no byte has moved for that long.
struct Patience {
    const std::atomic<bool>& stop;
    std::optional<std::chrono::steady_clock::duration> idle_limit;
};

enum class Transfer {
    Done,
    Closed,     // the other end closed (reading) or reset the connection
    Stopped,    // `stop` turned true
    TimedOut,   // idle for longer than the limit
    Failed,     // any other error; errno says which
};

// All `size` bytes, or the reason why not.
Transfer write_all(int fd, const void* data, std::size_t size, const Patience& patience);
Transfer read_exact(int fd, void* data, std::size_t size, const Patience& patience);

}  // namespace platbench::net
