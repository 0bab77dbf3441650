// What a client sends comes from inside a container or VM: the peer decodes it
// against the protocol's limits, refuses what is out of them, caps what one
// connection can make it hold (kMaxConnections, kMaxBufferBytes), never blocks
// for long (every socket wakes each kWakeInterval), and keeps any failure within
// the connection that caused it.
#include "net_server.hpp"

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net_protocol.hpp"
#include "net_socket.hpp"

namespace platbench::net {
namespace {

// A stream connection reads in chunks of at most this; an rr connection's
// request and response are at most kMaxTcpRrSize, which is the same.
constexpr std::size_t kMaxBufferBytes = 1u << 20;
// A connection that has not sent its hello by then is closed, so that idle
// connections cannot hold the slots.
constexpr std::chrono::seconds kHelloTimeout{5};
// Tries at a port free for both the TCP listener and the UDP socket.
constexpr int kBindTries = 8;

void log_line(const WorkloadServeRequest& request, const std::string& line) {
    if (request.log) request.log("net peer: " + line);
}

// Threads named for what they do (ps -L, top -H, /proc/PID/task/*/comm).
void name_thread(pthread_t thread, const char* name) { ::pthread_setname_np(thread, name); }

// Pins this thread, before it starts any other, which inherit its CPUs.
void pin_to(const std::string& cpuset, const WorkloadServeRequest& request) {
    const auto cpus = expand_cpu_list(cpuset);
    if (!cpus || cpus->empty()) throw WorkloadError("peer_cpuset '" + cpuset + "' is not a CPU list such as 2 or 2-3");
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu : *cpus) {
        if (cpu >= CPU_SETSIZE) throw WorkloadError("peer_cpuset names CPU " + std::to_string(cpu) + ", beyond what " +
                                                    "sched_setaffinity takes (" + std::to_string(CPU_SETSIZE) + ")");
        CPU_SET(cpu, &set);
    }
    if (::sched_setaffinity(0, sizeof set, &set) != 0)
        throw WorkloadError("cannot pin the peer to peer_cpuset " + cpuset + ": " + errno_text(errno) +
                            " (give CPUs this host has and allows the peer: see taskset -p " +
                            std::to_string(::getpid()) + ")");
    log_line(request, "pinned to CPUs " + cpuset);
}

struct Sockets {
    Fd listener;
    Fd udp;
    sockaddr_in address{};
};

Fd bound_socket(int type, const sockaddr_in& address, int& error) {
    Fd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
    if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        error = errno;
        return Fd();
    }
    return fd;
}

// A TCP listener on a port the kernel picks, and a UDP socket on the same
// address and port. The port is free for TCP, not necessarily for UDP: then
// both are given up and another port tried.
Sockets open_sockets(const std::string& listen_address) {
    const auto address = parse_address(listen_address);
    if (!address) throw WorkloadError("--listen '" + listen_address + "' is not an IPv4 address such as 127.0.0.1");
    if (address->s_addr == htonl(INADDR_ANY))
        throw WorkloadError("the peer does not listen on 0.0.0.0 (every interface of the host): give the address of "
                            "the one the platform reaches, e.g. 127.0.0.1 or a bridge's");
    int error = 0;
    for (int attempt = 0; attempt < kBindTries; ++attempt) {
        Sockets sockets;
        sockets.address.sin_family = AF_INET;
        sockets.address.sin_addr = *address;
        sockets.listener = bound_socket(SOCK_STREAM, sockets.address, error);
        if (!sockets.listener.valid()) break;
        socklen_t length = sizeof sockets.address;
        if (::getsockname(sockets.listener.get(), reinterpret_cast<sockaddr*>(&sockets.address), &length) != 0 ||
            ::listen(sockets.listener.get(), 128) != 0) {
            error = errno;
            break;
        }
        sockets.udp = bound_socket(SOCK_DGRAM, sockets.address, error);
        if (sockets.udp.valid()) return sockets;
        if (error != EADDRINUSE) break;
    }
    throw WorkloadError("cannot listen on " + listen_address + ": " + errno_text(error) +
                        (error == EADDRNOTAVAIL ? " (no interface of this host has that address)" : ""));
}

// The connection's hello and the ack; the hello when it was accepted.
std::optional<Hello> greet(int fd, const std::atomic<bool>& stop) {
    HelloBytes bytes{};
    const Patience patience{stop, kHelloTimeout};
    if (read_exact(fd, bytes.data(), bytes.size(), patience) != Transfer::Done) return std::nullopt;
    const HelloCheck check = decode_hello(bytes);
    const AckBytes ack = encode_ack(check.status);
    if (write_all(fd, ack.data(), ack.size(), patience) != Transfer::Done || check.status != AckStatus::Ok)
        return std::nullopt;
    return check.hello;
}

// Receives until the client's shutdown, then answers the total it received.
void serve_stream(int fd, const Hello& hello, const std::atomic<bool>& stop) {
    std::vector<unsigned char> buffer(std::min<std::size_t>(hello.message_size, kMaxBufferBytes));
    std::uint64_t total = 0;
    for (;;) {
        const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (got > 0) {
            total += static_cast<std::uint64_t>(got);
            continue;
        }
        if (got == 0) break;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (stop.load(std::memory_order_relaxed)) return;
            continue;
        }
        return;  // reset: the client gave up
    }
    unsigned char answer[kTotalBytes];
    put_u64(answer, total);
    write_all(fd, answer, sizeof answer, Patience{stop, kHelloTimeout});
}

