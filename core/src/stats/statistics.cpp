#include "stats/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <boost/math/distributions/students_t.hpp>

namespace platbench {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMinSamplesForOutliers = 5;

bool has_nan(std::span<const double> samples) {
    return std::any_of(samples.begin(), samples.end(), [](double x) { return std::isnan(x); });
}

// Neumaier's compensated sum: benchmark samples are often large and nearly
// equal (1e7 +- 0.1), where a naive sum loses the digits that matter.
double compensated_sum(std::span<const double> samples) {
    double sum = 0;
    double compensation = 0;
    for (const double x : samples) {
        const double t = sum + x;
        if (std::fabs(sum) >= std::fabs(x)) {
            compensation += (sum - t) + x;
        } else {
            compensation += (x - t) + sum;
        }
        sum = t;
    }
    return sum + compensation;
}

}  // namespace

double mean(std::span<const double> samples) {
    if (samples.empty()) {
        return kNaN;
    }
    return compensated_sum(samples) / static_cast<double>(samples.size());
}

double median(std::span<const double> samples) {
    // A NaN breaks the ordering nth_element relies on; propagate it like arithmetic does.
    if (samples.empty() || has_nan(samples)) {
        return kNaN;
    }
    std::vector<double> sorted(samples.begin(), samples.end());
    const std::size_t middle = sorted.size() / 2;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(middle), sorted.end());
    const double upper = sorted[middle];
    if (sorted.size() % 2 == 1) {
        return upper;
    }
    // The lower middle is the largest element left of `middle` after nth_element.
    const double lower = *std::max_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(middle));
    return lower + (upper - lower) / 2;  // no overflow for huge values of one sign
}

// Two-pass with the corrected sum of squares (Chan, Golub & LeVeque's
// "corrected two-pass algorithm"): the second term removes the rounding error
// of the mean, which matters when the spread is tiny against the values.
double sample_stddev(std::span<const double> samples) {
    if (samples.size() < 2) {
        return kNaN;
    }
    const double m = mean(samples);
    double squares = 0;
    double deviations = 0;
    for (const double x : samples) {
        const double d = x - m;
        squares += d * d;
        deviations += d;
    }
    const double n = static_cast<double>(samples.size());
    const double variance = (squares - deviations * deviations / n) / (n - 1);
    return std::sqrt(std::max(variance, 0.0));
}

double minimum(std::span<const double> samples) {
    if (samples.empty() || has_nan(samples)) {
        return kNaN;
    }
    return *std::min_element(samples.begin(), samples.end());
}

double maximum(std::span<const double> samples) {
    if (samples.empty() || has_nan(samples)) {
        return kNaN;
    }
    return *std::max_element(samples.begin(), samples.end());
}

double coefficient_of_variation(std::span<const double> samples) {
    const double m = mean(samples);
    if (m == 0) return kNaN;
    return sample_stddev(samples) / std::fabs(m);
}

Interval mean_confidence_interval(std::span<const double> samples, double level) {
    if (samples.size() < 2 || has_nan(samples) || !(level > 0 && level < 1)) return {kNaN, kNaN};
    const double n = static_cast<double>(samples.size());
    const boost::math::students_t t_distribution(n - 1);
    const double t = boost::math::quantile(boost::math::complement(t_distribution, (1 - level) / 2));
    const double m = mean(samples);
    const double half_width = t * sample_stddev(samples) / std::sqrt(n);
    return {m - half_width, m + half_width};
}

std::vector<bool> mad_outliers(std::span<const double> samples, double threshold) {
    std::vector<bool> flags(samples.size(), false);
    // Below five samples the MAD rests on two or three values and flags ordinary scatter.
    if (samples.size() < kMinSamplesForOutliers || has_nan(samples)) return flags;
    const double med = median(samples);
    std::vector<double> deviations;
    deviations.reserve(samples.size());
    for (const double x : samples) deviations.push_back(std::fabs(x - med));
    const double mad = median(deviations);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        flags[i] = mad == 0 ? deviations[i] != 0 : 0.6745 * deviations[i] / mad > threshold;
    }
    return flags;
}

Summary summarize(std::span<const double> samples) {
    Summary summary;
    summary.n = samples.size();
    summary.mean = mean(samples);
    summary.median = median(samples);
    summary.stddev = sample_stddev(samples);
    summary.min = minimum(samples);
    summary.max = maximum(samples);
    summary.cv = coefficient_of_variation(samples);
    summary.ci95 = mean_confidence_interval(samples, 0.95);
    const std::vector<bool> outliers = mad_outliers(samples);
    summary.outliers = static_cast<std::size_t>(std::count(outliers.begin(), outliers.end(), true));
    return summary;
}

}  // namespace platbench
