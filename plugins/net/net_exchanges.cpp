#include "net_exchanges.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <vector>

#include "net_protocol.hpp"
#include "net_socket.hpp"
#include "platbench/workload.hpp"

namespace platbench::net {
namespace {

// A peer that takes none of our bytes, or answers nothing, for this long has
// failed (a stopped peer, a network path that drops everything).
constexpr auto kStallLimit = std::chrono::seconds(10);
// udp_rr: a request unanswered for this long is lost and sent again, with a new
// sequence number so that a late answer to it is recognised as stale.
constexpr auto kUdpTimeout = kWakeInterval;

double seconds_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

std::uint64_t nanoseconds_between(Clock::time_point from, Clock::time_point to) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count());
}

[[noreturn]] void interrupted() { throw WorkloadError("interrupted: stopped before the runtime was over"); }

[[noreturn]] void transfer_failed(Transfer outcome, const char* what, const Schedule& schedule) {
    const std::string peer = "the peer " + schedule.peer;
    switch (outcome) {
        case Transfer::Stopped: interrupted();
        case Transfer::Closed: throw WorkloadError(peer + " closed the connection while " + what);
        case Transfer::TimedOut:
            throw WorkloadError(peer + " moved nothing for " + std::to_string(kStallLimit.count()) + " s while " + what +
                                ": is it still running, and the network path up?");
        case Transfer::Failed:
        case Transfer::Done: break;
    }
    throw WorkloadError(std::string(what) + " " + peer + " failed: " + errno_text(errno));
}

// The measured window as one loop sees it: opens at the first clock reading at
// or after ramp_end, closes at the reading that ends the loop.
struct Window {
    bool open = false;
    Clock::time_point start;

    void see(Clock::time_point now, const Schedule& schedule) {
        if (!open && now >= schedule.ramp_end) {
            open = true;
            start = now;
        }
    }
    double seconds_until(Clock::time_point now) const { return open ? seconds_between(start, now) : 0.0; }
};

}  // namespace

StreamFigures stream_sends(int fd, const Settings& settings, const Schedule& schedule) {
    std::vector<unsigned char> buffer(settings.message_size, 0x5a);
    StreamFigures figures;
    Window window;
    bool idle = false;   // the last send() moved nothing; since idle_since
    Clock::time_point idle_since, now;
    for (;;) {
        now = Clock::now();
        if (now >= schedule.end) break;
        window.see(now, schedule);
        if (schedule.stop.load(std::memory_order_relaxed)) interrupted();
        // MSG_NOSIGNAL: a peer that went away is an error to report, not SIGPIPE.
        const ssize_t sent = ::send(fd, buffer.data(), buffer.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            figures.sent_total += static_cast<std::uint64_t>(sent);
            if (window.open) figures.sent_measured += static_cast<std::uint64_t>(sent);
            idle = false;
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!idle) {
                idle = true;
                idle_since = now;
            }
            if (now - idle_since > kStallLimit) transfer_failed(Transfer::TimedOut, "sending", schedule);
            continue;
        }
        transfer_failed(errno == ECONNRESET || errno == EPIPE ? Transfer::Closed : Transfer::Failed, "sending", schedule);
    }
    figures.seconds = window.seconds_until(now);

    // The peer answers the total it received once it has read everything.
    if (::shutdown(fd, SHUT_WR) != 0) transfer_failed(Transfer::Failed, "ending the stream to", schedule);
    unsigned char answer[kTotalBytes];
    const Transfer got = read_exact(fd, answer, sizeof answer, Patience{schedule.stop, kStallLimit});
    if (got != Transfer::Done) transfer_failed(got, "waiting for the total the peer received", schedule);
    const std::uint64_t received = get_u64(answer);
    if (received != figures.sent_total)
        throw WorkloadError("the peer " + schedule.peer + " received " + std::to_string(received) + " bytes of the " +
                            std::to_string(figures.sent_total) + " sent: the connection lost or invented data");
    return figures;
}

