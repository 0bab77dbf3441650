// The net workload's client, run against its own peer on 127.0.0.1, both
// through the plugin as the runner loads it.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "metric_table_checks.hpp"
#include "net_test_support.hpp"
#include "workload_result_checks.hpp"

using namespace platbench::net::test;
using ::test::metric;

namespace {

void check_round_trips(const platbench::WorkloadResult& result) {
    CHECK(metric(result, "transactions") > 0);
    CHECK(metric(result, "transactions_per_s") > 0);
    CHECK(metric(result, "lat_min") > 0);
    CHECK(metric(result, "lat_min") <= metric(result, "lat_p50"));
    CHECK(metric(result, "lat_p50") <= metric(result, "lat_p90"));
    CHECK(metric(result, "lat_p90") <= metric(result, "lat_p99"));
    CHECK(metric(result, "lat_p99") <= metric(result, "lat_p99_9"));
    CHECK(metric(result, "lat_p99_9") <= metric(result, "lat_max"));
    CHECK(metric(result, "lat_min") <= metric(result, "lat_mean"));
    CHECK(metric(result, "lat_mean") <= metric(result, "lat_max"));
    // A transaction a second (and not far more than the time measured) cannot be wrong by a unit.
    CHECK(metric(result, "runtime_s") > 0.25);
    CHECK(metric(result, "runtime_s") < 1.0);
    ::test::check_metrics_in_table(result, net_plugin().descriptor->metrics);
}

}  // namespace

TEST_CASE("net declares a network peer, its parameters and its metrics") {
    const platbench::PluginDescriptor& d = *net_plugin().descriptor;
    CHECK(d.name == "net");
    CHECK((d.flags & platbench::kWorkloadNetworkPeer) != 0);
    std::set<std::string> names;
    for (const platbench::ParamSpec& spec : d.params) names.insert(spec.name);
    CHECK(names == std::set<std::string>{"mode", "runtime", "ramp_time", "parallel", "message_size", "request_size",
                                         "response_size", "peer_cpuset"});
    CHECK(::test::central_metrics(d.metrics) ==
          std::set<std::string>{"throughput_gbit", "transactions_per_s", "lat_mean", "lat_p50"});
}

TEST_CASE("net tcp_stream measures the throughput to its peer, which received every byte") {
    ServedPeer peer;
    const platbench::WorkloadResult result = run_client(peer.address(), quick({{"mode", "tcp_stream"}}));
    CHECK(metric(result, "throughput_gbit") > 0);
    CHECK(metric(result, "bytes") > 0);
    // The same rate in two units, over about the 300 ms measured.
    CHECK(metric(result, "throughput_mb") == doctest::Approx(metric(result, "throughput_gbit") * 125));
    CHECK(metric(result, "runtime_s") == doctest::Approx(0.3).epsilon(0.2));
    CHECK(metric(result, "bytes") / metric(result, "runtime_s") / 1e6 ==
          doctest::Approx(metric(result, "throughput_mb")).epsilon(0.05));
    ::test::check_metrics_in_table(result, net_plugin().descriptor->metrics);
    CHECK(result.info.at("mode") == "tcp_stream");
    CHECK(result.info.at("peer") == peer.address());
    CHECK(result.info.at("parallel") == "1");
    CHECK(result.info.at("client_address") == "127.0.0.1");
    CHECK(result.info.at("tcp_nodelay") == "false");
}

TEST_CASE("net tcp_rr measures transactions and their round trips") {
    ServedPeer peer;
    const platbench::WorkloadResult result =
        run_client(peer.address(), quick({{"mode", "tcp_rr"}, {"request_size", "100"}, {"response_size", "3000"}}));
    check_round_trips(result);
    CHECK(result.info.at("tcp_nodelay") == "true");
}

TEST_CASE("net udp_rr measures transactions and their round trips, and counts lost datagrams") {
    ServedPeer peer;
    const platbench::WorkloadResult result =
        run_client(peer.address(), quick({{"mode", "udp_rr"}, {"request_size", "16"}, {"response_size", "1400"}}));
    check_round_trips(result);
    CHECK(metric(result, "lost") >= 0);
    CHECK(result.info.at("mode") == "udp_rr");
}

TEST_CASE("net runs parallel connections, one thread each, and sums their rates") {
    ServedPeer peer;
    for (const char* mode : {"tcp_stream", "tcp_rr", "udp_rr"}) {
        CAPTURE(mode);
        const platbench::WorkloadResult result = run_client(peer.address(), quick({{"mode", mode}, {"parallel", "2"}}));
        CHECK(result.info.at("parallel") == "2");
        if (std::string(mode) == "tcp_stream")
            CHECK(metric(result, "throughput_gbit") > 0);
        else
            check_round_trips(result);
    }
}

TEST_CASE("net without a peer fails saying how to start one") {
    const std::string why = client_failure("", quick({}));
    CHECK(why.find("needs a peer") != std::string::npos);
    CHECK(why.find("--serve net --listen 127.0.0.1 --ready-file") != std::string::npos);
    CHECK(why.find("--peer") != std::string::npos);
}

TEST_CASE("net fails naming the peer when nothing listens there") {
    // A port that was just free: bound, then closed.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    ::close(fd);
    const std::string peer = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
    const std::string why = client_failure(peer, quick({{"mode", "tcp_rr"}}));
    CHECK(why.find("cannot connect to the peer " + peer) != std::string::npos);
    CHECK(why.find("Connection refused") != std::string::npos);
    CHECK(client_failure("localhost", quick({})).find("is not ADDRESS:PORT") != std::string::npos);
}

TEST_CASE("net refuses udp_rr sizes a datagram cannot carry, before it runs") {
    const auto workload = net_plugin().descriptor->create_workload();
    const auto errors =
        workload->validate(net_params({{"mode", "udp_rr"}, {"request_size", "15"}, {"response_size", "65508"}}));
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].find("request_size 15 does not fit mode=udp_rr") != std::string::npos);
    CHECK(errors[0].find("between 16 and 65507") != std::string::npos);
    CHECK(errors[1].find("response_size 65508") != std::string::npos);
    CHECK(workload->validate(net_params({{"mode", "udp_rr"}, {"request_size", "16"}, {"response_size", "65507"}}))
              .empty());
    // The same sizes are fine over TCP.
    CHECK(workload->validate(net_params({{"mode", "tcp_rr"}, {"request_size", "15"}})).empty());
    // run() checks them again (a runner started by hand), before it looks for a peer.
    CHECK(client_failure("", {{"mode", "udp_rr"}, {"request_size", "8"}}).find("request_size 8") != std::string::npos);
}
