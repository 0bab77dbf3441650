#include "net_params.hpp"

namespace platbench::net {

ParamTable net_params() {
    return {
        ParamSpec{
            .name = "mode",
            .type = ParamType::Choice,
            .default_value = "tcp_stream",
            .help = "tcp_stream: bulk TCP throughput to the peer (netperf's TCP_STREAM); tcp_rr / udp_rr: "
                    "request/response transactions, one in flight per connection (TCP_RR, UDP_RR)",
            .choices = {"tcp_stream", "tcp_rr", "udp_rr"}},
        ParamSpec{
            .name = "runtime",
            .type = ParamType::Duration,
            .default_value = "10s",
            .unit = "s",
            .help = "measured time, after the ramp",
            .real_min = 0.01,
            .real_max = 86400},
        ParamSpec{
            .name = "ramp_time",
            .type = ParamType::Duration,
            .default_value = "1s",
            .unit = "s",
            .help = "run this long first without counting (connections warm up, TCP opens its window)",
            .real_min = 0,
            .real_max = 3600},
        ParamSpec{
            .name = "parallel",
            .type = ParamType::Integer,
            .default_value = "1",
            .unit = "connections",
            .help = "connections (udp_rr: sockets) at once, one thread each; rates are their sum",
            .min = 1,
            .max = 64},
        ParamSpec{
            .name = "message_size",
            .type = ParamType::Size,
            .default_value = "128KiB",
            .unit = "bytes",
            .help = "tcp_stream: bytes per send() (iperf3's -l)",
            .min = 1,
            .max = kMaxMessageSize},
        ParamSpec{
            .name = "request_size",
            .type = ParamType::Size,
            .default_value = "64",
            .unit = "bytes",
            .help = "tcp_rr, udp_rr: bytes of each request (udp_rr: 16 to 65507)",
            .min = 1,
            .max = kMaxTcpRrSize},
        ParamSpec{
            .name = "response_size",
            .type = ParamType::Size,
            .default_value = "64",
            .unit = "bytes",
            .help = "tcp_rr, udp_rr: bytes of each response (udp_rr: 16 to 65507)",
            .min = 1,
            .max = kMaxTcpRrSize},
        ParamSpec{
            .name = "peer_cpuset",
            .type = ParamType::CpuList,
            .unit = "CPUs",
            .help = "CPUs of the host the peer runs on, e.g. 3, so that it does not compete with the run's CPUs "
                    "(default: wherever the scheduler puts it)",
            .min = 0,
            .max = 65535},
    };
}

MetricTable net_metrics() {
    return {
        {"throughput_gbit", "Gbit/s", Better::Higher, kMetricCentral | kMetricHeadline,
         "tcp_stream: bytes sent in the measured time over that time, in 10^9 bits per second, all connections"},
        {"throughput_mb", "MB/s", Better::Higher, kMetricDetail,
         "tcp_stream: the same rate in 10^6 bytes per second"},
        {"bytes", "bytes", Better::None, kMetricDetail, "tcp_stream: bytes sent in the measured time"},
        {"runtime_s", "s", Better::None, kMetricDetail, "measured time of the longest connection"},
        {"transactions_per_s", "transactions/s", Better::Higher, kMetricCentral | kMetricHeadline,
         "tcp_rr, udp_rr: transactions (a request and its whole response) per second, all connections"},
        {"transactions", "transactions", Better::None, kMetricDetail,
         "tcp_rr, udp_rr: transactions in the measured time"},
        {"lat_mean", "us", Better::Lower, kMetricCentral,
         "tcp_rr, udp_rr: mean round trip of a transaction, from the request's send to the response's last byte"},
        {"lat_min", "us", Better::Lower, kMetricDetail, "tcp_rr, udp_rr: shortest round trip"},
        {"lat_max", "us", Better::Lower, kMetricDetail, "tcp_rr, udp_rr: longest round trip"},
        {"lat_p50", "us", Better::Lower, kMetricCentral, "tcp_rr, udp_rr: median round trip"},
        {"lat_p90", "us", Better::Lower, kMetricDetail, "tcp_rr, udp_rr: 90th percentile of the round trip"},
        {"lat_p99", "us", Better::Lower, kMetricHeadline, "tcp_rr, udp_rr: 99th percentile of the round trip"},
        {"lat_p99_9", "us", Better::Lower, kMetricDetail, "tcp_rr, udp_rr: 99.9th percentile of the round trip"},
        {"lost", "requests", Better::Lower, kMetricDetail,
         "udp_rr: requests without an answer within 100 ms, sent again with a new sequence number"},
    };
}

std::vector<std::string> settings_errors(const ParamValues& params) {
    std::vector<std::string> errors;
    if (params.text("mode") != "udp_rr") return errors;
    for (const char* name : {"request_size", "response_size"}) {
        const std::int64_t size = params.integer(name);
        if (size < kMinUdpSize || size > kMaxUdpSize)
            errors.push_back(std::string(name) + " " + std::to_string(size) + " does not fit mode=udp_rr: a datagram " +
                             "holds 16 to 65507 bytes (16 for its header: magic, sequence number, response size); "
                             "give " + name + " between 16 and 65507");
    }
    return errors;
}

Settings parse_settings(const ParamValues& params) {
    Settings settings;
    settings.mode = parse_mode(params.text("mode")).value_or(Mode::TcpStream);
    settings.runtime_seconds = params.real("runtime");
    settings.ramp_seconds = params.real("ramp_time");
    settings.parallel = static_cast<int>(params.integer("parallel"));
    settings.message_size = static_cast<std::uint32_t>(params.integer("message_size"));
    settings.request_size = static_cast<std::uint32_t>(params.integer("request_size"));
    settings.response_size = static_cast<std::uint32_t>(params.integer("response_size"));
    if (params.has("peer_cpuset")) settings.peer_cpuset = params.text("peer_cpuset");
    return settings;
}

}  // namespace platbench::net
