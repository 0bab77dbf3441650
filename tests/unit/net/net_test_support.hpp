// Helpers of the net tests: the plugin as the runner loads it, a peer served on
// 127.0.0.1 in a thread of the test (through the plugin's serve()), a client run
// against it, and raw sockets to send the peer what a hostile guest might.
#pragma once

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "effective_params.hpp"
#include "observed_environment.hpp"
#include "platbench/plugin.hpp"
#include "plugin/registry.hpp"

namespace platbench::net::test {

inline const LoadedPlugin& net_plugin() {
    static const std::unique_ptr<LoadedPlugin> plugin = load_plugin_file(PLATBENCH_PLUGIN_DIR + "/workload_net.so");
    return *plugin;
}

inline ParamValues net_params(const std::map<std::string, std::string>& given) {
    return ::test::effective_params(net_plugin().descriptor->params, given);
}

// serve() on a thread of its own until the object goes; address() is what it
// announced through ready().
class ServedPeer {
public:
    explicit ServedPeer(const std::map<std::string, std::string>& given = {}, std::string listen = "127.0.0.1")
        : params_(net_params(given)), listen_(std::move(listen)) {
        std::promise<std::string> announced;
        std::future<std::string> address = announced.get_future();
        thread_ = std::thread([this, announced = std::move(announced)]() mutable {
            bool told = false;
            try {
                const WorkloadServeRequest request{params_, listen_, stop_,
                                                   [&](const std::string& a) {
                                                       told = true;
                                                       announced.set_value(a);
                                                   },
                                                   {}};
                net_plugin().descriptor->create_workload()->serve(request);
            } catch (...) {
                failure_ = std::current_exception();
            }
            if (!told) {
                if (failure_) announced.set_exception(failure_);
                else announced.set_value("");
            }
            returned_ = std::chrono::steady_clock::now();
            done_ = true;
        });
        REQUIRE(address.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        try {
            address_ = address.get();
        } catch (...) {
            thread_.join();
            failure_ = nullptr;
            throw;
        }
    }
    ~ServedPeer() { stop_and_join(); }

    const std::string& address() const { return address_; }
    int port() const { return std::stoi(address_.substr(address_.rfind(':') + 1)); }
    bool done() const { return done_; }

    // Asks serve() to stop and waits for it; how long it took to return.
    std::chrono::steady_clock::duration stop_and_join() {
        const auto asked = std::chrono::steady_clock::now();
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        if (failure_) {
            const std::exception_ptr failure = failure_;
            failure_ = nullptr;
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                FAIL("serve() failed: " << e.what());
            }
        }
        return returned_ - asked;
    }

private:
    ParamValues params_;
    std::string listen_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> done_{false};
    std::exception_ptr failure_;
    std::chrono::steady_clock::time_point returned_;
    std::string address_;
    std::thread thread_;
};

inline WorkloadResult run_client(const std::string& peer, const std::map<std::string, std::string>& given) {
    const ParamValues params = net_params(given);
    const ObservedEnvironment env = ::test::two_cpu_environment();
    const std::atomic<bool> stop{false};
    const WorkloadRunRequest request{params, env, {}, stop, {}, peer};
    return net_plugin().descriptor->create_workload()->run(request);
}

inline std::string client_failure(const std::string& peer, const std::map<std::string, std::string>& given) {
    try {
        run_client(peer, given);
    } catch (const WorkloadError& e) {
        return e.what();
    }
    return "";
}

// A raw socket to 127.0.0.1:port (TCP or UDP), with a 2 s receive timeout.
inline int raw_socket(int type, int port) {
    const int fd = ::socket(AF_INET, type, 0);
    REQUIRE(fd >= 0);
    const timeval timeout{.tv_sec = 2, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    return fd;
}

// What the peer sends until it closes the connection (or 2 s pass).
inline std::string read_until_closed(int fd) {
    std::string got;
    char buffer[256];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        got.append(buffer, static_cast<std::size_t>(n));
    }
    return got;
}

inline void send_bytes(int fd, const void* data, std::size_t size) {
    REQUIRE(::send(fd, data, size, MSG_NOSIGNAL) == static_cast<ssize_t>(size));
}

// The short run each test makes: 300 ms measured after 100 ms of ramp.
inline std::map<std::string, std::string> quick(std::map<std::string, std::string> given) {
    given.emplace("runtime", "300ms");
    given.emplace("ramp_time", "100ms");
    return given;
}

}  // namespace platbench::net::test
