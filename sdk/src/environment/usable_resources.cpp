#include <algorithm>
#include <cmath>

#include "platbench/environment.hpp"

namespace platbench {

int ObservedEnvironment::usable_cpus() const {
    int cpus = affinity.empty() ? online_cpus : static_cast<int>(affinity.size());
    if (cpu_quota && *cpu_quota > 0) cpus = std::min(cpus, static_cast<int>(std::ceil(*cpu_quota)));
    return std::max(cpus, 1);
}

std::uint64_t ObservedEnvironment::usable_memory_bytes() const {
    std::uint64_t bytes = memory_available_bytes != 0 ? memory_available_bytes : memory_total_bytes;
    if (memory_limit_bytes) bytes = bytes == 0 ? *memory_limit_bytes : std::min(bytes, *memory_limit_bytes);
    return bytes;
}

}  // namespace platbench
