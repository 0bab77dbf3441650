#include "net_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <thread>
#include <vector>

#include "net_exchanges.hpp"
#include "net_protocol.hpp"
#include "net_socket.hpp"

namespace platbench::net {
namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(5);
constexpr auto kHelloTimeout = std::chrono::seconds(10);

std::string how_to_start_a_peer() {
    return "start one with `platbench-runner --plugin-dir DIR --serve net --listen 127.0.0.1 --ready-file F` "
           "(the same --param as the run), then run with --peer and the ADDRESS:PORT it writes to F";
}

std::string cannot_connect(const std::string& peer, const std::string& why) {
    return "cannot connect to the peer " + peer + ": " + why + ": is `platbench-runner --serve net` running there, " +
           "and reachable from where the run runs?";
}

// A TCP connection to the peer, in blocking mode with the wake interval set.
// connect() runs non-blocking under poll(), so that a peer that never answers
// (a path that drops packets) is a timeout, not a hang.
Fd connect_to(const sockaddr_in& address, const std::string& peer, const std::atomic<bool>& stop) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) throw WorkloadError("cannot make a TCP socket: " + errno_text(errno));
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        if (errno != EINPROGRESS) throw WorkloadError(cannot_connect(peer, errno_text(errno)));
        const auto deadline = Clock::now() + kConnectTimeout;
        pollfd waiting{.fd = fd.get(), .events = POLLOUT, .revents = 0};
        for (;;) {
            if (stop.load()) throw WorkloadError("interrupted while connecting to the peer " + peer);
            if (::poll(&waiting, 1, static_cast<int>(kWakeInterval.count())) > 0) break;
            if (Clock::now() > deadline)
                throw WorkloadError(cannot_connect(peer, "no answer within " + std::to_string(kConnectTimeout.count()) + " s"));
        }
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
        if (error != 0) throw WorkloadError(cannot_connect(peer, errno_text(error)));
    }
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0 || !set_wake_interval(fd.get()))
        throw WorkloadError("cannot set up the connection to the peer " + peer + ": " + errno_text(errno));
    return fd;
}

void greet(int fd, const Settings& settings, const std::string& peer, const std::atomic<bool>& stop) {
    const HelloBytes hello = encode_hello({.mode = settings.mode,
                                           .request_size = settings.request_size,
                                           .response_size = settings.response_size,
                                           .message_size = settings.message_size});
    const Patience patience{stop, kHelloTimeout};
    AckBytes ack{};
    if (write_all(fd, hello.data(), hello.size(), patience) != Transfer::Done ||
        read_exact(fd, ack.data(), ack.size(), patience) != Transfer::Done)
        throw WorkloadError("the peer " + peer + " did not answer the hello: is it `platbench-runner --serve net` " +
                            "of the same version?");
    const std::optional<AckStatus> status = decode_ack(ack);
    if (!status) throw WorkloadError("the peer " + peer + " answered the hello with something else: it is not a " +
                                     "platbench net peer of the same version");
    if (*status != AckStatus::Ok)
        throw WorkloadError("the peer " + peer + " refused the connection: " + ack_status_text(*status));
}

Fd connect_udp(const sockaddr_in& address, const std::string& peer) {
    Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    // Connected: recv() takes datagrams from the peer only, and an ICMP refusal
    // comes back as ECONNREFUSED.
    if (!fd.valid() || ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        !set_wake_interval(fd.get()))
        throw WorkloadError("cannot set up a UDP socket to the peer " + peer + ": " + errno_text(errno));
    return fd;
}

std::string local_address(int fd) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "unknown";
    return format_address(address.sin_addr);
}

// The sockets each thread uses, connected and greeted.
std::vector<Fd> open_sockets(const Settings& settings, const sockaddr_in& address, const WorkloadRunRequest& request,
                             std::string& client_address) {
    std::vector<Fd> sockets;
    if (settings.mode == Mode::UdpRr) {
        // One greeting over TCP checks that the peer is there and takes the sizes.
        Fd control = connect_to(address, request.peer, request.stop_requested);
        greet(control.get(), settings, request.peer, request.stop_requested);
        for (int i = 0; i < settings.parallel; ++i) sockets.push_back(connect_udp(address, request.peer));
    } else {
        for (int i = 0; i < settings.parallel; ++i) {
            Fd fd = connect_to(address, request.peer, request.stop_requested);
            // tcp_rr answers each request at once (netperf sets TCP_NODELAY for
            // TCP_RR too); tcp_stream leaves Nagle on, as iperf3 does.
            if (settings.mode == Mode::TcpRr && !set_nodelay(fd.get()))
                throw WorkloadError("cannot set TCP_NODELAY: " + errno_text(errno));
            greet(fd.get(), settings, request.peer, request.stop_requested);
            sockets.push_back(std::move(fd));
        }
    }
    client_address = local_address(sockets.front().get());
    return sockets;
}

// Runs `body(i)` on one thread per socket; rethrows the first failure.
template <typename Figures, typename Body>
std::vector<Figures> on_threads(int count, Body body) {
    std::vector<Figures> figures(static_cast<std::size_t>(count));
    std::vector<std::exception_ptr> failures(static_cast<std::size_t>(count));
    {
        std::vector<std::jthread> threads;
        for (int i = 0; i < count; ++i)
            threads.emplace_back([&, i] {
                try {
                    figures[static_cast<std::size_t>(i)] = body(i);
                } catch (...) {
                    failures[static_cast<std::size_t>(i)] = std::current_exception();
                }
            });
    }
    for (const std::exception_ptr& failure : failures)
        if (failure) std::rethrow_exception(failure);
    return figures;
}

