// A run record as JSON: how `platbench export --format json` writes runs, and how
// a Slurm job on a compute node hands a run to the head (a file in the spool
// directory). Reading is defensive: a spool file sits on shared storage.
#pragma once

#include <nlohmann/json.hpp>

#include "store/result_store.hpp"

namespace platbench {

nlohmann::json run_to_json(const RunRecord& run);

// The record in `json` (as run_to_json writes it). Throws std::runtime_error
// naming the field that is missing or of the wrong type.
RunRecord run_from_json(const nlohmann::json& json);

}  // namespace platbench
