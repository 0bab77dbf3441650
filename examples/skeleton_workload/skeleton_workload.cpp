// skeleton: a documented, minimal workload plugin to copy when writing your own.
//
// A workload plugin is a shared library with one descriptor (name, description,
// ONE parameter table, a metric table, a factory) and a Workload class with two hooks:
//   run()       Required. Runs once inside platbench-runner, wherever the platform
//               puts it (host, container, VM), and returns metrics.
//   validate()  Not required. Cross-parameter checks at validation time, on the host,
//               before anything runs.
// The table drives validation of experiment files, `platbench plugins skeleton`
// and the documentation; values arrive in run() parsed, with defaults filled in.
#include <chrono>
#include <cmath>

#include "platbench/plugin.hpp"

namespace {

class SkeletonWorkload : public platbench::Workload {
public:
    std::vector<std::string> validate(const platbench::ParamValues& params) const override {
        if (params.integer("iterations") % params.integer("chunk") != 0)
            return {"iterations must be a multiple of chunk"};
        return {};
    }

    platbench::WorkloadResult run(const platbench::WorkloadRunRequest& request) override {
        const std::int64_t iterations = request.params.integer("iterations");
        const std::int64_t chunk = request.params.integer("chunk");
        const auto start = std::chrono::steady_clock::now();
        double sum = 0;
        for (std::int64_t done = 0; done < iterations; done += chunk) {
            // Honour Ctrl-C / timeouts: the runner sets this flag on SIGTERM.
            if (request.stop_requested.load()) throw platbench::WorkloadError("interrupted");
            for (std::int64_t i = done; i < done + chunk; ++i) sum += std::sqrt(static_cast<double>(i));
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

        platbench::WorkloadResult result;
        result.metrics.push_back({"sqrt_rate", static_cast<double>(iterations) / seconds, "ops/s", platbench::Better::Higher});
        result.metrics.push_back({"elapsed", seconds, "s", platbench::Better::Lower});
        result.info["checksum"] = std::to_string(sum);
        result.info["cpus_seen"] = std::to_string(request.environment.usable_cpus());
        return result;
    }
};

platbench::PluginDescriptor make_skeleton_descriptor() {
    platbench::PluginDescriptor d;
    d.kind = platbench::PluginKind::Workload;
    d.name = "skeleton";  // what experiment files write after `plugin:`
    d.description = "Example workload: square roots in a loop (copy me)";
    d.create_workload = [] { return std::unique_ptr<platbench::Workload>(new SkeletonWorkload()); };

    // One row per setting, its members in declaration order (platbench/params.hpp).
    // Integer, Size, Count and CpuList rows take integer bounds (.min, .max); Real and
    // Duration rows take .real_min and .real_max. A bound left out is no bound.
    d.params = {
        platbench::ParamSpec{.name = "iterations",
                             .type = platbench::ParamType::Count,  // accepts 1000, 10k, 5M
                             .default_value = "10M",
                             .unit = "iterations",
                             .help = "square roots to compute",
                             .min = 1},
        platbench::ParamSpec{.name = "chunk",
                             .type = platbench::ParamType::Count,
                             .default_value = "1k",
                             .unit = "iterations",
                             .help = "iterations between checks of the stop flag",
                             .min = 1},
    };

    // Not required, but without it the summary and the checks guess. Every metric
    // run() may report: headline metrics lead the end of a run and the report;
    // central ones (what the workload measures, as a mean over runs) are what
    // the validity checks judge.
    d.metrics = {
        {"sqrt_rate", "ops/s", platbench::Better::Higher, platbench::kMetricHeadline | platbench::kMetricCentral,
         "square roots per second"},
        {"elapsed", "s", platbench::Better::Lower, platbench::kMetricDetail, "time of the whole loop"},
    };
    return d;
}

}  // namespace

// Exports platbench_abi_version, platbench_abi_digest and platbench_plugin(): the whole ABI.
PLATBENCH_PLUGIN(make_skeleton_descriptor)
