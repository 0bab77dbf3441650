#include "stream_benchmark.hpp"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>
#include <tbb/task_scheduler_observer.h>

#include "platbench/workload.hpp"
#include "stream_check.hpp"

namespace platbench::stream {
namespace {

// Work is split on cache-line boundaries: with 64-byte aligned arrays every
// chunk starts aligned, so no two threads store into one line and each chunk's
// vector stores are aligned from its first element.
constexpr std::size_t kLineBytes = 64;
constexpr std::size_t kDoublesPerLine = kLineBytes / sizeof(double);

struct FreeDeleter {
    void operator()(double* p) const { std::free(p); }
};
using Array = std::unique_ptr<double[], FreeDeleter>;

// Allocated but not touched: the pages are placed where the first write happens.
Array allocate_untouched(std::size_t elements) {
    const std::size_t lines = (elements + kDoublesPerLine - 1) / kDoublesPerLine;
    void* memory = std::aligned_alloc(kLineBytes, std::max<std::size_t>(lines, 1) * kLineBytes);
    if (memory == nullptr) {
        throw WorkloadError("could not allocate an array of " + std::to_string(elements * sizeof(double)) +
                            " bytes; lower array_size or array_bytes");
    }
    return Array(static_cast<double*>(memory));
}

// Binds each arena slot to one CPU of the process's affinity mask, so the
// static partitioner's chunk i runs on the same CPU in every kernel, where
// its pages were first touched. The thread's own mask comes back on leaving.
class SlotPinner : public tbb::task_scheduler_observer {
public:
    SlotPinner(tbb::task_arena& arena, std::vector<int> cpus)
        : tbb::task_scheduler_observer(arena), cpus_(std::move(cpus)) {
        if (!cpus_.empty()) observe(true);
    }
    ~SlotPinner() override { observe(false); }

    bool active() const { return !cpus_.empty(); }

    void on_scheduler_entry(bool) override {
        const int slot = tbb::this_task_arena::current_thread_index();
        if (slot < 0 || sched_getaffinity(0, sizeof(saved_mask_), &saved_mask_) != 0) return;
        saved_ = true;
        cpu_set_t mask;
        CPU_ZERO(&mask);
        CPU_SET(cpus_[static_cast<std::size_t>(slot) % cpus_.size()], &mask);
        sched_setaffinity(0, sizeof(mask), &mask);  // a refusal only costs locality
    }

    void on_scheduler_exit(bool) override {
        if (saved_) sched_setaffinity(0, sizeof(saved_mask_), &saved_mask_);
        saved_ = false;
    }

private:
    std::vector<int> cpus_;
    static thread_local cpu_set_t saved_mask_;
    static thread_local bool saved_;
};
thread_local cpu_set_t SlotPinner::saved_mask_;
thread_local bool SlotPinner::saved_ = false;

std::vector<int> process_cpus() {
    cpu_set_t mask;
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof(mask), &mask) != 0) return cpus;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (CPU_ISSET(cpu, &mask)) cpus.push_back(cpu);
    }
    return cpus;
}

// Calls body(begin, end) over [0, elements) in line-aligned chunks, one per
// thread, the same chunks every time (static partitioner).
template <class Body>
void for_each_chunk(std::size_t elements, const Body& body) {
    const std::size_t lines = (elements + kDoublesPerLine - 1) / kDoublesPerLine;
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, lines),
        [&](const tbb::blocked_range<std::size_t>& range) {
            const std::size_t begin = range.begin() * kDoublesPerLine;
            const std::size_t end = std::min(range.end() * kDoublesPerLine, elements);
            body(begin, end);
        },
        tbb::static_partitioner());
}

struct Arrays {
    Array a, b, c;
};

void first_touch(Arrays& arrays, std::size_t elements) {
    for_each_chunk(elements, [&](std::size_t begin, std::size_t end) {
        for (std::size_t j = begin; j < end; ++j) {
            arrays.a[j] = kInitialA;
            arrays.b[j] = kInitialB;
            arrays.c[j] = kInitialC;
        }
    });
    // STREAM times this pass to estimate clock granularity; here it only sets a's start value.
    for_each_chunk(elements, [&](std::size_t begin, std::size_t end) {
        for (std::size_t j = begin; j < end; ++j) arrays.a[j] *= kInitialScaleOfA;
    });
}

double timed_kernel(Kernel kernel, double* dst, const double* x, const double* y, double q, std::size_t elements) {
    const auto start = std::chrono::steady_clock::now();
    for_each_chunk(elements, [&](std::size_t begin, std::size_t end) {
        // Copy and Scale have no second source: y is null, and an offset from null is undefined.
        kernel(dst + begin, x + begin, y != nullptr ? y + begin : nullptr, q, end - begin);
    });
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void run_iterations(const BenchmarkSettings& s, const KernelSet& kernels, Arrays& arrays, BenchmarkTimes& times,
                    const std::atomic<bool>& stop) {
    double* a = arrays.a.get();
    double* b = arrays.b.get();
    double* c = arrays.c.get();
    const std::size_t n = s.elements;
    for (int k = 0; k < s.iterations; ++k) {
        if (stop.load()) throw WorkloadError("interrupted");
        times.seconds[0].push_back(timed_kernel(kernels.copy, c, a, nullptr, 0.0, n));
        times.seconds[1].push_back(timed_kernel(kernels.scale, b, c, nullptr, s.scalar, n));
        times.seconds[2].push_back(timed_kernel(kernels.add, c, a, b, 0.0, n));
        times.seconds[3].push_back(timed_kernel(kernels.triad, a, b, c, s.scalar, n));
    }
}

void check_results(const BenchmarkSettings& s, const Arrays& arrays) {
    const std::vector<std::string> errors =
        validation_errors({arrays.a.get(), s.elements}, {arrays.b.get(), s.elements}, {arrays.c.get(), s.elements},
                          s.iterations, s.scalar);
    if (errors.empty()) return;
    std::string message;
    for (const std::string& error : errors) message += (message.empty() ? "" : "; ") + error;
    throw WorkloadError(message);
}

}  // namespace

std::string_view kernel_name(KernelId kernel) {
    switch (kernel) {
        case KernelId::Copy: return "copy";
        case KernelId::Scale: return "scale";
        case KernelId::Add: return "add";
        case KernelId::Triad: return "triad";
    }
    return "unknown";
}

std::size_t counted_bytes_per_element(KernelId kernel) {
    const bool three_arrays = kernel == KernelId::Add || kernel == KernelId::Triad;
    return (three_arrays ? 3 : 2) * sizeof(double);
}

BenchmarkTimes run_benchmark(const BenchmarkSettings& settings, const std::atomic<bool>& stop) {
    const KernelSet kernels = kernels_for(settings.isa, settings.streaming_stores);
    // The arena alone cannot exceed the process-wide default (the CPU count).
    tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                    static_cast<std::size_t>(settings.threads));
    tbb::task_arena arena(settings.threads);
    SlotPinner pinner(arena, process_cpus());

    Arrays arrays{allocate_untouched(settings.elements), allocate_untouched(settings.elements),
                  allocate_untouched(settings.elements)};
    BenchmarkTimes times;
    times.threads_pinned = pinner.active();
    arena.execute([&] {
        first_touch(arrays, settings.elements);
        run_iterations(settings, kernels, arrays, times, stop);
    });
    check_results(settings, arrays);
    return times;
}

}  // namespace platbench::stream
