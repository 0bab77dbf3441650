// STUB: to be implemented.
#include "matrix/matrix.hpp"
namespace platbench {
std::vector<Cell> expand_matrix(const ExperimentConfig&) { throw std::logic_error("not implemented"); }
std::size_t matrix_size(const ExperimentConfig&) { throw std::logic_error("not implemented"); }
std::string PlannedRun::key(const Cell&) const { throw std::logic_error("not implemented"); }
std::vector<PlannedRun> plan_runs(const std::vector<Cell>&, const ExperimentConfig&) { throw std::logic_error("not implemented"); }
}  // namespace platbench
