// `executor: slurm`: the experiment's cells become Slurm jobs, one job array per
// platform (each platform's placement: its nodes, constraint, partition, ...),
// one array task per cell (or per run with `job_per: run`). Jobs run
// `platbench slurm-job` on the nodes, which leave each run's record in the spool;
// this process, the head, ingests them into the results database as they come,
// shows what is queued, running, done and failed, per cell and per node, and
// fails the runs of jobs that end without them with Slurm's reason (or submits
// them again, `requeue:` times). The jobs it submitted are listed in the spool,
// so `--resume` after the head was killed re-attaches to those still queued or
// running instead of submitting them again. Ctrl-C cancels them (scancel).
#pragma once

#include "config/experiment.hpp"
#include "engine/engine.hpp"

namespace platbench::slurm {

EngineReport run_experiment_on_slurm(const ExperimentConfig& config, const EngineOptions& options);

}  // namespace platbench::slurm
