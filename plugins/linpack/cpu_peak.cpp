#include "cpu_peak.hpp"

#include <fstream>
#include <sstream>

namespace platbench::linpack {
namespace {

// The highest frequency the CPU reaches without turbo is not visible everywhere:
// cpufreq's cpuinfo_max_freq (kHz, may include boost), else /proc/cpuinfo's
// "cpu MHz" (the current or, in VMs, the nominal frequency).
std::optional<double> frequency_ghz(int cpu, std::string& source) {
    std::ifstream max_freq("/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/cpufreq/cpuinfo_max_freq");
    double khz = 0;
    if (max_freq >> khz && khz > 0) {
        source = "cpufreq cpuinfo_max_freq";
        return khz / 1e6;
    }
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    int processor = -1;
    while (std::getline(cpuinfo, line)) {
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        std::istringstream value(line.substr(colon + 1));
        if (key == "processor") value >> processor;
        double mhz = 0;
        if (key == "cpu MHz" && (processor == cpu || processor < 0) && value >> mhz && mhz > 0) {
            source = "/proc/cpuinfo cpu MHz";
            return mhz / 1e3;
        }
    }
    return std::nullopt;
}

}  // namespace

IsaThroughput widest_isa_throughput() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return {32, "AVX-512"};
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {16, "AVX2+FMA"};
    if (__builtin_cpu_supports("avx")) return {8, "AVX"};
    return {4, "SSE2"};
}

std::optional<CpuPeak> cpu_peak(int cpus, int first_cpu, std::string& why_not) {
    std::string source;
    const std::optional<double> ghz = frequency_ghz(first_cpu, source);
    if (!ghz) {
        why_not = "no CPU frequency visible here (no cpufreq, no cpu MHz in /proc/cpuinfo)";
        return std::nullopt;
    }
    const IsaThroughput isa = widest_isa_throughput();
    std::ostringstream derivation;
    derivation << cpus << " CPUs x " << *ghz << " GHz (" << source << ") x " << isa.flops_per_cycle << " FLOP/cycle ("
               << isa.isa << ", two FMA units per CPU assumed; SMT siblings share them)";
    return CpuPeak{cpus * *ghz * isa.flops_per_cycle, derivation.str()};
}

}  // namespace platbench::linpack
