#include "cache_sizes.hpp"

#include <charconv>
#include <fstream>

namespace platbench::stream {
namespace {

constexpr std::uint64_t kRuleFactor = 4;  // STREAM: arrays at least 4x the largest cache

std::string first_line(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string mib_text(std::uint64_t bytes) {
    const std::uint64_t tenths = (bytes * 10 + (1u << 19)) >> 20;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MiB";
}

}  // namespace

std::optional<std::uint64_t> parse_cache_size(const std::string& text) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    auto [rest, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || rest == text.data()) return std::nullopt;
    const std::string suffix(rest, end);
    if (suffix.empty()) return value;
    if (suffix == "K") return value << 10;
    if (suffix == "M") return value << 20;
    if (suffix == "G") return value << 30;
    return std::nullopt;
}

std::optional<CacheLevel> last_level_cache(int cpu, const std::filesystem::path& sysfs_cpu_dir) {
    const std::filesystem::path dir = sysfs_cpu_dir / ("cpu" + std::to_string(cpu)) / "cache";
    std::optional<CacheLevel> largest;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().filename().string().rfind("index", 0) != 0) continue;
        const std::string type = first_line(entry.path() / "type");
        if (type != "Data" && type != "Unified") continue;  // instruction caches hold no arrays
        int level = 0;
        const std::string level_text = first_line(entry.path() / "level");
        std::from_chars(level_text.data(), level_text.data() + level_text.size(), level);
        const std::optional<std::uint64_t> bytes = parse_cache_size(first_line(entry.path() / "size"));
        if (level <= 0 || !bytes) continue;
        if (!largest || level > largest->level) largest = CacheLevel{level, *bytes};
    }
    return largest;
}

std::string cache_rule_warning(std::uint64_t array_bytes, const std::optional<CacheLevel>& cache) {
    if (!cache) {
        return "caches: STREAM's rule (each array at least 4 times the last-level cache) cannot be checked: the "
               "runner sees no cache sizes in /sys/devices/system/cpu/cpu*/cache; make sure array_size is at least "
               "4 times this CPU's largest cache";
    }
    if (array_bytes >= kRuleFactor * cache->bytes) return "";
    return "caches: each array is " + mib_text(array_bytes) + ", less than 4 times the L" +
           std::to_string(cache->level) + " cache the runner sees (" + mib_text(cache->bytes) +
           "): STREAM's rule is broken and the rates partly measure the cache; use array_size of at least " +
           std::to_string(kRuleFactor * cache->bytes / 8) + " elements";
}

}  // namespace platbench::stream