// Reads each request whole and answers it, until the client closes.
void serve_rr(int fd, const Hello& hello, const std::atomic<bool>& stop) {
    set_nodelay(fd);
    std::vector<unsigned char> buffer(std::max(hello.request_size, hello.response_size));
    const Patience patience{stop, std::nullopt};
    while (read_exact(fd, buffer.data(), hello.request_size, patience) == Transfer::Done)
        if (write_all(fd, buffer.data(), hello.response_size, patience) != Transfer::Done) return;
}

void serve_connection(Fd fd, const std::atomic<bool>& stop) {
    name_thread(::pthread_self(), "net-conn");
    if (!set_wake_interval(fd.get())) return;
    const std::optional<Hello> hello = greet(fd.get(), stop);
    if (!hello) return;
    switch (hello->mode) {
        case Mode::TcpStream: serve_stream(fd.get(), *hello, stop); break;
        case Mode::TcpRr: serve_rr(fd.get(), *hello, stop); break;
        case Mode::UdpRr: break;  // the hello only checked the sizes: datagrams go to the UDP thread
    }
}

// Answers each datagram of this protocol with response_size bytes starting with
// its header; drops anything else, and answers it cannot send at once (the
// client counts them lost and sends again).
void serve_udp(int fd, const std::atomic<bool>& stop) {
    std::vector<unsigned char> request(65536);
    std::vector<unsigned char> response(kMaxUdpSize, 0);
    while (!stop.load(std::memory_order_relaxed)) {
        sockaddr_in from{};
        socklen_t length = sizeof from;
        const ssize_t got =
            ::recvfrom(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&from), &length);
        if (got < 0) continue;  // the wake interval, or an error reported by ICMP: nothing to answer
        const auto header = decode_datagram_header(request.data(), static_cast<std::size_t>(got));
        if (!header || length != sizeof from) continue;
        std::memcpy(response.data(), request.data(), kDatagramHeaderBytes);
        ::sendto(fd, response.data(), header->response_size, MSG_DONTWAIT | MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr*>(&from), sizeof from);
    }
}

// The connections' threads: joined when they are done, and all of them when
// serve() returns, however it returns.
class Connections {
public:
    explicit Connections(const std::atomic<bool>& stop) : stop_(stop) {}
    ~Connections() { join_all(); }

    int active() {
        reap();
        return static_cast<int>(threads_.size());
    }
    void start(Fd fd) {
        auto done = std::make_shared<std::atomic<bool>>(false);
        const int raw = fd.release();
        try {
            threads_.push_back({std::thread([raw, done, this] {
                                    try {
                                        serve_connection(Fd(raw), stop_);
                                    } catch (...) {
                                        // Out of memory or the like: this connection ends, the peer goes on.
                                    }
                                    done->store(true);
                                }),
                                done});
        } catch (...) {
            ::close(raw);  // no thread: this client is not served
        }
    }
    void join_all() {
        for (Entry& entry : threads_) entry.thread.join();
        threads_.clear();
    }

private:
    struct Entry {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    void reap() {
        for (auto it = threads_.begin(); it != threads_.end();) {
            if (it->done->load()) {
                it->thread.join();
                it = threads_.erase(it);
            } else {
                ++it;
            }
        }
    }

    const std::atomic<bool>& stop_;
    std::list<Entry> threads_;
};

void refuse_busy(Fd fd) {
    const AckBytes ack = encode_ack(AckStatus::Busy);
    ::send(fd.get(), ack.data(), ack.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

// Stops every thread of the peer when serve() returns, however it returns.
struct StopOnExit {
    std::atomic<bool>& stop;
    ~StopOnExit() { stop.store(true); }
};

}  // namespace

void serve(const WorkloadServeRequest& request) {
    if (request.params.has("peer_cpuset")) pin_to(request.params.text("peer_cpuset"), request);
    // The calling thread keeps its name: in platbench-runner it is the process's
    // (what ps shows); the threads it starts are named for what they do.
    Sockets sockets = open_sockets(request.listen_address);
    if (!set_wake_interval(sockets.udp.get()))
        throw WorkloadError("cannot set a receive timeout on the UDP socket: " + errno_text(errno));

    // The threads watch this, not request.stop_requested, so that they also end
    // when serve() ends by an exception.
    std::atomic<bool> stop{false};
    Connections connections(stop);
    std::jthread udp([&] { serve_udp(sockets.udp.get(), stop); });
    name_thread(udp.native_handle(), "net-udp");   // here, so that it is named once ready() is called
    // Declared last, so destroyed first: the threads are told to stop before
    // they are joined (udp, then the connections).
    StopOnExit stop_on_exit{stop};

    const std::string address = format_endpoint(sockets.address);
    request.ready(address);
    pollfd listening{.fd = sockets.listener.get(), .events = POLLIN, .revents = 0};
    while (!request.stop_requested.load()) {
        const int ready = ::poll(&listening, 1, static_cast<int>(kWakeInterval.count()));
        if (ready <= 0) continue;
        Fd fd(::accept4(sockets.listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!fd.valid()) {
            // The client gave up before we accepted, or descriptors ran out: go
            // on, but do not spin while the condition lasts.
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                std::this_thread::sleep_for(kWakeInterval);
            continue;
        }
        if (connections.active() >= kMaxConnections) {
            refuse_busy(std::move(fd));
            continue;
        }
        connections.start(std::move(fd));
    }
    log_line(request, "stopping");
}

}  // namespace platbench::net
