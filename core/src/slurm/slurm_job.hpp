// The node's side of a Slurm job: `platbench slurm-job SCRIPT`, which Slurm runs
// through the batch script's #! line. It makes the runs of its array task with
// the same platform plugins as a local run, and leaves each record in the spool.
#pragma once

#include <atomic>
#include <iosfwd>
#include <string>

#include "plugin/registry.hpp"
#include "slurm/job_manifest.hpp"

namespace platbench::slurm {

// Where the job runs, from Slurm's environment: recorded with each run.
struct JobIdentity {
    int task = 0;            // SLURM_ARRAY_TASK_ID, 0 for a plain job
    std::string job;         // "<array job id>_<task>" or the job id
    std::string node;        // SLURMD_NODENAME
};
JobIdentity identity_from_environment();

// Makes the runs of `identity.task`; returns 0, or 130 when SIGTERM (scancel,
// the time limit) stopped it. Throws std::runtime_error for a broken manifest.
int run_job_task(const JobManifest& manifest, const JobIdentity& identity, PluginRegistry& registry,
                 const std::atomic<bool>& interrupt, std::ostream& log);

}  // namespace platbench::slurm
