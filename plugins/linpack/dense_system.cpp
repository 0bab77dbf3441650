#include "dense_system.hpp"

#include <algorithm>
#include <cmath>

#include <tbb/blocked_range.h>
#include <tbb/combinable.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace platbench::linpack {
namespace {

// SplitMix64's finaliser: a well-mixed 64-bit value from a counter.
std::uint64_t mix(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

}  // namespace

double system_element(std::uint64_t seed, std::uint64_t row, std::uint64_t column) {
    const std::uint64_t bits = mix(mix(seed) ^ mix((row << 32) ^ column ^ 0x5bd1e995ull));
    return static_cast<double>(bits >> 11) * 0x1.0p-53 - 0.5;  // 53 random bits in [0, 1), shifted
}

void fill_system(std::uint64_t seed, int n, std::vector<double>& a, std::vector<double>& b, int threads) {
    const auto size = static_cast<std::size_t>(n);
    a.assign(size * size, 0.0);
    b.assign(size, 0.0);
    tbb::task_arena arena(threads);
    arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<int>(0, n), [&](const tbb::blocked_range<int>& columns) {
            for (int j = columns.begin(); j != columns.end(); ++j) {
                double* column = a.data() + static_cast<std::size_t>(j) * size;
                for (int i = 0; i < n; ++i) column[i] = system_element(seed, i, j);
            }
        });
    });
    for (int i = 0; i < n; ++i) b[static_cast<std::size_t>(i)] = system_element(seed, i, n);
}

ResidualNorms residual_norms(std::uint64_t seed, int n, const std::vector<double>& x, int threads) {
    struct RowMaxima {
        double residual = 0, a_row_sum = 0, b = 0;
    };
    tbb::combinable<RowMaxima> maxima;
    tbb::task_arena arena(threads);
    arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<int>(0, n), [&](const tbb::blocked_range<int>& rows) {
            RowMaxima& local = maxima.local();
            for (int i = rows.begin(); i != rows.end(); ++i) {
                double ax = 0, row_sum = 0;
                for (int j = 0; j < n; ++j) {
                    const double a = system_element(seed, i, j);
                    ax += a * x[static_cast<std::size_t>(j)];
                    row_sum += std::fabs(a);
                }
                const double b = system_element(seed, i, n);
                local.residual = std::max(local.residual, std::fabs(ax - b));
                local.a_row_sum = std::max(local.a_row_sum, row_sum);
                local.b = std::max(local.b, std::fabs(b));
            }
        });
    });
    ResidualNorms norms;
    maxima.combine_each([&](const RowMaxima& m) {
        norms.residual_inf = std::max(norms.residual_inf, m.residual);
        norms.a_inf = std::max(norms.a_inf, m.a_row_sum);
        norms.b_inf = std::max(norms.b_inf, m.b);
    });
    for (const double value : x) norms.x_inf = std::max(norms.x_inf, std::fabs(value));
    return norms;
}

}  // namespace platbench::linpack
