// `platbench export --aggregate`: one row per experiment, cell and metric with its
// statistics and its comparison with the baseline, for spreadsheets and pandas.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>

#include "store/result_store.hpp"

namespace platbench {

// Columns: experiment_id, experiment, cell, platform, workload, metric, unit,
// better, n, mean, median, stddev, cv, ci95_low, ci95_high, min, max, outliers,
// baseline_cell, ratio, ratio_ci95_low, ratio_ci95_high (on the log scale), p_value, verdict,
// relative_performance (higher is better), relative_ci95_low, relative_ci95_high, p_holm.
// Measured runs that succeeded only; empty fields where a figure does not exist.
void export_aggregated_csv(ResultStore& store, std::optional<std::int64_t> experiment_id, std::ostream& out);

}  // namespace platbench
