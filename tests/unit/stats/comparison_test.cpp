// Ratio of means with its interval on the log scale, relative performance, Welch's
// t-test and the verdict, against published values, values computed independently
// (the t quantile by bisection of the regularized incomplete beta function, in a
// separate script), and the interval's coverage on synthetic data.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "stats/comparison.hpp"

using namespace platbench;

namespace {

// Welch's t-test, example 1 of its Wikipedia article (t = -2.46, df = 24.99, p = 0.021).
const std::vector<double> kSampleA = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
                                      21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
const std::vector<double> kSampleB = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
                                      24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};

}  // namespace

TEST_CASE("Welch's t-test matches the published example") {
    const WelchTest test = welch_t_test(kSampleA, kSampleB);
    CHECK(test.t == doctest::Approx(-2.455356398).epsilon(1e-9));
    CHECK(test.degrees_of_freedom == doctest::Approx(24.98852929).epsilon(1e-9));
    CHECK(test.p_value == doctest::Approx(0.0213780015).epsilon(1e-6));
    // Swapping the sides flips the sign only.
    const WelchTest swapped = welch_t_test(kSampleB, kSampleA);
    CHECK(swapped.t == doctest::Approx(-test.t));
    CHECK(swapped.p_value == doctest::Approx(test.p_value));
}

TEST_CASE("Welch's t-test without spread, and with too few samples") {
    const std::vector<double> same = {5, 5, 5}, higher = {6, 6, 6}, one = {5};
    const WelchTest equal = welch_t_test(same, same);
    CHECK(equal.t == 0);
    CHECK(equal.p_value == 1);
    const WelchTest apart = welch_t_test(higher, same);
    CHECK(std::isinf(apart.t));
    CHECK(apart.t > 0);
    CHECK(apart.p_value == 0);
    CHECK(std::isnan(welch_t_test(one, same).p_value));
    CHECK(std::isnan(welch_t_test(same, one).t));
}

TEST_CASE("the ratio's interval on the log scale matches values computed independently") {
    const std::vector<double> platform = {10, 11, 12}, baseline = {20, 21, 19, 20};
    const RatioEstimate estimate = ratio_of_means(platform, baseline);
    REQUIRE(estimate.bounded);
    CHECK(estimate.ratio == doctest::Approx(0.55));
    // Relative variances 1/363 and 1/2400, Welch's df 2.61093, t 3.46830: exp(ln 0.55 -+ t * se).
    CHECK(estimate.ci.low == doctest::Approx(0.452414011).epsilon(1e-7));
    CHECK(estimate.ci.high == doctest::Approx(0.668635349).epsilon(1e-7));
    // Lower is better (a time): relative performance is the inverse, its interval inverted and swapped.
    const RatioEstimate relative = relative_performance(estimate, Better::Lower);
    CHECK(relative.ratio == doctest::Approx(1.818181818));
    CHECK(relative.ci.low == doctest::Approx(1.495583506).epsilon(1e-7));
    CHECK(relative.ci.high == doctest::Approx(2.210364791).epsilon(1e-7));
    CHECK(relative_performance(estimate, Better::Higher).ratio == estimate.ratio);
}

TEST_CASE("the interval of a ratio of positive means never reaches 0 or below: positive, or none where a mean's own reaches 0") {
    // A noisy platform whose mean is still clearly above 0: a bounded, positive interval.
    const std::vector<double> noisy = {5, 15, 8, 14}, baseline = {10, 11, 9, 10};
    const RatioEstimate estimate = ratio_of_means(noisy, baseline);
    REQUIRE(estimate.bounded);
    CHECK(estimate.ci.low > 0);
    CHECK(estimate.ci.low < estimate.ratio);
    CHECK(estimate.ratio < estimate.ci.high);
    // On the log scale the interval is symmetric around the ratio.
    CHECK(std::log(estimate.ci.high) - std::log(estimate.ratio) ==
          doctest::Approx(std::log(estimate.ratio) - std::log(estimate.ci.low)));
    // Fieller's interval for these was [-1.6, 10.3]-like, a negative bound for a ratio of positive
    // figures: the platform mean's own interval (14.5 +- 23.9) reaches 0, so no interval is given.
    const std::vector<double> wild = {1, 30, 2, 25};
    const RatioEstimate unbounded = ratio_of_means(wild, baseline);
    CHECK(unbounded.ratio == doctest::Approx(14.5 / 10));
    CHECK_FALSE(unbounded.bounded);
    CHECK(std::isnan(unbounded.ci.low));
    CHECK_FALSE(relative_performance(unbounded, Better::Lower).bounded);
    // A baseline without spread gives the platform mean's own relative spread.
    const std::vector<double> fixed = {4, 4, 4};
    const RatioEstimate scaled = ratio_of_means(std::vector<double>{101, 97, 105, 99}, fixed);
    CHECK(scaled.ratio == doctest::Approx(100.5 / 4));
}

