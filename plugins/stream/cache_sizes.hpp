// The last-level cache the runner sees, for STREAM's rule: each array must be at
// least four times the size of the largest cache, or the rates measure the cache
// rather than memory. Read where the runner runs (inside a container or VM), from
// sysfs: /sys/devices/system/cpu/cpu<N>/cache/index<i>/{level,type,size}.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace platbench::stream {

struct CacheLevel {
    int level = 0;            // 3 for L3
    std::uint64_t bytes = 0;
};

// "32768K", "16M", "512K", "1024": sysfs's size text in bytes; nullopt when not one.
std::optional<std::uint64_t> parse_cache_size(const std::string& text);

// The highest-level data or unified cache of `cpu`, under `sysfs_cpu_dir`
// (/sys/devices/system/cpu); nullopt when sysfs lists none (some VMs show no caches).
std::optional<CacheLevel> last_level_cache(int cpu,
                                           const std::filesystem::path& sysfs_cpu_dir = "/sys/devices/system/cpu");

// STREAM's rule for arrays of `array_bytes`: the warning to attach, or "" when the
// arrays are large enough. `cache` nullopt: the rule cannot be checked, and the
// warning says so.
std::string cache_rule_warning(std::uint64_t array_bytes, const std::optional<CacheLevel>& cache);

}  // namespace platbench::stream
