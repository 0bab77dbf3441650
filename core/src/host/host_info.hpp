// Host metadata stored with every experiment: CPU model, cores, memory, kernel,
// versions of platbench and the libraries and tools involved.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace platbench {

// Keys: cpu_model, cpu_cores (online), memory_total_bytes, kernel, architecture,
// os, hostname, platbench_version, compiler, boost_version, sqlite_version,
// openssl_version, nlohmann_json_version; and the state that sways figures:
// cpu_governor (absent without cpufreq, as in most VMs), transparent_hugepages,
// load_average_1m at the experiment's start. A fact that cannot be read (a missing
// /proc or /etc/os-release file, inside a minimal container) is left out, never guessed.
nlohmann::json collect_host_info();

// "2026-11-26T04:43:04.123Z"
std::string utc_timestamp_now();
std::string format_utc_timestamp(std::chrono::system_clock::time_point time);

// Parsers of the files collect_host_info() reads, separate so they can be tested
// on the texts of other machines. Each returns nullopt when the fact is absent.
std::optional<std::string> cpu_model_from_cpuinfo(std::string_view cpuinfo);
std::optional<std::uint64_t> memory_total_bytes_from_meminfo(std::string_view meminfo);
std::optional<std::string> pretty_name_from_os_release(std::string_view os_release);
// "always [madvise] never" -> "madvise"
std::optional<std::string> selected_choice(std::string_view sysfs_choices);
// "0.52 0.58 0.59 1/123 4567" -> 0.52
std::optional<double> load_average_from_loadavg(std::string_view loadavg);

}  // namespace platbench
