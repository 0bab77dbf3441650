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

// blockio's own row, beyond the job table it shares with fio: fio's buffers
// are on 4 KiB pages (mem=malloc), and fio cannot put them on transparent huge pages.
ParamSpec huge_pages_param() {
    return ParamSpec{
        .name = "huge_pages",
        .type = ParamType::Bool,
        .default_value = "true",
        .help = "put I/O buffers of 2 MiB or more (iodepth x block_size) on transparent huge pages where the kernel "
                "allows it: a direct I/O pins its buffer's pages for every request, 256 of them for a 1 MiB block "
                "on 4 KiB pages; false: 4 KiB pages, as fio's default memory. The run records how much was huge "
                "(info io_buffers)"};
}

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
        options.huge_page_buffers = request.params.boolean("huge_pages");
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
    d.params.push_back(huge_pages_param());
    d.metrics = io_job::job_metrics();
    d.create_workload = [] { return std::unique_ptr<Workload>(new BlockioWorkload()); };
    return d;
}

}  // namespace
}  // namespace platbench::blockio

PLATBENCH_PLUGIN(platbench::blockio::make_blockio_descriptor)