TEST_CASE("means that are not positive, or fewer than two runs, give no interval") {
    const std::vector<double> platform = {1, 2, 3}, near_zero = {-1, 1, 0.5}, negative = {-3, -2};
    CHECK_FALSE(ratio_of_means(platform, near_zero).bounded);
    CHECK(std::isnan(ratio_of_means(platform, near_zero).ci.low));
    CHECK_FALSE(ratio_of_means(negative, platform).bounded);
    CHECK(std::isnan(ratio_of_means(std::vector<double>{1}, platform).ratio));
}

TEST_CASE("on synthetic data with a known ratio of 0.8 the 95% interval covers it about 95% of the time") {
    std::mt19937_64 generator(2014);
    std::normal_distribution<double> platform_noise(80, 6), baseline_noise(100, 5);
    int covered = 0, bounded = 0;
    const int trials = 2000;
    for (int trial = 0; trial < trials; ++trial) {
        std::vector<double> platform(5), baseline(5);
        for (double& x : platform) x = platform_noise(generator);
        for (double& x : baseline) x = baseline_noise(generator);
        const RatioEstimate estimate = ratio_of_means(platform, baseline);
        if (!estimate.bounded) continue;
        ++bounded;
        covered += estimate.ci.low <= 0.8 && 0.8 <= estimate.ci.high;
    }
    CHECK(bounded == trials);
    const double coverage = static_cast<double>(covered) / bounded;
    CHECK(coverage > 0.93);
    CHECK(coverage < 0.97);
}

TEST_CASE("the verdict follows the metric's better direction") {
    const std::vector<double> low = {10, 11, 9, 10.5, 9.5}, high = {20, 21, 19, 20.5, 19.5};
    CHECK(compare_samples(high, low, Better::Higher) == Verdict::Faster);   // more bandwidth
    CHECK(compare_samples(low, high, Better::Higher) == Verdict::Slower);
    CHECK(compare_samples(high, low, Better::Lower) == Verdict::Slower);    // more latency
    CHECK(compare_samples(low, high, Better::Lower) == Verdict::Faster);
    CHECK(compare_samples(high, low, Better::None) == Verdict::Higher);
    CHECK(compare_samples(low, high, Better::None) == Verdict::Lower);
    CHECK(compare_samples(kSampleA, kSampleB, Better::Higher) == Verdict::Slower);  // p = 0.021
    CHECK(compare_samples(kSampleA, kSampleB, Better::Higher, 0.01) == Verdict::NoSignificantDifference);
    CHECK(compare_samples(low, std::vector<double>{10}, Better::Higher) == Verdict::TooFewRuns);
    CHECK(verdict_text(Verdict::NoSignificantDifference) == "no significant difference");
    CHECK(verdict_text(Verdict::Faster) == "faster");
}

TEST_CASE("Holm's adjustment matches values computed independently, and leaves NaN out of the family") {
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
    const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
    const std::vector<double> adjusted = holm_adjusted(p);
    REQUIRE(adjusted.size() == 4);
    CHECK(adjusted[0] == doctest::Approx(0.03));
    CHECK(adjusted[1] == doctest::Approx(0.06));
    CHECK(adjusted[2] == doctest::Approx(0.06));
    CHECK(adjusted[3] == doctest::Approx(0.02));
    // A family of one is unchanged; NaN is no member; adjusted values stop at 1.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> with_nan = holm_adjusted(std::vector<double>{0.2, nan, 0.6});
    CHECK(with_nan[0] == doctest::Approx(0.4));
    CHECK(std::isnan(with_nan[1]));
    CHECK(with_nan[2] == doctest::Approx(0.6));
    CHECK(holm_adjusted(std::vector<double>{0.04})[0] == doctest::Approx(0.04));
    CHECK(holm_adjusted(std::vector<double>{0.9, 0.8})[1] == 1.0);
    CHECK(verdict_for(0.06, 2.0, Better::Higher) == Verdict::NoSignificantDifference);
    CHECK(verdict_for(0.02, -2.0, Better::Higher) == Verdict::Slower);
    CHECK(verdict_for(nan, 1.0, Better::Lower) == Verdict::TooFewRuns);
}
