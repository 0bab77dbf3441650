#include "net_socket.hpp"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace platbench::net {

Fd& Fd::operator=(Fd&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = other.release();
    }
    return *this;
}

void Fd::reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

std::optional<in_addr> parse_address(const std::string& text) {
    in_addr address{};
    if (::inet_pton(AF_INET, text.c_str(), &address) != 1) return std::nullopt;
    return address;
}

std::optional<sockaddr_in> parse_endpoint(const std::string& text) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    const auto address = parse_address(text.substr(0, colon));
    if (!address) return std::nullopt;
    const char* first = text.data() + colon + 1;
    const char* last = text.data() + text.size();
    unsigned port = 0;
    const auto [end, error] = std::from_chars(first, last, port);
    if (first == last || error != std::errc() || end != last || port == 0 || port > 65535) return std::nullopt;
    sockaddr_in endpoint{};
    endpoint.sin_family = AF_INET;
    endpoint.sin_addr = *address;
    endpoint.sin_port = htons(static_cast<std::uint16_t>(port));
    return endpoint;
}

std::string format_address(const in_addr& address) {
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &address, text, sizeof text);
    return text;
}

std::string format_endpoint(const sockaddr_in& address) {
    return format_address(address.sin_addr) + ":" + std::to_string(ntohs(address.sin_port));
}

std::string errno_text(int error) {
    char buffer[256] = {};
    return ::strerror_r(error, buffer, sizeof buffer);  // GNU: returns the text
}

bool set_wake_interval(int fd) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(kWakeInterval).count();
    const timeval interval{.tv_sec = static_cast<time_t>(micros / 1'000'000),
                           .tv_usec = static_cast<suseconds_t>(micros % 1'000'000)};
    return ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, sizeof interval) == 0 &&
           ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, sizeof interval) == 0;
}

bool set_nodelay(int fd) {
    const int on = 1;
    return ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0;
}

namespace {

using Clock = std::chrono::steady_clock;

// Whether to go on after a call that timed out having moved nothing: false with
// the reason set. idle_since is when the wait began, set here at the first
// timeout after progress, so that the transfers themselves read no clock.
bool keep_waiting(const Patience& patience, std::optional<Clock::time_point>& idle_since, Transfer& reason) {
    if (patience.stop.load(std::memory_order_relaxed)) {
        reason = Transfer::Stopped;
        return false;
    }
    const Clock::time_point now = Clock::now();
    if (!idle_since) idle_since = now - kWakeInterval;
    if (patience.idle_limit && now - *idle_since > *patience.idle_limit) {
        reason = Transfer::TimedOut;
        return false;
    }
    return true;
}

Transfer failure_of(int error) {
    return error == ECONNRESET || error == EPIPE ? Transfer::Closed : Transfer::Failed;
}

}  // namespace

Transfer write_all(int fd, const void* data, std::size_t size, const Patience& patience) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    std::optional<Clock::time_point> idle_since;
    while (size > 0) {
        // MSG_NOSIGNAL: a peer that went away is an error to report, not SIGPIPE.
        const ssize_t sent = ::send(fd, bytes, size, MSG_NOSIGNAL);
        if (sent > 0) {
            bytes += sent;
            size -= static_cast<std::size_t>(sent);
            idle_since.reset();
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            Transfer reason = Transfer::Done;
            if (!keep_waiting(patience, idle_since, reason)) return reason;
            continue;
        }
        return failure_of(errno);
    }
    return Transfer::Done;
}

Transfer read_exact(int fd, void* data, std::size_t size, const Patience& patience) {
    auto* bytes = static_cast<unsigned char*>(data);
    std::optional<Clock::time_point> idle_since;
    while (size > 0) {
        const ssize_t got = ::recv(fd, bytes, size, 0);
        if (got > 0) {
            bytes += got;
            size -= static_cast<std::size_t>(got);
            idle_since.reset();
            continue;
        }
        if (got == 0) return Transfer::Closed;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            Transfer reason = Transfer::Done;
            if (!keep_waiting(patience, idle_since, reason)) return reason;
            continue;
        }
        return failure_of(errno);
    }
    return Transfer::Done;
}

}  // namespace platbench::net
