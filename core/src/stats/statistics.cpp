#include "stats/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace platbench {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

Summary summarize(std::span<const double> samples) {
    Summary summary;
    summary.n = samples.size();
    summary.mean = mean(samples);
    summary.median = median(samples);
    summary.stddev = sample_stddev(samples);
    summary.min = minimum(samples);
    summary.max = maximum(samples);
    return summary;
}

}  // namespace platbench
