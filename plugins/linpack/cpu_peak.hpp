// The CPU's theoretical double-precision peak, when it can be derived: CPUs x
// frequency x FLOPs per cycle of the widest vector ISA the CPU has.
#pragma once

#include <optional>
#include <string>

namespace platbench::linpack {

struct CpuPeak {
    double gflops = 0;
    std::string derivation;  // "2 CPUs x 2.45 GHz x 16 FLOP/cycle (AVX2+FMA, two FMA units assumed)"
};

// FLOPs per cycle per core of the ISA (assuming two FMA or add+multiply pipes,
// as on every recent x86-64 server core) and its name.
struct IsaThroughput {
    int flops_per_cycle = 0;
    std::string isa;
};
IsaThroughput widest_isa_throughput();

// The peak of `cpus` CPUs, the first of them `first_cpu`; nullopt with the reason
// in `why_not` when no frequency is visible (no cpufreq, no "cpu MHz").
std::optional<CpuPeak> cpu_peak(int cpus, int first_cpu, std::string& why_not);

}  // namespace platbench::linpack
