// HPL's rules, shared by linpack and by hpcc's reading of HPL's output, so that
// both rate and check a solve the same way.
#pragma once

namespace platbench::hpl {

// The norms HPL's check needs.
struct ResidualNorms {
    double residual_inf = 0;  // ||Ax - b||_inf
    double a_inf = 0;         // ||A||_inf (largest row sum of |a_ij|)
    double x_inf = 0;
    double b_inf = 0;
};

// HPL's scaled residual ||Ax - b||_inf / (eps * (||A||_inf ||x||_inf + ||b||_inf) * n),
// eps the unit roundoff (LAPACK's dlamch('E'), 2^-53), as HPL computes it;
// infinity when it cannot be computed.
double scaled_residual(const ResidualNorms& norms, int n);

// HPL's rule: a scaled residual below this is a correct solve.
inline constexpr double kResidualThreshold = 16.0;

// The operation count of the rate: 2/3 n^3 + 2 n^2 floating-point operations.
double linpack_flops(int n);

}  // namespace platbench::hpl
