// STREAM's timed loop on oneTBB: arrays first-touched by the threads that later
// use them, then `iterations` rounds of Copy, Scale, Add, Triad, each timed.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <string_view>
#include <vector>

#include "stream_kernels.hpp"

namespace platbench::stream {

enum class KernelId { Copy, Scale, Add, Triad };
inline constexpr std::array<KernelId, 4> kKernels = {KernelId::Copy, KernelId::Scale, KernelId::Add, KernelId::Triad};

// "copy", "scale", "add", "triad": the prefix of the kernel's metric names.
std::string_view kernel_name(KernelId kernel);

// Bytes STREAM counts per element: 2 arrays for Copy/Scale, 3 for Add/Triad.
std::size_t counted_bytes_per_element(KernelId kernel);

struct BenchmarkSettings {
    std::size_t elements = 0;  // per array
    int threads = 1;
    int iterations = 10;       // including the first, which STREAM does not count
    bool streaming_stores = false;
    double scalar = 3.0;
    Isa isa = Isa::Sse2;
};

struct BenchmarkTimes {
    // seconds[kernel][iteration], every iteration including the first.
    std::array<std::vector<double>, 4> seconds;
    bool threads_pinned = false;  // each thread slot bound to one CPU of the process's affinity
};

// Runs the benchmark and checks its results as STREAM does. Throws WorkloadError
// when the arrays cannot be allocated, when `stop` turns true (between
// iterations: "interrupted") and when the check fails.
BenchmarkTimes run_benchmark(const BenchmarkSettings& settings, const std::atomic<bool>& stop);

}  // namespace platbench::stream
