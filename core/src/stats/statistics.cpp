// STUB: to be implemented.
#include "stats/statistics.hpp"
#include <stdexcept>
namespace platbench {
double mean(std::span<const double>) { throw std::logic_error("not implemented"); }
double median(std::span<const double>) { throw std::logic_error("not implemented"); }
double sample_stddev(std::span<const double>) { throw std::logic_error("not implemented"); }
double minimum(std::span<const double>) { throw std::logic_error("not implemented"); }
double maximum(std::span<const double>) { throw std::logic_error("not implemented"); }
Summary summarize(std::span<const double>) { throw std::logic_error("not implemented"); }
}  // namespace platbench
