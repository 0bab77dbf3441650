#include "stats/comparison.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/distributions/students_t.hpp>

namespace platbench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Mean and variance of the mean (s^2 / n) of one side.
struct SideEstimate {
    double mean = 0, variance_of_mean = 0, n = 0;
};

SideEstimate side(std::span<const double> samples) {
    const double sd = sample_stddev(samples);
    return {platbench::mean(samples), sd * sd / static_cast<double>(samples.size()),
            static_cast<double>(samples.size())};
}

// Welch-Satterthwaite degrees of freedom of a sum of two independent variance terms.
double welch_satterthwaite(double term_a, double n_a, double term_b, double n_b) {
    const double denominator = term_a * term_a / (n_a - 1) + term_b * term_b / (n_b - 1);
    if (denominator == 0) return n_a + n_b - 2;  // no spread at all: any df gives the same answer
    return (term_a + term_b) * (term_a + term_b) / denominator;
}

double t_quantile(double level, double degrees_of_freedom) {
    const boost::math::students_t distribution(degrees_of_freedom);
    return boost::math::quantile(distribution, 0.5 + level / 2);
}

// Whether the level-confidence interval of this side's mean reaches down to zero.
bool interval_reaches_zero(const SideEstimate& side, double level) {
    return side.mean - t_quantile(level, side.n - 1) * std::sqrt(side.variance_of_mean) <= 0;
}

}  // namespace

RatioEstimate ratio_of_means(std::span<const double> platform, std::span<const double> baseline, double level) {
    RatioEstimate estimate{kNaN, {kNaN, kNaN}, false};
    if (platform.size() < 2 || baseline.size() < 2) return estimate;
    const SideEstimate a = side(platform), b = side(baseline);
    if (!(a.mean > 0) || !(b.mean > 0) || !std::isfinite(a.mean) || !std::isfinite(b.mean)) return estimate;
    estimate.ratio = a.mean / b.mean;
    // A mean whose own interval reaches zero has no useful relative spread: the
    // log-scale approximation would give an interval of any width (Fieller's
    // interval is unbounded there too), so none is given.
    if (interval_reaches_zero(a, level) || interval_reaches_zero(b, level)) return estimate;
    // The relative variances of the two means are the log scale's variance terms.
    const double term_a = a.variance_of_mean / (a.mean * a.mean);
    const double term_b = b.variance_of_mean / (b.mean * b.mean);
    const double df = welch_satterthwaite(term_a, a.n, term_b, b.n);
    const double half_width = t_quantile(level, df) * std::sqrt(term_a + term_b);
    const double log_ratio = std::log(estimate.ratio);
    estimate.ci = {std::exp(log_ratio - half_width), std::exp(log_ratio + half_width)};
    estimate.bounded = true;
    return estimate;
}

RatioEstimate relative_performance(const RatioEstimate& ratio, Better better) {
    if (better != Better::Lower) return ratio;
    RatioEstimate inverted = ratio;
    inverted.ratio = 1 / ratio.ratio;
    inverted.ci = {1 / ratio.ci.high, 1 / ratio.ci.low};
    return inverted;
}

WelchTest welch_t_test(std::span<const double> platform, std::span<const double> baseline) {
    if (platform.size() < 2 || baseline.size() < 2) return {kNaN, kNaN, kNaN};
    const SideEstimate a = side(platform), b = side(baseline);
    const double difference = a.mean - b.mean;
    const double standard_error = std::sqrt(a.variance_of_mean + b.variance_of_mean);
    const double df = welch_satterthwaite(a.variance_of_mean, a.n, b.variance_of_mean, b.n);
    if (standard_error == 0) {
        if (difference == 0) return {0, df, 1};
        return {std::copysign(std::numeric_limits<double>::infinity(), difference), df, 0};
    }
    const double t = difference / standard_error;
    const boost::math::students_t distribution(df);
    return {t, df, 2 * boost::math::cdf(boost::math::complement(distribution, std::fabs(t)))};
}

Verdict compare_samples(std::span<const double> platform, std::span<const double> baseline, Better better,
                        double alpha) {
    const WelchTest test = welch_t_test(platform, baseline);
    return verdict_for(test.p_value, test.t, better, alpha);
}

std::vector<double> holm_adjusted(std::span<const double> p_values) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < p_values.size(); ++i)
        if (!std::isnan(p_values[i])) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
    std::vector<double> adjusted(p_values.size(), std::numeric_limits<double>::quiet_NaN());
    const double family = static_cast<double>(order.size());
    double running_max = 0;
    for (std::size_t rank = 0; rank < order.size(); ++rank) {
        const double scaled = std::min(1.0, (family - static_cast<double>(rank)) * p_values[order[rank]]);
        running_max = std::max(running_max, scaled);  // step-down: never below an earlier one
        adjusted[order[rank]] = running_max;
    }
    return adjusted;
}

Verdict verdict_for(double p_value, double t, Better better, double alpha) {
    if (std::isnan(p_value)) return Verdict::TooFewRuns;
    if (p_value >= alpha) return Verdict::NoSignificantDifference;
    const bool higher = t > 0;
    switch (better) {
        case Better::Higher: return higher ? Verdict::Faster : Verdict::Slower;
        case Better::Lower: return higher ? Verdict::Slower : Verdict::Faster;
        case Better::None: break;
    }
    return higher ? Verdict::Higher : Verdict::Lower;
}

std::string verdict_text(Verdict verdict) {
    switch (verdict) {
        case Verdict::Faster: return "faster";
        case Verdict::Slower: return "slower";
        case Verdict::Higher: return "higher";
        case Verdict::Lower: return "lower";
        case Verdict::NoSignificantDifference: return "no significant difference";
        case Verdict::TooFewRuns: return "too few runs";
    }
    return "?";
}

}  // namespace platbench
