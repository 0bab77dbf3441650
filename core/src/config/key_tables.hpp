// The keys an experiment file may hold, as parameter tables: parsed, checked and
// reported exactly like plugin parameters.
#pragma once

#include <string>
#include <vector>

#include "platbench/params.hpp"

namespace platbench::experiment_checking {

// The experiment file's scalar keys.
const ParamTable& experiment_key_table();
// Where Slurm runs a job: the keys of `slurm:` and of each of its `platforms:` entries.
const ParamTable& slurm_placement_table();
// `slurm:` keys that are not placements.
const ParamTable& slurm_job_table();
// Every top-level key, in the order they are documented.
const std::vector<std::string>& top_level_keys();

}  // namespace platbench::experiment_checking