RrFigures tcp_transactions(int fd, const Settings& settings, const Schedule& schedule) {
    std::vector<unsigned char> request(settings.request_size, 0x5a);
    std::vector<unsigned char> response(settings.response_size);
    const Patience patience{schedule.stop, kStallLimit};
    RrFigures figures;
    Window window;
    // One clock reading per transaction: its end is the next one's start.
    Clock::time_point sent = Clock::now();
    while (sent < schedule.end) {
        window.see(sent, schedule);
        if (schedule.stop.load(std::memory_order_relaxed)) interrupted();
        if (const Transfer t = write_all(fd, request.data(), request.size(), patience); t != Transfer::Done)
            transfer_failed(t, "sending a request to", schedule);
        if (const Transfer t = read_exact(fd, response.data(), response.size(), patience); t != Transfer::Done)
            transfer_failed(t, "waiting for a response from", schedule);
        const Clock::time_point answered = Clock::now();
        if (window.open) {
            figures.latency.add(nanoseconds_between(sent, answered));
            ++figures.transactions;
        }
        sent = answered;
    }
    figures.seconds = window.seconds_until(sent);
    return figures;
}

RrFigures udp_transactions(int fd, const Settings& settings, const Schedule& schedule) {
    std::vector<unsigned char> request(settings.request_size, 0x5a);
    std::vector<unsigned char> response(kMaxUdpSize + 1);
    constexpr int kMaxLostInARow = static_cast<int>(kStallLimit / kUdpTimeout);
    RrFigures figures;
    Window window;
    std::uint64_t sequence = 0;
    int lost_in_a_row = 0;
    Clock::time_point sent = Clock::now();
    while (sent < schedule.end) {
        window.see(sent, schedule);
        if (schedule.stop.load(std::memory_order_relaxed)) interrupted();
        encode_datagram_header({.sequence = ++sequence, .response_size = settings.response_size}, request.data());
        if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0 && errno != EAGAIN && errno != EINTR &&
            errno != ENOBUFS)
            transfer_failed(Transfer::Failed, "sending a datagram to", schedule);
        // Waits in recv() (SO_RCVTIMEO of kUdpTimeout, see net_socket.hpp) rather
        // than poll() and recv(): a system call fewer per transaction.
        bool answered = false;
        for (;;) {
            const ssize_t got = ::recv(fd, response.data(), response.size(), 0);
            if (got >= 0) {
                const auto header = decode_datagram_header(response.data(), static_cast<std::size_t>(got));
                if (header && header->sequence == sequence) {
                    if (static_cast<std::size_t>(got) != settings.response_size)
                        throw WorkloadError("the peer " + schedule.peer + " answered " + std::to_string(got) +
                                            " bytes instead of response_size " + std::to_string(settings.response_size));
                    answered = true;
                    break;
                }
                // A late answer to a request already counted lost, or not ours.
                if (Clock::now() - sent >= kUdpTimeout) break;
                continue;
            }
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == ECONNREFUSED)
                throw WorkloadError("the peer " + schedule.peer + " does not listen for UDP (the host refused the "
                                    "datagram): is it a platbench net peer?");
            transfer_failed(Transfer::Failed, "waiting for a datagram from", schedule);
        }
        const Clock::time_point now = Clock::now();
        if (answered) {
            lost_in_a_row = 0;
            if (window.open) {
                figures.latency.add(nanoseconds_between(sent, now));
                ++figures.transactions;
            }
        } else {
            if (window.open) ++figures.lost;
            if (++lost_in_a_row >= kMaxLostInARow)
                throw WorkloadError("the peer " + schedule.peer + " answered none of the last " +
                                    std::to_string(lost_in_a_row) + " datagrams (" +
                                    std::to_string(kStallLimit.count()) +
                                    " s): is it still running, and does the network path pass UDP?");
        }
        sent = now;
    }
    figures.seconds = window.seconds_until(sent);
    return figures;
}

}  // namespace platbench::net
