// net's parameter table, its metric table, and the settings a run reads from them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net_protocol.hpp"
#include "platbench/params.hpp"
#include "platbench/workload.hpp"

namespace platbench::net {

ParamTable net_params();
MetricTable net_metrics();

struct Settings {
    Mode mode = Mode::TcpStream;
    double runtime_seconds = 10;
    double ramp_seconds = 1;
    int parallel = 1;
    std::uint32_t message_size = 128u << 10;
    std::uint32_t request_size = 64;
    std::uint32_t response_size = 64;
    std::optional<std::string> peer_cpuset;   // canonical CPU list
};

// What the table's bounds cannot say (the sizes udp_rr needs); each string one error.
std::vector<std::string> settings_errors(const ParamValues& params);
// The settings of checked parameters (the table's types and bounds, settings_errors).
Settings parse_settings(const ParamValues& params);

}  // namespace platbench::net
