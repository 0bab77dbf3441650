// The net workload's peer (serve()): what a client inside a container or VM
// sends it is untrusted, so it must refuse what is out of the protocol, survive
// anything, and stop promptly whatever its clients do.
#include <doctest/doctest.h>

#include <dirent.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <array>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "net_protocol.hpp"
#include "net_test_support.hpp"
#include "workload_result_checks.hpp"

using namespace platbench::net;
using namespace platbench::net::test;

namespace {

std::string ack_of(AckStatus status) {
    const AckBytes ack = encode_ack(status);
    return std::string(ack.begin(), ack.end());
}

// Sends `bytes` on a fresh connection and returns all the peer answers before it closes.
std::string peer_answer(int port, const std::string& bytes) {
    const int fd = raw_socket(SOCK_STREAM, port);
    send_bytes(fd, bytes.data(), bytes.size());
    ::shutdown(fd, SHUT_WR);
    std::string answer = read_until_closed(fd);
    ::close(fd);
    return answer;
}

std::string hello_text(const Hello& hello) {
    const HelloBytes bytes = encode_hello(hello);
    return std::string(bytes.begin(), bytes.end());
}

// The datagram the peer answers to `request`, or "" when it answers nothing within 300 ms.
std::string udp_answer(int fd, const std::string& request) {
    const timeval timeout{.tv_sec = 0, .tv_usec = 300'000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    send_bytes(fd, request.data(), request.size());
    std::vector<char> buffer(70000);
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    return n > 0 ? std::string(buffer.data(), static_cast<std::size_t>(n)) : std::string();
}

std::string datagram(std::uint64_t sequence, std::uint32_t response_size, std::size_t size = kDatagramHeaderBytes) {
    std::string bytes(size, 'x');
    encode_datagram_header({.sequence = sequence, .response_size = response_size},
                           reinterpret_cast<unsigned char*>(bytes.data()));
    return bytes;
}

// The threads of this process named `name` (their comm), by thread id.
std::vector<pid_t> threads_named(const std::string& name) {
    std::vector<pid_t> found;
    DIR* tasks = ::opendir("/proc/self/task");
    REQUIRE(tasks != nullptr);
    while (const dirent* entry = ::readdir(tasks)) {
        if (entry->d_name[0] == '.') continue;
        std::ifstream comm(std::string("/proc/self/task/") + entry->d_name + "/comm");
        std::string text;
        if (std::getline(comm, text) && text == name) found.push_back(std::stoi(entry->d_name));
    }
    ::closedir(tasks);
    return found;
}

std::vector<int> affinity_of(pid_t thread) {
    cpu_set_t set;
    CPU_ZERO(&set);
    REQUIRE(::sched_getaffinity(thread, sizeof set, &set) == 0);
    std::vector<int> cpus;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    return cpus;
}

}  // namespace

TEST_CASE("net's hello is the documented bytes: magic, mode, sizes little-endian") {
    const std::string expected("PBNET1\x02\x00" "\x40\x00\x00\x00" "\x00\x01\x00\x00" "\x00\x00\x02\x00", 20);
    CHECK(hello_text({.mode = Mode::TcpRr, .request_size = 64, .response_size = 256, .message_size = 128 << 10}) ==
          expected);
}

TEST_CASE("net's peer survives garbage, truncated hellos and resets, and still serves a client") {
    ServedPeer peer;
    const Hello rr{.mode = Mode::TcpRr, .request_size = 64, .response_size = 64, .message_size = 0};

    CHECK(peer_answer(peer.port(), std::string(100, '\x7f')) == ack_of(AckStatus::BadMagic));
    CHECK(peer_answer(peer.port(), "GET / HTTP/1.1\r\nHost: peer\r\n\r\n") == ack_of(AckStatus::BadMagic));
    CHECK(peer_answer(peer.port(), hello_text(rr).substr(0, 10)).empty());  // truncated: closed, no answer
    CHECK(peer_answer(peer.port(), "").empty());
    std::string bad_mode = hello_text(rr);
    bad_mode[6] = 9;
    CHECK(peer_answer(peer.port(), bad_mode) == ack_of(AckStatus::BadMode));
    // A request cut short, then the connection gone.
    CHECK(peer_answer(peer.port(), hello_text(rr) + std::string(10, 'r')) == ack_of(AckStatus::Ok));
    // A stream reset mid-way (SO_LINGER 0: RST instead of FIN).
    {
        const int fd = raw_socket(SOCK_STREAM, peer.port());
        const std::string stream = hello_text({.mode = Mode::TcpStream, .message_size = 1000});
        send_bytes(fd, stream.data(), stream.size());
        send_bytes(fd, std::string(5000, 's').data(), 5000);
        const linger reset{.l_onoff = 1, .l_linger = 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        ::close(fd);
    }
    // Datagrams that are too short, not of the protocol, or ask for impossible answers: none answered.
    const int udp = raw_socket(SOCK_DGRAM, peer.port());
    CHECK(udp_answer(udp, "abc").empty());
    CHECK(udp_answer(udp, std::string(16, '\0')).empty());
    CHECK(udp_answer(udp, datagram(1, 70000)).empty());
    CHECK(udp_answer(udp, datagram(2, 15)).empty());
    CHECK(udp_answer(udp, datagram(3, 65508)).empty());
    // A proper one is answered with response_size bytes that start with its header.
    const std::string answer = udp_answer(udp, datagram(4, 100, 40));
    REQUIRE(answer.size() == 100);
    CHECK(answer.substr(0, kDatagramHeaderBytes) == datagram(4, 100));
    ::close(udp);

    CHECK_FALSE(peer.done());
    for (const char* mode : {"tcp_rr", "udp_rr", "tcp_stream"}) {
        CAPTURE(mode);
        const platbench::WorkloadResult result = run_client(peer.address(), quick({{"mode", mode}}));
        CHECK(!result.metrics.empty());
    }
}

TEST_CASE("net's peer refuses a hello with a size beyond its mode's limits") {
    ServedPeer peer;
    CHECK(peer_answer(peer.port(), hello_text({.mode = Mode::TcpStream, .message_size = kMaxMessageSize + 1})) ==
          ack_of(AckStatus::BadSize));
    CHECK(peer_answer(peer.port(), hello_text({.mode = Mode::TcpStream, .message_size = 0})) ==
          ack_of(AckStatus::BadSize));
    CHECK(peer_answer(peer.port(), hello_text({.mode = Mode::TcpRr, .request_size = 64, .response_size = 0xffffffff})) ==
          ack_of(AckStatus::BadSize));
    CHECK(peer_answer(peer.port(), hello_text({.mode = Mode::TcpRr, .request_size = kMaxTcpRrSize + 1,
                                               .response_size = 64})) == ack_of(AckStatus::BadSize));
    CHECK(peer_answer(peer.port(), hello_text({.mode = Mode::UdpRr, .request_size = 15, .response_size = 64})) ==
          ack_of(AckStatus::BadSize));
    CHECK(peer_answer(peer.port(), hello_text({.mode = Mode::UdpRr, .request_size = 64,
                                               .response_size = kMaxUdpSize + 1})) == ack_of(AckStatus::BadSize));
    // The largest is accepted; the stream that follows is empty, and the peer
    // answers the 8-byte total it received: 0.
    CHECK(peer_answer(peer.port(), hello_text({.mode = Mode::TcpStream, .message_size = kMaxMessageSize})) ==
          ack_of(AckStatus::Ok) + std::string(kTotalBytes, '\0'));
}

TEST_CASE("net's peer serves at most 256 connections at once and refuses more as busy") {
    ServedPeer peer;
    std::vector<int> idle;
    for (int i = 0; i < 256; ++i) idle.push_back(raw_socket(SOCK_STREAM, peer.port()));
    // Each of those has a thread waiting for its hello by the time the peer
    // accepts the next connection (accepted in order).
    const int extra = raw_socket(SOCK_STREAM, peer.port());
    const std::string hello = hello_text({.mode = Mode::TcpRr, .request_size = 1, .response_size = 1});
    send_bytes(extra, hello.data(), hello.size());
    CHECK(read_until_closed(extra) == ack_of(AckStatus::Busy));
    ::close(extra);
    for (int fd : idle) ::close(fd);
    CHECK(peer.stop_and_join() < std::chrono::milliseconds(500));
}

TEST_CASE("net's peer returns soon after it is asked to stop, whatever its clients are doing") {
    ServedPeer peer;
    // One client in the middle of its hello, one idle between transactions,
    // one streaming and never closing.
    const int half_hello = raw_socket(SOCK_STREAM, peer.port());
    send_bytes(half_hello, "PBNET1", 6);
    const int idle_rr = raw_socket(SOCK_STREAM, peer.port());
    const std::string rr = hello_text({.mode = Mode::TcpRr, .request_size = 10, .response_size = 10});
    send_bytes(idle_rr, rr.data(), rr.size());
    const int stream = raw_socket(SOCK_STREAM, peer.port());
    const std::string hello = hello_text({.mode = Mode::TcpStream, .message_size = 1000});
    send_bytes(stream, hello.data(), hello.size());
    send_bytes(stream, std::string(1000, 's').data(), 1000);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(peer.stop_and_join() < std::chrono::milliseconds(500));
    // Everything was closed: the clients see the end of their connections.
    for (int fd : {half_hello, idle_rr, stream}) {
        read_until_closed(fd);   // the ack, where one was due
        char byte;
        const ssize_t n = ::recv(fd, &byte, 1, 0);
        CHECK((n == 0 || (n < 0 && errno == ECONNRESET)));   // not EAGAIN: not still open
        ::close(fd);
    }
}

TEST_CASE("net's peer refuses to listen on every interface or on what is not an address") {
    const auto failure = [](const std::string& listen) -> std::string {
        try {
            ServedPeer peer({}, listen);
        } catch (const platbench::WorkloadError& e) {
            return e.what();
        }
        return "";
    };
    CHECK(failure("0.0.0.0").find("does not listen on 0.0.0.0") != std::string::npos);
    CHECK(failure("localhost").find("is not an IPv4 address") != std::string::npos);
    CHECK(failure("192.0.2.1").find("cannot listen on 192.0.2.1") != std::string::npos);
}

TEST_CASE("net's peer pins itself and every thread it starts to peer_cpuset") {
    const std::vector<int> mine = affinity_of(0);
    REQUIRE(!mine.empty());
    // The last CPU this process may use: a set of one, which differs from the
    // process's own wherever it may use more than one CPU.
    const int cpu = mine.back();
    ServedPeer peer(std::map<std::string, std::string>{{"peer_cpuset", std::to_string(cpu)}});
    const std::vector<pid_t> udp = threads_named("net-udp");
    REQUIRE(udp.size() == 1);
    CHECK(affinity_of(udp[0]) == std::vector<int>{cpu});
    // A connection's thread, started after the pinning, inherits it.
    const int fd = raw_socket(SOCK_STREAM, peer.port());
    const std::string hello = hello_text({.mode = Mode::TcpRr, .request_size = 1, .response_size = 1});
    send_bytes(fd, hello.data(), hello.size());
    char ack[kAckBytes];
    REQUIRE(::recv(fd, ack, sizeof ack, MSG_WAITALL) == static_cast<ssize_t>(sizeof ack));
    const std::vector<pid_t> connections = threads_named("net-conn");
    REQUIRE(connections.size() == 1);
    CHECK(affinity_of(connections[0]) == std::vector<int>{cpu});
    ::close(fd);
    // The test's own thread keeps its CPUs: serve() pinned only its thread and what it started.
    CHECK(affinity_of(0) == mine);
    // And the run records what the peer was given.
    const platbench::WorkloadResult result =
        run_client(peer.address(), quick({{"mode", "tcp_rr"}, {"peer_cpuset", std::to_string(cpu)}}));
    CHECK(result.info.at("peer_cpuset") == std::to_string(cpu));
}

TEST_CASE("net's peer refuses a peer_cpuset it cannot run on") {
    std::string why;
    try {
        ServedPeer peer(std::map<std::string, std::string>{{"peer_cpuset", "1000"}});
    } catch (const platbench::WorkloadError& e) {
        why = e.what();
    }
    CHECK(why.find("cannot pin the peer to peer_cpuset 1000") != std::string::npos);
}
