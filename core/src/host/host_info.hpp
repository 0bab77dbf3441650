// Host metadata stored with every experiment: CPU model, cores, memory, kernel,
// versions of platbench and the libraries and tools involved.
#pragma once

#include <nlohmann/json.hpp>

namespace platbench {

nlohmann::json collect_host_info();

// "2026-11-26T04:43:04.123Z"
std::string utc_timestamp_now();

}  // namespace platbench