void add(WorkloadResult& result, const char* name, double value, const char* unit, Better better) {
    result.metrics.push_back({name, value, unit, better});
}

void add_stream_metrics(const std::vector<StreamFigures>& figures, WorkloadResult& result) {
    // Each connection's rate over its own window, summed, as iperf3 sums its streams.
    double bytes_per_second = 0, seconds = 0;
    std::uint64_t bytes = 0;
    for (const StreamFigures& f : figures) {
        if (f.seconds > 0) bytes_per_second += static_cast<double>(f.sent_measured) / f.seconds;
        bytes += f.sent_measured;
        seconds = std::max(seconds, f.seconds);
    }
    add(result, "throughput_gbit", bytes_per_second * 8 / 1e9, "Gbit/s", Better::Higher);
    add(result, "throughput_mb", bytes_per_second / 1e6, "MB/s", Better::Higher);
    add(result, "bytes", static_cast<double>(bytes), "bytes", Better::None);
    add(result, "runtime_s", seconds, "s", Better::None);
}

void add_rr_metrics(const std::vector<RrFigures>& figures, Mode mode, WorkloadResult& result) {
    latency::LatencyHistogram latency;
    double rate = 0, seconds = 0;
    std::uint64_t transactions = 0, lost = 0;
    for (const RrFigures& f : figures) {
        latency.merge(f.latency);
        if (f.seconds > 0) rate += static_cast<double>(f.transactions) / f.seconds;
        transactions += f.transactions;
        lost += f.lost;
        seconds = std::max(seconds, f.seconds);
    }
    if (transactions == 0)
        throw WorkloadError("no transaction completed in the measured time: raise runtime");
    add(result, "transactions_per_s", rate, "transactions/s", Better::Higher);
    add(result, "lat_mean", latency.mean_ns() / 1e3, "us", Better::Lower);
    add(result, "lat_p50", latency.percentile_ns(50) / 1e3, "us", Better::Lower);
    add(result, "lat_p90", latency.percentile_ns(90) / 1e3, "us", Better::Lower);
    add(result, "lat_p99", latency.percentile_ns(99) / 1e3, "us", Better::Lower);
    add(result, "lat_p99_9", latency.percentile_ns(99.9) / 1e3, "us", Better::Lower);
    add(result, "lat_min", static_cast<double>(latency.min_ns()) / 1e3, "us", Better::Lower);
    add(result, "lat_max", static_cast<double>(latency.max_ns()) / 1e3, "us", Better::Lower);
    add(result, "transactions", static_cast<double>(transactions), "transactions", Better::None);
    add(result, "runtime_s", seconds, "s", Better::None);
    if (mode == Mode::UdpRr) {
        add(result, "lost", static_cast<double>(lost), "requests", Better::Lower);
        // Each loss costs a timeout of waiting: the rate and the mean no longer
        // describe the path alone.
        if (lost * 100 > transactions)
            result.warnings.push_back("udp-loss: " + std::to_string(lost) + " of " +
                                      std::to_string(lost + transactions) +
                                      " requests went unanswered within 100 ms and were sent again");
    }
}

}  // namespace

WorkloadResult run_client(const Settings& settings, const WorkloadRunRequest& request) {
    if (request.peer.empty())
        throw WorkloadError("net needs a peer to talk to, and none was given: the engine starts one for each run; "
                            "by hand, " + how_to_start_a_peer());
    const std::optional<sockaddr_in> address = parse_endpoint(request.peer);
    if (!address) throw WorkloadError("the peer '" + request.peer + "' is not ADDRESS:PORT with an IPv4 address");

    std::string client_address;
    std::vector<Fd> sockets = open_sockets(settings, *address, request, client_address);
    if (request.log)
        request.log("net: " + std::string(mode_name(settings.mode)) + " to " + request.peer + ", " +
                    std::to_string(settings.parallel) + " connection(s)");

    const auto ramp = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(settings.ramp_seconds));
    const auto runtime =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(settings.runtime_seconds));
    const Clock::time_point start = Clock::now();
    const Schedule schedule{start + ramp, start + ramp + runtime, request.stop_requested, request.peer};

    WorkloadResult result;
    const auto fd_of = [&](int i) { return sockets[static_cast<std::size_t>(i)].get(); };
    switch (settings.mode) {
        case Mode::TcpStream:
            add_stream_metrics(on_threads<StreamFigures>(settings.parallel, [&](int i) {
                                   return stream_sends(fd_of(i), settings, schedule);
                               }),
                               result);
            break;
        case Mode::TcpRr:
            add_rr_metrics(on_threads<RrFigures>(settings.parallel, [&](int i) {
                               return tcp_transactions(fd_of(i), settings, schedule);
                           }),
                           settings.mode, result);
            break;
        case Mode::UdpRr:
            add_rr_metrics(on_threads<RrFigures>(settings.parallel, [&](int i) {
                               return udp_transactions(fd_of(i), settings, schedule);
                           }),
                           settings.mode, result);
            break;
    }
    if (request.stop_requested.load()) throw WorkloadError("interrupted: stopped before the runtime was over");

    result.info["mode"] = mode_name(settings.mode);
    result.info["peer"] = request.peer;
    result.info["parallel"] = std::to_string(settings.parallel);
    result.info["client_address"] = client_address;
    result.info["tcp_nodelay"] = settings.mode == Mode::TcpRr ? "true"
                                 : settings.mode == Mode::TcpStream ? "false"
                                                                    : "not applicable (udp)";
    if (settings.peer_cpuset) result.info["peer_cpuset"] = *settings.peer_cpuset;
    return result;
}

}  // namespace platbench::net
