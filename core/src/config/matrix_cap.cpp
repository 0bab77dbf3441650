// The checker's cap on the matrix: cells and planned runs (config/limits.hpp).
#include "config/combinations.hpp"
#include "config/experiment_checker.hpp"
#include "config/limits.hpp"

namespace platbench::experiment_checking {

void ExperimentChecker::check_matrix_size(const ExperimentConfig& config) {
    if (!errors_.empty()) return;  // sizes of a broken file mean little
    const std::size_t cells = matrix_size(config);
    if (cells > kMaxCells) {
        add(kStartOfFile, "the matrix has " + std::to_string(cells) + " cells, more than " + std::to_string(kMaxCells),
            "was a list given where a single value was meant?");
        return;
    }
    const std::size_t runs_per_cell = static_cast<std::size_t>(config.repetitions + config.warmup);
    if (cells * runs_per_cell > kMaxRuns) {
        add(kStartOfFile, "the experiment plans " + std::to_string(cells * runs_per_cell) + " runs, more than " +
                              std::to_string(kMaxRuns),
            "lower repetitions: or warmup:, or split the matrix into several experiments");
    }
}

}  // namespace platbench::experiment_checking
