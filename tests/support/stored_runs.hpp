// Every run stored in a results directory, over all its experiments.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/result_store.hpp"

namespace test {

inline std::vector<platbench::RunRecord> stored_runs(const std::filesystem::path& results) {
    auto store = platbench::ResultStore::open_existing(results);
    std::vector<platbench::RunRecord> all;
    for (const auto& experiment : store->experiments()) {
        auto runs = store->runs(experiment.id);
        all.insert(all.end(), runs.begin(), runs.end());
    }
    return all;
}

// A stored run's metric `name`; fails the test when the run has none.
inline double stored_metric(const platbench::RunRecord& run, const std::string& name) {
    for (const platbench::Metric& m : run.metrics)
        if (m.name == name) return m.value;
    FAIL("no metric " << name);
    return 0;
}

}  // namespace test
