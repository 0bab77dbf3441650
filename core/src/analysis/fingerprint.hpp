// What a run's figures depend on besides the platform itself: the comparability
// fingerprint. Two experiments whose fingerprints differ measured different things,
// and `platbench compare` says so before anyone reads its ratios.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/result_store.hpp"

namespace platbench {

// Keys present where known: kernel, cpu_model, cpu_governor, transparent_hugepages
// (the host, from the experiment), and what the platform's plugin declared
// identifies it: metadata (runtime versions, image, accelerator, guest kernel) and
// settings (disk cache mode, storage), as recorded with the experiment (PluginTraits).
nlohmann::json run_fingerprint(const ExperimentRecord& experiment, const RunRecord& run);

// "ctr: server_version 20.10.24 -> 24.0.5" per key that differs between
// the fingerprints of the same platform instance in the two experiments.
std::vector<std::string> fingerprint_differences(const ExperimentRecord& before, const std::vector<RunRecord>& before_runs,
                                                 const ExperimentRecord& after, const std::vector<RunRecord>& after_runs);

}  // namespace platbench
