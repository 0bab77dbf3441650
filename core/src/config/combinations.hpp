// The combinations of one platform or workload entry: every list-valued setting
// is a dimension, the last one varying fastest. Shared by validation (each
// combination is shown to the plugin's validate(), the matrix's size is capped)
// and by matrix expansion, which depends on config/, never the other way round.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "config/experiment.hpp"

namespace platbench {

std::size_t saturating_add(std::size_t a, std::size_t b);
std::size_t saturating_multiply(std::size_t a, std::size_t b);

// Product of the sizes of the entry's lists (1 when it has none).
std::size_t combination_count(const PluginInstanceConfig& instance);

struct Combination {
    ParamValues values;  // effective: every default written in
    std::string label;   // list settings only, as written: "threads:2/nontemporal:true"; "" without lists
};

// Calls `visit` for the first `limit` combinations, in order.
void for_each_combination(const PluginInstanceConfig& instance, std::size_t limit,
                          const std::function<void(const ParamValues&, const std::string&)>& visit);

// Every combination, in order.
std::vector<Combination> combinations(const PluginInstanceConfig& instance);

// Number of cells of the experiment's matrix (every platform combination times
// every workload combination) without building them; saturates rather than overflows.
std::size_t matrix_size(const ExperimentConfig& config);

}  // namespace platbench
