#include "config/key_tables.hpp"

#include "config/limits.hpp"

namespace platbench::experiment_checking {

// The experiment file's scalar keys.
const ParamTable& experiment_key_table() {
    static const ParamTable table = {
        make_param("experiment", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "name of the experiment: [A-Za-z0-9_.-]+"),
        make_param("description", ParamType::String, "", "", -kUnbounded, kUnbounded, "free text"),
        make_param("repetitions", ParamType::Integer, "3", "", 1, kMaxRepetitions, "measured runs per cell"),
        make_param("warmup", ParamType::Integer, "0", "", 0, kMaxWarmup,
                   "discarded runs per cell before the measured ones"),
        make_param("output", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "results directory (default results/<experiment>)"),
        make_param("timeout", ParamType::Duration, "600", "", 0.001, kUnbounded, "per-run time limit"),
        make_param("order", ParamType::Choice, "interleaved", "", -kUnbounded, kUnbounded,
                   "interleaved: round after round, every cell once per round in a random order, so that drift "
                   "of the machine is not mistaken for a platform difference; sequential: cell after cell",
                   {"interleaved", "sequential"}),
        make_param("baseline", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "the platform (its name:) every other platform is compared with (default: the first platform "
                   "whose plugin is bare metal: `platbench plugins` marks it as the default baseline)"),
        make_param("target_ci", ParamType::Real, "", "%", 0.01, 100,
                   "adaptive repetitions: repeat a cell until the half-width of its 95% interval is below this "
                   "percentage of its mean (repetitions: is then the minimum)"),
        make_param("max_repetitions", ParamType::Integer, "", "", 1, kMaxRepetitions,
                   "adaptive repetitions: at most this many measured runs per cell (default: 10 x repetitions)"),
        make_param("budget", ParamType::Duration, "", "", 1, kUnbounded,
                   "adaptive repetitions: stop adding runs after this long since the start (default: no limit)"),
        make_param("target_metric", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "adaptive repetitions: the metric that decides (default: each cell's first metric with a better "
                   "direction)"),
        make_param("executor", ParamType::Choice, "local", "", -kUnbounded, kUnbounded,
                   "local: platbench runs the matrix on this machine; slurm: each cell becomes a Slurm job on the "
                   "cluster's nodes (settings under slurm:)",
                   {"local", "slurm"}),
        make_param("seed", ParamType::Integer, "", "", 0, 9007199254740991.0,
                   "seed of the interleaved order, to repeat an experiment's order (default: a new one, recorded)"),
    };
    return table;
}

// Where Slurm runs a job: the keys of `slurm:` and of each of its `platforms:` entries.
const ParamTable& slurm_placement_table() {
    static const ParamTable table = {
        make_param("partition", ParamType::String, "", "", -kUnbounded, kUnbounded, "Slurm partition (--partition)"),
        make_param("account", ParamType::String, "", "", -kUnbounded, kUnbounded, "Slurm account (--account)"),
        make_param("nodes", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "the nodes to run on (--nodelist), e.g. n1 or n[1-2]"),
        make_param("constraint", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "node features required (--constraint), e.g. docker"),
        make_param("time_limit", ParamType::Duration, "", "s", 1, kUnbounded, "time limit of each job (--time)"),
    };
    return table;
}

// `slurm:` keys that are not placements.
const ParamTable& slurm_job_table() {
    static const ParamTable table = {
        make_param("exclusive", ParamType::Bool, "true", "", -kUnbounded, kUnbounded,
                   "a node runs one job at a time (--exclusive), so that two benchmarks never share one"),
        make_param("job_per", ParamType::Choice, "cell", "", -kUnbounded, kUnbounded,
                   "cell: one job runs all the runs of a cell; run: one job per run",
                   {"cell", "run"}),
        make_param("requeue", ParamType::Integer, "0", "", 0, 100,
                   "submit a job again this many times when it ends without its results (node failure, time limit)"),
        make_param("spool", ParamType::String, "", "", -kUnbounded, kUnbounded,
                   "directory on storage shared by this machine and the nodes, where jobs leave their results "
                   "(default: <output>/slurm-spool)"),
        make_param("poll_interval", ParamType::Duration, "1", "s", 0.1, 60, "how often the cluster is asked"),
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
