#include "config/key_tables.hpp"

#include "config/limits.hpp"

namespace platbench::experiment_checking {

// The experiment file's scalar keys.
const ParamTable& experiment_key_table() {
    static const ParamTable table = {
        ParamSpec{
            .name = "experiment",
            .type = ParamType::String,
            .help = "name of the experiment: [A-Za-z0-9_.-]+"},
        ParamSpec{
            .name = "description",
            .type = ParamType::String,
            .help = "free text"},
        ParamSpec{
            .name = "repetitions",
            .type = ParamType::Integer,
            .default_value = "3",
            .help = "measured runs per cell",
            .min = 1,
            .max = kMaxRepetitions},
        ParamSpec{
            .name = "warmup",
            .type = ParamType::Integer,
            .default_value = "0",
            .help = "discarded runs per cell before the measured ones",
            .min = 0,
            .max = kMaxWarmup},
        ParamSpec{
            .name = "output",
            .type = ParamType::String,
            .help = "results directory (default results/<experiment>)"},
        ParamSpec{
            .name = "timeout",
            .type = ParamType::Duration,
            .default_value = "600",
            .help = "per-run time limit",
            .real_min = 0.001},
        ParamSpec{
            .name = "order",
            .type = ParamType::Choice,
            .default_value = "interleaved",
            .help = "interleaved: round after round, every cell once per round in a random order, so that drift "
                   "of the machine is not mistaken for a platform difference; sequential: cell after cell",
            .choices = {"interleaved", "sequential"}},
        ParamSpec{
            .name = "baseline",
            .type = ParamType::String,
            .help = "the platform (its name:) every other platform is compared with (default: the first platform "
                   "whose plugin is bare metal: `platbench plugins` marks it as the default baseline)"},
        ParamSpec{
            .name = "target_ci",
            .type = ParamType::Real,
            .unit = "%",
            .help = "adaptive repetitions: repeat a cell until the half-width of its 95% interval is below this "
                   "percentage of its mean (repetitions: is then the minimum)",
            .real_min = 0.01,
            .real_max = 100},
        ParamSpec{
            .name = "max_repetitions",
            .type = ParamType::Integer,
            .help = "adaptive repetitions: at most this many measured runs per cell (default: 10 x repetitions)",
            .min = 1,
            .max = kMaxRepetitions},
        ParamSpec{
            .name = "budget",
            .type = ParamType::Duration,
            .help = "adaptive repetitions: stop adding runs after this long since the start (default: no limit)",
            .real_min = 1},
        ParamSpec{
            .name = "target_metric",
            .type = ParamType::String,
            .help = "adaptive repetitions: the metric that decides (default: each cell's first metric with a better "
                   "direction)"},
        ParamSpec{
            .name = "executor",
            .type = ParamType::Choice,
            .default_value = "local",
            .help = "local: platbench runs the matrix on this machine; slurm: each cell becomes a Slurm job on the "
                   "cluster's nodes (settings under slurm:)",
            .choices = {"local", "slurm"}},
        ParamSpec{
            .name = "seed",
            .type = ParamType::Integer,
            .help = "seed of the interleaved order, to repeat an experiment's order (default: a new one, recorded)",
            .min = 0,
            .max = 9'007'199'254'740'991},
    };
    return table;
}

// Where Slurm runs a job: the keys of `slurm:` and of each of its `platforms:` entries.
const ParamTable& slurm_placement_table() {
    static const ParamTable table = {
        ParamSpec{
            .name = "partition",
            .type = ParamType::String,
            .help = "Slurm partition (--partition)"},
        ParamSpec{
            .name = "account",
            .type = ParamType::String,
            .help = "Slurm account (--account)"},
        ParamSpec{
            .name = "nodes",
            .type = ParamType::String,
            .help = "the nodes to run on (--nodelist), e.g. n1 or n[1-2]"},
        ParamSpec{
            .name = "constraint",
            .type = ParamType::String,
            .help = "node features required (--constraint), e.g. docker"},
        ParamSpec{
            .name = "time_limit",
            .type = ParamType::Duration,
            .unit = "s",
            .help = "time limit of each job (--time)",
            .real_min = 1},
    };
    return table;
}

// `slurm:` keys that are not placements.
const ParamTable& slurm_job_table() {
    static const ParamTable table = {
        ParamSpec{
            .name = "exclusive",
            .type = ParamType::Bool,
            .default_value = "true",
            .help = "a node runs one job at a time (--exclusive), so that two benchmarks never share one"},
        ParamSpec{
            .name = "job_per",
            .type = ParamType::Choice,
            .default_value = "cell",
            .help = "cell: one job runs all the runs of a cell; run: one job per run",
            .choices = {"cell", "run"}},
        ParamSpec{
            .name = "requeue",
            .type = ParamType::Integer,
            .default_value = "0",
            .help = "submit a job again this many times when it ends without its results (node failure, time limit)",
            .min = 0,
            .max = 100},
        ParamSpec{
            .name = "spool",
            .type = ParamType::String,
            .help = "directory on storage shared by this machine and the nodes, where jobs leave their results "
                   "(default: <output>/slurm-spool)"},
        ParamSpec{
            .name = "poll_interval",
            .type = ParamType::Duration,
            .default_value = "1",
            .unit = "s",
            .help = "how often the cluster is asked",
            .real_min = 0.1,
            .real_max = 60},
    };
    return table;
}

// Every top-level key, in the order they are documented.
const std::vector<std::string>& top_level_keys() {
    static const std::vector<std::string> keys = {"experiment", "description", "repetitions", "warmup",
                                                  "output",     "timeout",     "order",       "seed",
                                                  "baseline",   "target_ci",   "max_repetitions", "budget",
                                                  "target_metric", "executor", "slurm",
                                                  "plugin_path", "platforms",  "workloads"};
    return keys;
}

}  // namespace platbench::experiment_checking
