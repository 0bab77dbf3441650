// Adaptive repetitions: how narrow each cell's 95% interval is, relative to its
// mean, for the metric that decides. The engine repeats the cells that are not
// there yet; the validity checks flag those that never got there.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "matrix/matrix.hpp"
#include "store/result_store.hpp"

namespace platbench {

struct CellConvergence {
    std::string metric;                  // the deciding metric ("" when the cell has no successful run)
    std::size_t n = 0;                   // its measured, successful samples
    double relative_half_width = 0;      // the 95% interval's half-width / |mean|; NaN with n < 2
    bool converged = false;              // relative_half_width <= target
};

// Per cell id. `metric` empty: each cell's first metric with a better direction
// whose mean is not 0 (a write job's read metrics are all 0).
std::map<std::string, CellConvergence> cell_convergence(const std::vector<RunRecord>& runs, const std::string& metric,
                                                        double target_fraction);

// The cells (indices into `cells`) whose interval is still wider than the target,
// for the next adaptive round. A cell without a successful run cannot narrow:
// more of its failures help no one, so it is left out.
std::vector<std::size_t> cells_still_wide(const std::vector<Cell>& cells, const std::vector<RunRecord>& runs,
                                          const std::string& metric, double target_fraction);

}  // namespace platbench
