#include "hpl_rules.hpp"

#include <cmath>
#include <limits>

namespace platbench::hpl {

double scaled_residual(const ResidualNorms& norms, int n) {
    const double eps = std::numeric_limits<double>::epsilon() / 2;
    const double scale = eps * (norms.a_inf * norms.x_inf + norms.b_inf) * static_cast<double>(n);
    if (!std::isfinite(norms.residual_inf) || !std::isfinite(scale)) return std::numeric_limits<double>::infinity();
    return scale > 0 ? norms.residual_inf / scale : std::numeric_limits<double>::infinity();
}

double linpack_flops(int n) {
    const double size = static_cast<double>(n);
    return 2.0 / 3.0 * size * size * size + 2.0 * size * size;
}

}  // namespace platbench::hpl
