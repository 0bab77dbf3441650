#include "slurm/slurm_job.hpp"

#include <cstdlib>
#include <ostream>
#include <stdexcept>

#include "engine/progress.hpp"
#include "engine/run_executor.hpp"
#include "matrix/matrix.hpp"
#include "slurm/spool.hpp"

namespace platbench::slurm {

namespace {

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

JobIdentity identity_from_environment() {
    JobIdentity identity;
    const std::string task = environment("SLURM_ARRAY_TASK_ID");
    const std::string array_job = environment("SLURM_ARRAY_JOB_ID");
    if (!task.empty() && !array_job.empty()) {
        identity.task = std::atoi(task.c_str());
        identity.job = array_job + "_" + task;
    } else {
        identity.job = environment("SLURM_JOB_ID");
    }
    identity.node = environment("SLURMD_NODENAME");
    return identity;
}

int run_job_task(const JobManifest& manifest, const JobIdentity& identity, PluginRegistry& registry,
                 const std::atomic<bool>& interrupt, std::ostream& log) {
    if (identity.task < 0 || static_cast<std::size_t>(identity.task) >= manifest.tasks.size())
        throw std::runtime_error("array task " + std::to_string(identity.task) + " is not in the job's manifest");
    const ExperimentConfig config =
        load_experiment_text(manifest.experiment_text, manifest.experiment_file, manifest.base_dir, registry);
    const std::vector<Cell> cells = expand_matrix(config);
    const std::vector<TaskRun>& runs = manifest.tasks[static_cast<std::size_t>(identity.task)];
    Progress progress(&log, false, runs.size());
    RunExecutor executor(config, cells, progress, interrupt);
    log << "platbench slurm job " << identity.job << " on " << identity.node << ": " << runs.size() << " runs\n";
    // Block I/O measures the node's own storage, not the shared one: work
    // directories go to the node's temporary directory unless the head named one.
    const std::filesystem::path work_dir = manifest.work_dir.empty()
                                               ? std::filesystem::temp_directory_path() / ("platbench-slurm-" + identity.job)
                                               : manifest.work_dir;
    for (const TaskRun& run : runs) {
        if (run.cell >= cells.size()) throw std::runtime_error("the manifest names a cell the experiment does not have");
        if (interrupt.load()) return 130;
        const PlannedRun planned{run.cell, run.repetition, run.warmup};
        const std::string description = executor.describe(planned);
        progress.starting(run.index + 1, description);
        std::optional<RunRecord> record = executor.execute(planned, run.index, manifest.experiment_id, work_dir);
        if (!record) return 130;  // stopped: not recorded, the head runs it again
        record->platform_metadata["slurm_node"] = identity.node;
        record->platform_metadata["slurm_job"] = identity.job;
        write_spooled_run(manifest.results_dir, *record);
        progress.finished(description, record->status, record->reason);
    }
    std::error_code ec;
    if (manifest.work_dir.empty()) std::filesystem::remove_all(work_dir, ec);
    return 0;
}

}  // namespace platbench::slurm
