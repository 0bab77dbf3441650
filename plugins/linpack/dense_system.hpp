// The dense random system Ax = b that linpack solves, and HPL's check of the
// answer. A and b are a pure function of (seed, row, column), as in HPL, which
// regenerates A to check x instead of keeping a copy: the check needs no second
// n x n matrix, so the largest problem that fits is the one measured.
#pragma once

#include <cstdint>
#include <vector>

#include "hpl_rules.hpp"

namespace platbench::linpack {

// Element (row, column) of A, uniform in [-0.5, 0.5); column n is b.
double system_element(std::uint64_t seed, std::uint64_t row, std::uint64_t column);

// A (column-major, leading dimension n) and b, written by `threads` threads.
void fill_system(std::uint64_t seed, int n, std::vector<double>& a, std::vector<double>& b, int threads);

// The norms of HPL's check (hpl_rules.hpp), from x and A, b regenerated.
using hpl::ResidualNorms;
ResidualNorms residual_norms(std::uint64_t seed, int n, const std::vector<double>& x, int threads);

using hpl::kResidualThreshold;
using hpl::linpack_flops;
using hpl::scaled_residual;

}  // namespace platbench::linpack
