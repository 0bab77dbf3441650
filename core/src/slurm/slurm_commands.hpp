// Slurm's command-line tools as platbench uses them: sbatch to submit, scontrol
// to ask how jobs are doing, scancel to stop them. Every command is an argument
// vector (no shell), and everything Slurm prints is parsed defensively.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/experiment.hpp"

namespace platbench::slurm {

struct SubmitRequest {
    std::string job_name;
    SlurmPlacement placement;      // nodes: one node (--nodelist); see `exclude` for several
    std::string exclude;           // --exclude: the nodes outside a placement of several nodes
    bool exclusive = true;
    int array_tasks = 0;           // > 0: a job array of tasks 0..n-1
    std::string output_pattern;    // --output, e.g. /spool/logs/%A_%a.out
    std::string comment;           // --comment: which experiment the job belongs to
    std::string script;            // the batch script's path
};

// sbatch's argument vector (without the program): --parsable, Slurm's own
// requeueing off (platbench decides what runs again), the placement, the array.
std::vector<std::string> sbatch_arguments(const SubmitRequest& request);

// --nodelist asks for all the nodes listed in one job; a placement of several
// nodes means "any of these", which Slurm says as "not the others". The others of
// `all_nodes` (both as `scontrol show hostnames` prints them, one per line), as
// a comma-separated list; empty when none.
std::string nodes_to_exclude(const std::vector<std::string>& placement_nodes, const std::vector<std::string>& all_nodes);

// The job id in `sbatch --parsable`'s output ("123" or "123;cluster"), or nullopt.
std::optional<std::string> parse_submitted_job_id(const std::string& output);

// "H:MM:SS" for --time, rounded up to whole seconds.
std::string time_limit_text(double seconds);

// One job, or one task of a job array, as `scontrol show job -o` describes it.
// A pending array whose tasks are not split yet is one line with several tasks.
struct JobState {
    std::string job_id;            // JobId (a task's own id)
    std::string array_job_id;      // ArrayJobId, or JobId for a plain job
    std::vector<int> array_tasks;  // ArrayTaskId expanded ("1-3,5" -> 1,2,3,5); empty for a plain job
    std::string state;             // JobState: PENDING, RUNNING, COMPLETED, FAILED, NODE_FAIL, ...
    std::string reason;            // Reason
    std::string nodes;             // NodeList
    std::string exit_code;         // ExitCode "0:0"

    bool ended() const;            // a final state: the job will not run (again) by itself
    // Pending for a reason that will not go away by waiting (a node down, a
    // constraint no node has): the job will never start.
    bool stuck() const;
};

std::vector<JobState> parse_show_job(const std::string& output);

// "1-3,5,7-8%2" -> 1,2,3,5,7,8. Empty on anything else.
std::vector<int> expand_task_ranges(const std::string& text);

}  // namespace platbench::slurm
