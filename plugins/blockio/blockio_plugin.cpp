// The blockio workload: an fio-class block I/O engine (psync, libaio, io_uring)
// on the job contract it shares with the `fio` workload (plugins/common/io_job),
// so the two measure the same job and report the same metric names.
//
// This file is the plugin interface only; the run is in blockio_run.cpp, a job's
// I/O loop in job_worker.cpp, the engines in engine_*.cpp and the checks made
// before any I/O in target_checks.cpp.
#include <memory>

#include "blockio_run.hpp"
#include "io_job.hpp"
#include "platbench/plugin.hpp"

namespace platbench::blockio {
namespace {

class BlockioWorkload : public Workload {
public:
    std::vector<std::string> validate(const ParamValues& params) const override { return io_job::job_errors(params); }

    WorkloadResult run(const WorkloadRunRequest& request) override {
        // The engine validated already; the runner may be driven by hand, so check again.
        if (auto errors = io_job::job_errors(request.params); !errors.empty()) throw WorkloadError(errors.front());
        RunOptions options;
        options.work_dir = request.work_dir;
        options.usable_memory_bytes = request.environment.usable_memory_bytes();
        options.log = request.log;
        return run_blockio(io_job::parse_job(request.params), options, request.stop_requested);
    }
};

PluginDescriptor make_blockio_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Workload;
    d.name = "blockio";
    d.description = "Block I/O like fio: sequential and random reads and writes with psync, libaio or io_uring";
    d.flags = kWorkloadUsesWorkDir | kWorkloadBlockIo;
    d.params = io_job::job_params();
    d.metrics = io_job::job_metrics();
    d.create_workload = [] { return std::unique_ptr<Workload>(new BlockioWorkload()); };
    return d;
}

}  // namespace
}  // namespace platbench::blockio

PLATBENCH_PLUGIN(platbench::blockio::make_blockio_descriptor)
