// Comparing a platform's samples of a metric with the baseline's (native): the
// ratio of the means with its confidence interval, the relative performance, a
// test of the difference, and a verdict in words. Pure functions, checked
// against published and independently computed values.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "platbench/workload.hpp"
#include "stats/statistics.hpp"

namespace platbench {

// mean(platform) / mean(baseline) with its confidence interval on the log scale:
// log(mean_p / mean_b) has a variance of about v_p / mean_p^2 + v_b / mean_b^2
// (the delta method, v = s^2 / n), with Student's t at Welch-Satterthwaite's
// degrees of freedom; the bounds are exp(log ratio -+ t * se). Both bounds are
// positive, as those of a ratio of positive quantities must be (Fieller's
// interval, used before, showed negative lower bounds for noisy platforms).
// NaN everything with fewer than 2 samples on either side or a mean that is not
// positive, and no interval (NaN bounds, `bounded` false) where either mean's
// own interval reaches zero.
struct RatioEstimate {
    double ratio = 0;
    Interval ci;
    bool bounded = true;
};
RatioEstimate ratio_of_means(std::span<const double> platform, std::span<const double> baseline, double level = 0.95);

// The same as relative performance, higher is better: the ratio itself for a
// metric where higher is better, its inverse (interval inverted and swapped) where
// lower is better, so that 0.9 always means 10% worse than the baseline.
RatioEstimate relative_performance(const RatioEstimate& ratio, Better better);

// Welch's unequal-variance t-test, two-sided. With both variances 0, t is 0 (equal
// means, p 1) or infinite (p 0). NaN with fewer than 2 samples on either side.
struct WelchTest {
    double t = 0;
    double degrees_of_freedom = 0;
    double p_value = 0;
};
WelchTest welch_t_test(std::span<const double> platform, std::span<const double> baseline);

enum class Verdict {
    Faster,                   // significantly better than the baseline (by the metric's own "better")
    Slower,                   // significantly worse
    Higher,                   // significantly higher, for a metric without a better direction
    Lower,                    // significantly lower, likewise
    NoSignificantDifference,  // p >= alpha
    TooFewRuns,               // fewer than 2 samples on a side
};

// The verdict of the Welch test at `alpha`, in the direction the metric declares better.
Verdict compare_samples(std::span<const double> platform, std::span<const double> baseline, Better better,
                        double alpha = 0.05);

// The verdict for a p-value (adjusted for multiplicity, or not) and the sign of the
// difference (Welch's t), in the direction the metric declares better.
Verdict verdict_for(double p_value, double t, Better better, double alpha = 0.05);

// Holm's step-down adjustment of one family of p-values (the metrics compared in
// one cell): controls the chance of any false "faster"/"slower" in the family at
// alpha. NaN p-values are not in the family and stay NaN.
std::vector<double> holm_adjusted(std::span<const double> p_values);

// "faster", "slower", "higher", "lower", "no significant difference", "too few runs".
std::string verdict_text(Verdict verdict);

}  // namespace platbench
