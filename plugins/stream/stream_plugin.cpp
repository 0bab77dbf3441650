// The stream workload: STREAM (McCalpin) on oneTBB, reported as STREAM reports.
//
// The parameter table, the cross-parameter checks, the memory check and the
// turning of raw kernel times into STREAM's figures live here; the timed loop
// is in stream_benchmark.cpp, the kernels in stream_kernels.cpp and STREAM's
// result check in stream_check.cpp.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "cache_sizes.hpp"
#include "platbench/plugin.hpp"
#include "stream_benchmark.hpp"
#include "stream_check.hpp"
#include "stream_kernels.hpp"

namespace platbench::stream {
namespace {

constexpr std::int64_t kDefaultElements = 10'000'000;
constexpr int kArrays = 3;
// The arrays may take this share of the usable memory: the rest is left to
// the runner, the OS and whatever else the platform runs next to us.
constexpr double kUsableMemoryShare = 0.9;
// Below this, a kernel's time is mostly thread wake-up and clock resolution.
constexpr double kShortKernelSeconds = 1e-3;

ParamTable stream_params() {
    return {
        ParamSpec{
            .name = "array_size",
            .type = ParamType::Count,
            .unit = "elements",
            .help = "doubles per array (10M when neither array_size nor array_bytes is given); exclusive with array_bytes",
            .min = 1,
            .max = 1'000'000'000'000'000},
        ParamSpec{
            .name = "array_bytes",
            .type = ParamType::Size,
            .unit = "bytes",
            .help = "bytes per array, rounded down to whole doubles (default: see array_size); exclusive with array_size",
            .min = 8,
            .max = 8'000'000'000'000'000},
        ParamSpec{
            .name = "ntimes",
            .type = ParamType::Integer,
            .default_value = "10",
            .unit = "iterations",
            .help = "iterations of the four kernels; the first is not counted, as in STREAM",
            .min = 2,
            .max = 1000},
        ParamSpec{
            .name = "threads",
            .type = ParamType::Integer,
            .unit = "threads",
            .help = "worker threads (default: the CPUs the run may use)",
            .min = 1,
            .max = 4096},
        ParamSpec{
            .name = "nontemporal",
            .type = ParamType::Bool,
            .default_value = "false",
            .help = "non-temporal (streaming) stores, which bypass the caches and avoid reading destination lines"},
        ParamSpec{
            .name = "scalar",
            .type = ParamType::Real,
            .default_value = "3.0",
            .help = "the constant q of Scale (b = q*c) and Triad (a = b + q*c)",
            .real_min = -1e6,
            .real_max = 1e6},
    };
}

MetricTable stream_metrics() {
    MetricTable table;
    for (const KernelId kernel : kKernels) {
        const std::string name(kernel_name(kernel));
        const bool headline = kernel == KernelId::Copy || kernel == KernelId::Triad;
        table.push_back({name + "_best_rate", "MB/s", Better::Higher, kMetricCentral | (headline ? kMetricHeadline : 0u),
                         name + ": bytes moved over the fastest iteration's time, as STREAM reports"});
        table.push_back({name + "_avg_time", "s", Better::Lower, kMetricDetail, name + ": mean time per iteration"});
        table.push_back({name + "_min_time", "s", Better::Lower, kMetricDetail, name + ": fastest iteration"});
        table.push_back({name + "_max_time", "s", Better::Lower, kMetricDetail, name + ": slowest iteration"});
    }
    return table;
}

struct Settings {
    BenchmarkSettings benchmark;
    std::vector<std::string> warnings;
};

std::size_t elements_per_array(const ParamValues& params) {
    if (params.has("array_size")) return static_cast<std::size_t>(params.integer("array_size"));
    if (params.has("array_bytes")) return static_cast<std::size_t>(params.integer("array_bytes")) / sizeof(double);
    return kDefaultElements;
}

std::vector<std::string> cross_parameter_errors(const ParamValues& params) {
    std::vector<std::string> errors;
    if (params.has("array_size") && params.has("array_bytes")) {
        errors.push_back("array_size and array_bytes both set the array size: give only one of them");
    }
    if (params.has("ntimes") && params.has("scalar")) {
        const auto ntimes = params.integer("ntimes");
        if (ntimes >= 1 && ntimes <= std::numeric_limits<int>::max()) {
            if (auto why = unverifiable_settings(static_cast<int>(ntimes), params.real("scalar"))) {
                errors.push_back(*why);
            }
        }
    }
    return errors;
}

// The three arrays must fit, with headroom, in what the platform leaves us.
void check_memory(std::size_t elements, std::uint64_t usable_bytes) {
    if (usable_bytes == 0) return;  // unknown: nothing to check against
    const double needed = static_cast<double>(elements) * sizeof(double) * kArrays;
    const double allowed = kUsableMemoryShare * static_cast<double>(usable_bytes);
    if (needed <= allowed) return;
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(0);
    out << "the arrays do not fit in memory: 3 arrays of " << elements << " doubles need " << needed
        << " bytes, but only " << allowed << " bytes are usable (90% of the " << usable_bytes
        << " bytes available to the run); lower array_size to at most "
        << static_cast<std::uint64_t>(allowed / (sizeof(double) * kArrays))
        << " elements (or array_bytes accordingly), or give the platform more memory";
    throw WorkloadError(out.str());
}

Settings resolve_settings(const WorkloadRunRequest& request) {
    const ParamValues& params = request.params;
    if (auto errors = cross_parameter_errors(params); !errors.empty()) throw WorkloadError(errors.front());
    Settings s;
    BenchmarkSettings& b = s.benchmark;
    b.elements = elements_per_array(params);
    check_memory(b.elements, request.environment.usable_memory_bytes());
    const int usable_cpus = request.environment.usable_cpus();
    b.threads = params.has("threads") ? static_cast<int>(params.integer("threads")) : usable_cpus;
    if (b.threads > usable_cpus) {
        s.warnings.push_back("oversubscribed: " + std::to_string(b.threads) + " threads share " + std::to_string(usable_cpus) +
                             " usable CPUs: the rates measure oversubscription, not memory bandwidth alone");
    }
    b.iterations = static_cast<int>(params.integer("ntimes"));
    b.streaming_stores = params.boolean("nontemporal");
    b.scalar = params.real("scalar");
    b.isa = widest_supported_isa();
    return s;
}

// STREAM's summary of one kernel, over every iteration but the first.
void add_kernel_metrics(KernelId kernel, const std::vector<double>& seconds, std::size_t elements,
                        WorkloadResult& result) {
    const auto counted = seconds.begin() + 1;
    const double min = *std::min_element(counted, seconds.end());
    const double max = *std::max_element(counted, seconds.end());
    const double avg = std::accumulate(counted, seconds.end(), 0.0) / static_cast<double>(seconds.end() - counted);
    const double bytes = static_cast<double>(counted_bytes_per_element(kernel) * elements);
    const std::string name(kernel_name(kernel));
    const double best_rate = min > 0 ? 1e-6 * bytes / min : 0.0;
    result.metrics.push_back({name + "_best_rate", best_rate, "MB/s", Better::Higher});
    result.metrics.push_back({name + "_avg_time", avg, "s", Better::Lower});
    result.metrics.push_back({name + "_min_time", min, "s", Better::Lower});
    result.metrics.push_back({name + "_max_time", max, "s", Better::Lower});
    if (min < kShortKernelSeconds) {
        result.warnings.push_back("caches: " + name + " took only " + std::to_string(min) +
                                  " s: the rate reflects thread start-up and caches more than memory; use larger arrays");
    }
}

// STREAM's rule on the cache of the first CPU the runner may use, as it sees it.
void add_cache_rule(std::uint64_t array_bytes, const ObservedEnvironment& environment, WorkloadResult& result) {
    const int cpu = environment.affinity.empty() ? 0 : environment.affinity.front();
    const std::optional<CacheLevel> cache = last_level_cache(cpu);
    result.info["last_level_cache"] =
        cache ? "L" + std::to_string(cache->level) + " " + std::to_string(cache->bytes) + " bytes" : "unknown";
    if (const std::string warning = cache_rule_warning(array_bytes, cache); !warning.empty())
        result.warnings.push_back(warning);
}

class StreamWorkload : public Workload {
public:
    std::vector<std::string> validate(const ParamValues& params) const override {
        return cross_parameter_errors(params);
    }

    WorkloadResult run(const WorkloadRunRequest& request) override {
        Settings settings = resolve_settings(request);
        const BenchmarkSettings& b = settings.benchmark;
        if (request.log) {
            request.log("stream: " + std::to_string(b.elements) + " elements per array, " + std::to_string(b.threads) +
                        " threads, " + std::string(isa_name(b.isa)) + " kernels");
        }
        const BenchmarkTimes times = run_benchmark(b, request.stop_requested);

        WorkloadResult result;
        result.warnings = std::move(settings.warnings);
        for (std::size_t k = 0; k < kKernels.size(); ++k) {
            add_kernel_metrics(kKernels[k], times.seconds[k], b.elements, result);
        }
        result.info["threads"] = std::to_string(b.threads);
        result.info["elements"] = std::to_string(b.elements);
        result.info["bytes_per_array"] = std::to_string(b.elements * sizeof(double));
        result.info["kernel_isa"] = std::string(isa_name(b.isa));
        result.info["nontemporal"] = b.streaming_stores ? "true" : "false";
        result.info["threads_pinned"] = times.threads_pinned ? "true" : "false";
        add_cache_rule(b.elements * sizeof(double), request.environment, result);
        return result;
    }
};

PluginDescriptor make_stream_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Workload;
    d.name = "stream";
    d.description = "STREAM memory bandwidth (Copy, Scale, Add, Triad) with oneTBB";
    d.params = stream_params();
    d.metrics = stream_metrics();
    d.create_workload = [] { return std::unique_ptr<Workload>(new StreamWorkload()); };
    return d;
}

}  // namespace
}  // namespace platbench::stream

PLATBENCH_PLUGIN(platbench::stream::make_stream_descriptor)
