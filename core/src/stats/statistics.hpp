// Descriptive statistics as small pure functions (google/benchmark's statistics.cc).
// Failed runs never reach these; fewer than 2 samples give no spread (NaN).
// A NaN sample (a metric stored as missing) makes every result NaN, as in
// arithmetic, rather than being silently dropped: callers filter first.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace platbench {

double mean(std::span<const double> samples);            // NaN when empty
double median(std::span<const double> samples);          // NaN when empty
double sample_stddev(std::span<const double> samples);   // NaN when n < 2
double minimum(std::span<const double> samples);         // NaN when empty
double maximum(std::span<const double> samples);         // NaN when empty

// stddev / |mean|; NaN when n < 2 or the mean is 0.
double coefficient_of_variation(std::span<const double> samples);

// Two-sided confidence interval of the mean from Student's t distribution
// (level 0.95: the 95% interval). NaN bounds when n < 2.
struct Interval {
    double low = 0, high = 0;
};
Interval mean_confidence_interval(std::span<const double> samples, double level = 0.95);

// Outliers by the median absolute deviation (Iglewicz & Hoaglin's modified
// z-score 0.6745 * |x - median| / MAD above `threshold`). Flags, never drops:
// one entry per sample. With MAD 0 (most samples equal), any differing sample
// is an outlier. Fewer than five samples: nothing is flagged.
std::vector<bool> mad_outliers(std::span<const double> samples, double threshold = 3.5);

struct Summary {
    std::size_t n = 0;
    double mean = 0, median = 0, stddev = 0, min = 0, max = 0;
    double cv = 0;              // coefficient of variation
    Interval ci95;              // 95% confidence interval of the mean
    std::size_t outliers = 0;   // samples flagged by mad_outliers()
};
Summary summarize(std::span<const double> samples);

}  // namespace platbench
