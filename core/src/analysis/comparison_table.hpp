// The end-of-run comparison with the baseline platform: for every cell of another
// platform and every metric with a better direction, the ratio of its mean to the
// mean of the baseline's cell running the same workload with the same parameters,
// the 95% interval of that ratio (on the log scale: always positive), the relative
// performance (higher is better), Welch's p and the verdict.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "stats/comparison.hpp"
#include "store/result_store.hpp"

namespace platbench {

struct ComparisonRow {
    std::string cell_id;            // the compared platform's cell
    std::string baseline_cell_id;
    std::string metric;
    std::string unit;
    Better better = Better::None;
    std::size_t n = 0, baseline_n = 0;
    RatioEstimate ratio;            // mean / baseline mean, its 95% interval on the log scale
    RatioEstimate relative;         // relative performance: higher is better (time and latency ratios inverted)
    double p_value = 0;             // Welch's, for this metric alone
    double p_adjusted = 0;          // Holm's adjustment over the metrics compared in this cell
    Verdict verdict = Verdict::TooFewRuns;  // from p_adjusted
};

struct BaselineComparison {
    std::string baseline;                 // the baseline platform instance
    std::vector<ComparisonRow> rows;
    std::vector<std::string> notes;       // cells that could not be compared, and why
};

// Measured, successful runs only. Each cell's metrics are one family: their
// p-values are adjusted by Holm's method and the verdicts taken from those.
// A cell is compared with the baseline cell whose
// workload instance and effective parameters are the same; when the baseline has
// several such cells (a list in its own settings), the cell is left out with a note.
BaselineComparison compare_with_baseline(const std::vector<RunRecord>& runs, const std::string& baseline);

// Two experiments cell by cell (`platbench compare A B`): each cell of `after` with
// the cell of the same id in `before`, which plays the baseline, named `before_name`.
// A pair whose platform or workload settings differ is not compared: a note names
// each differing setting, `before`'s value first.
BaselineComparison compare_experiments(const std::vector<RunRecord>& before, const std::vector<RunRecord>& after,
                                       const std::string& before_name);

void print_comparison(const BaselineComparison& comparison, std::ostream& out);

// A p-value as the tables show it: "0.021", "<0.001", "-" for none.
std::string p_value_text(double p);

}  // namespace platbench
