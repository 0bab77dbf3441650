// Every run stored in a results directory, over all its experiments.
#pragma once

#include <filesystem>
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

}  // namespace test
