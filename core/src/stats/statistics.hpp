// Descriptive statistics as small pure functions (google/benchmark's statistics.cc).
// Failed runs never reach these; fewer than 2 samples give no spread (NaN).
// A NaN sample (a metric stored as missing) makes every result NaN, as in
// arithmetic, rather than being silently dropped: callers filter first.
#pragma once

#include <cstddef>
#include <span>

namespace platbench {

double mean(std::span<const double> samples);            // NaN when empty
double median(std::span<const double> samples);          // NaN when empty
double sample_stddev(std::span<const double> samples);   // NaN when n < 2
double minimum(std::span<const double> samples);         // NaN when empty
double maximum(std::span<const double> samples);         // NaN when empty

struct Summary {
    std::size_t n = 0;
    double mean = 0, median = 0, stddev = 0, min = 0, max = 0;
};
Summary summarize(std::span<const double> samples);

}  // namespace platbench
