// The randomaccess workload: HPC Challenge's RandomAccess (GUPS) on oneTBB.
//
// A table of 2^k 64-bit words, 4 x 2^k XOR updates at the addresses of HPCC's
// own pseudo-random stream, in parallel; then the updates are replayed exactly
// and the words that do not come back to their index counted: HPCC's rules allow
// up to 1% lost to races between threads. The stream is in gups_stream.cpp, the
// timed part and the check in table_updates.cpp.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "gups_stream.hpp"
#include "hpc_sizing.hpp"
#include "platbench/plugin.hpp"
#include "table_updates.hpp"

namespace platbench::randomaccess {
namespace {

constexpr std::uint64_t kDefaultTableBytes = 256ull << 20;
constexpr std::uint64_t kMinTableBytes = 1024;
// The table may take this share of the usable memory.
constexpr double kUsableMemoryShare = 0.9;

ParamTable randomaccess_params() {
    return {
        ParamSpec{
            .name = "table_size",
            .type = ParamType::Size,
            .unit = "bytes",
            .help = "bytes of the table, rounded down to a power of two (256MiB when neither table_size nor "
                    "memory_fraction is given); exclusive with memory_fraction",
            .min = static_cast<std::int64_t>(kMinTableBytes),
            .max = std::int64_t{1} << 50},
        hpc::memory_fraction_param("the table's size"),
        hpc::threads_param(),
        ParamSpec{
            .name = "prefetch",
            .type = ParamType::Bool,
            .default_value = "true",
            .help = "prefetch each lane's next table word, 128 updates ahead (HPCC's rules allow 1024); "
                    "false: HPCC's own update loop"},
    };
}

MetricTable randomaccess_metrics() {
    return {
        {"gups", "GUP/s", Better::Higher, kMetricCentral | kMetricHeadline,
         "giga-updates per second: 4 x table words updates over the time they took, as HPCC reports"},
        {"update_time", "s", Better::Lower, kMetricDetail, "time of the timed updates"},
        {"error_fraction", "", Better::Lower, kMetricDetail,
         "share of table words wrong after the exact replay: updates lost to races (at most 0.01)"},
    };
}

std::vector<std::string> cross_parameter_errors(const ParamValues& params) {
    return hpc::exclusive_errors(params, "table_size", "memory_fraction", "the table's size");
}

// Largest power of two of 64-bit words in `bytes`.
std::uint64_t table_words(std::uint64_t bytes) {
    return std::bit_floor(std::max<std::uint64_t>(bytes / sizeof(std::uint64_t), 1));
}

std::uint64_t requested_table_bytes(const WorkloadRunRequest& request) {
    const ParamValues& params = request.params;
    if (params.has("table_size")) return static_cast<std::uint64_t>(params.integer("table_size"));
    if (params.has("memory_fraction")) {
        const std::uint64_t bytes = hpc::bytes_for_fraction(params.real("memory_fraction"), request.environment);
        if (bytes < kMinTableBytes)
            throw WorkloadError("memory_fraction gives a table of " + std::to_string(bytes) + " bytes, below the least (" +
                                std::to_string(kMinTableBytes) + "): raise memory_fraction or give table_size");
        return bytes;
    }
    return kDefaultTableBytes;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string error_summary(std::uint64_t errors, std::uint64_t words) {
    std::ostringstream out;
    out << errors << " of " << words << " table words were wrong after the replay ("
        << 100.0 * static_cast<double>(errors) / static_cast<double>(words)
        << "%): more than HPCC's 1% of updates lost to races";
    return out.str();
}

class RandomAccessWorkload : public Workload {
public:
    std::vector<std::string> validate(const ParamValues& params) const override { return cross_parameter_errors(params); }

    WorkloadResult run(const WorkloadRunRequest& request) override {
        if (auto errors = cross_parameter_errors(request.params); !errors.empty()) throw WorkloadError(errors.front());
        const std::uint64_t words = table_words(requested_table_bytes(request));
        const std::uint64_t bytes = words * sizeof(std::uint64_t);
        if (auto shortfall = hpc::memory_shortfall(static_cast<double>(bytes), kUsableMemoryShare, request.environment,
                                                   "the table of " + std::to_string(bytes) + " bytes"))
            throw WorkloadError(*shortfall);
        const hpc::ThreadChoice threads = hpc::choose_threads(request.params, request.environment);
        const std::uint64_t updates = kUpdatesPerWord * words;
        if (request.log)
            request.log("randomaccess: 2^" + std::to_string(std::countr_zero(words)) + " words, " + std::to_string(updates) +
                        " updates, " + std::to_string(threads.threads) + " threads");

        std::vector<std::uint64_t> table = make_table(words, threads.threads);
        const auto start = std::chrono::steady_clock::now();
        const bool prefetch = request.params.boolean("prefetch");
        if (!apply_updates(table, updates, threads.threads, prefetch, request.stop_requested))
            throw WorkloadError("interrupted: the updates were stopped before they finished");
        const double seconds = seconds_since(start);
        const std::uint64_t errors = count_errors_after_replay(table, updates, threads.threads);
        const double error_fraction = static_cast<double>(errors) / static_cast<double>(words);
        if (error_fraction > kMaxErrorFraction) throw WorkloadError(error_summary(errors, words));

        WorkloadResult result;
        if (threads.warning) result.warnings.push_back(*threads.warning);
        result.metrics.push_back({"gups", seconds > 0 ? 1e-9 * static_cast<double>(updates) / seconds : 0.0, "GUP/s",
                                  Better::Higher});
        result.metrics.push_back({"update_time", seconds, "s", Better::Lower});
        result.metrics.push_back({"error_fraction", error_fraction, "", Better::Lower});
        result.info["threads"] = std::to_string(threads.threads);
        result.info["table_bytes"] = std::to_string(bytes);
        result.info["table_words_log2"] = std::to_string(std::countr_zero(words));
        result.info["updates"] = std::to_string(updates);
        result.info["errors"] = std::to_string(errors);
        result.info["prefetch"] = prefetch ? "true" : "false";
        return result;
    }
};

PluginDescriptor make_randomaccess_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Workload;
    d.name = "randomaccess";
    d.description = "HPC Challenge RandomAccess (GUPS): random XOR updates of a large table, with oneTBB";
    d.params = randomaccess_params();
    d.metrics = randomaccess_metrics();
    d.create_workload = [] { return std::unique_ptr<Workload>(new RandomAccessWorkload()); };
    return d;
}

}  // namespace
}  // namespace platbench::randomaccess

PLATBENCH_PLUGIN(platbench::randomaccess::make_randomaccess_descriptor)
