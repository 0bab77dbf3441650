// linpack's random system and HPL's check of a solution, directly.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "cpu_peak.hpp"
#include "dense_system.hpp"
#include "openblas.hpp"

using namespace platbench::linpack;

namespace {

// x for the system of `seed` and order n, by OpenBLAS's LU.
std::vector<double> solved(std::uint64_t seed, int n) {
    std::vector<double> a, b;
    fill_system(seed, n, a, b, 2);
    std::vector<int> pivots(static_cast<std::size_t>(n));
    int info = 0;
    const int one = 1;
    dgetrf_(&n, &n, a.data(), &n, pivots.data(), &info);
    REQUIRE(info == 0);
    dgetrs_("N", &n, &one, a.data(), &n, pivots.data(), b.data(), &n, &info, 1);
    REQUIRE(info == 0);
    return b;
}

}  // namespace

TEST_CASE("the system is a function of seed, row and column, uniform from -0.5 up to 0.5") {
    CHECK(system_element(1, 3, 4) == system_element(1, 3, 4));
    CHECK(system_element(1, 3, 4) != system_element(2, 3, 4));
    CHECK(system_element(1, 3, 4) != system_element(1, 4, 3));
    double sum = 0, low = 1, high = -1;
    for (std::uint64_t i = 0; i < 100'000; ++i) {
        const double v = system_element(7, i % 300, i / 300);
        sum += v;
        low = std::min(low, v);
        high = std::max(high, v);
    }
    CHECK(low >= -0.5);
    CHECK(high < 0.5);
    CHECK(std::fabs(sum / 100'000) < 0.01);
    std::vector<double> a, b;
    fill_system(7, 5, a, b, 2);
    CHECK(a[2 * 5 + 3] == system_element(7, 3, 2));  // column-major
    CHECK(b[4] == system_element(7, 4, 5));           // b is column n
}

TEST_CASE("the scaled residual is HPL's formula") {
    // ||r|| = 1e-13, ||A|| = 3, ||x|| = 2, ||b|| = 1, n = 2: 1e-13 / (2^-53 * 7 * 2).
    const ResidualNorms norms{1e-13, 3, 2, 1};
    CHECK(scaled_residual(norms, 2) == doctest::Approx(1e-13 / (std::ldexp(1.0, -53) * 7 * 2)));
    CHECK(std::isinf(scaled_residual({NAN, 1, 1, 1}, 2)));
    CHECK(std::isinf(scaled_residual({1, 0, 0, 0}, 2)));
}

TEST_CASE("a known small system: the norms of an exact and of a wrong solution") {
    // The 1 x 1 system a x = b with x = b / a exactly has no residual.
    const double a = system_element(3, 0, 0), b = system_element(3, 0, 1);
    const ResidualNorms exact = residual_norms(3, 1, {b / a}, 1);
    CHECK(exact.a_inf == doctest::Approx(std::fabs(a)));
    CHECK(exact.b_inf == doctest::Approx(std::fabs(b)));
    CHECK(exact.residual_inf <= 1e-16);
    const ResidualNorms wrong = residual_norms(3, 1, {b / a + 1.0}, 1);
    CHECK(wrong.residual_inf == doctest::Approx(std::fabs(a)));
}

TEST_CASE("OpenBLAS's solution of a random system passes HPL's check, a perturbed one fails it") {
    const int n = 200;
    std::vector<double> x = solved(11, n);
    const double good = scaled_residual(residual_norms(11, n, x, 2), n);
    CHECK(good < kResidualThreshold);
    x[17] += 1e-6;
    const double bad = scaled_residual(residual_norms(11, n, x, 2), n);
    CHECK(bad > kResidualThreshold);
}

TEST_CASE("the operation count is HPL's 2/3 n^3 + 2 n^2") {
    CHECK(linpack_flops(1000) == doctest::Approx(2.0 / 3.0 * 1e9 + 2e6));
}

TEST_CASE("the ISA's FLOPs per cycle are those of the widest vector unit the CPU has") {
    const IsaThroughput isa = widest_isa_throughput();
    CHECK((isa.flops_per_cycle == 4 || isa.flops_per_cycle == 8 || isa.flops_per_cycle == 16 || isa.flops_per_cycle == 32));
    CHECK_FALSE(isa.isa.empty());
    std::string why_not;
    if (const auto peak = cpu_peak(2, 0, why_not)) {
        CHECK(peak->gflops > 0);
        CHECK(peak->derivation.find(isa.isa) != std::string::npos);
    } else {
        CHECK_FALSE(why_not.empty());
    }
}
