// What every latency histogram does per sample is inline in the header; here the rest.
#include "latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace platbench::latency {

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    sum_squares_ += other.sum_squares_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

double LatencyHistogram::mean_ns() const {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

double LatencyHistogram::stddev_ns() const {
    if (count_ < 2) return 0.0;
    // n*sum(x^2) - sum(x)^2 is exact in 128-bit integers for any realistic run,
    // which avoids the cancellation of the floating-point form.
    const long double n = static_cast<long double>(count_);
    const long double spread = n * static_cast<long double>(sum_squares_) -
                               static_cast<long double>(sum_) * static_cast<long double>(sum_);
    return spread <= 0 ? 0.0 : static_cast<double>(std::sqrt(spread) / n);
}

std::uint64_t LatencyHistogram::bucket_low(int bucket) {
    if (bucket < kSubBuckets) return static_cast<std::uint64_t>(bucket);
    const int shift = (bucket - kSubBuckets) / kSubBuckets;
    const std::uint64_t sub = static_cast<std::uint64_t>((bucket - kSubBuckets) % kSubBuckets);
    return (kSubBuckets + sub) << shift;
}

std::uint64_t LatencyHistogram::bucket_high(int bucket) {
    if (bucket < kSubBuckets) return static_cast<std::uint64_t>(bucket);
    const int shift = (bucket - kSubBuckets) / kSubBuckets;
    return bucket_low(bucket) + ((std::uint64_t{1} << shift) - 1);
}

double LatencyHistogram::percentile_ns(double p) const {
    if (count_ == 0) return 0.0;
    // The rank of the sample at or below which p percent of the samples lie (nearest rank).
    const double wanted = std::ceil(p / 100.0 * static_cast<double>(count_));
    const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
    std::uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            const double middle = (static_cast<double>(bucket_low(i)) + static_cast<double>(bucket_high(i))) / 2.0;
            return std::clamp(middle, static_cast<double>(min_), static_cast<double>(max_));
        }
    }
    return static_cast<double>(max_);
}

}  // namespace platbench::latency
