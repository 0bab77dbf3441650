// The timed loops of run(), one thread each: tcp_stream's sends, tcp_rr's and
// udp_rr's transactions. Each counts only what happens inside the measured
// window, by CLOCK_MONOTONIC (std::chrono::steady_clock on Linux), and throws
// WorkloadError naming the peer when the exchange fails.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "latency_histogram.hpp"
#include "net_params.hpp"

namespace platbench::net {

using Clock = std::chrono::steady_clock;

// What every thread of a run shares: when counting starts and ends, and when to give up.
struct Schedule {
    Clock::time_point ramp_end;
    Clock::time_point end;
    const std::atomic<bool>& stop;
    std::string peer;   // for messages: "address:port"
};

struct StreamFigures {
    std::uint64_t sent_total = 0;      // everything after the hello, ramp included
    std::uint64_t sent_measured = 0;   // in the measured window
    double seconds = 0;                // this connection's measured window
};

struct RrFigures {
    latency::LatencyHistogram latency;   // round trips in the measured window, ns
    std::uint64_t transactions = 0;
    std::uint64_t lost = 0;              // udp_rr: requests sent again after the timeout
    double seconds = 0;
};

// Sends message_size buffers until the end, then shuts the connection down for
// writing and checks that the peer received every byte.
StreamFigures stream_sends(int fd, const Settings& settings, const Schedule& schedule);
// Writes request_size bytes, reads response_size bytes, until the end.
RrFigures tcp_transactions(int fd, const Settings& settings, const Schedule& schedule);
// The same in datagrams over a connected UDP socket, resending on timeout.
RrFigures udp_transactions(int fd, const Settings& settings, const Schedule& schedule);

}  // namespace platbench::net
