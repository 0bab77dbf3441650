// Latency histogram: log-linear buckets like fio's, so percentiles cost a
// counter increment per sample (an I/O, a network transaction) and merge across
// threads by adding counts. Shared by the blockio and net workloads.
//
// Below 64 ns every nanosecond has its own bucket; above, each power of two of
// nanoseconds is split into 64 equal buckets, so a bucket spans at most 1/64 of
// its value and a percentile, read at the bucket's middle, is within 0.8% of
// the exact one. min, max, mean and stddev are kept exactly.
#pragma once

#include <array>
#include <cstdint>

namespace platbench::latency {

class LatencyHistogram {
public:
    static constexpr int kSubBucketBits = 6;
    static constexpr int kSubBuckets = 1 << kSubBucketBits;
    // 64 linear buckets, then 64 per power of two from 2^6 to 2^63.
    static constexpr int kBuckets = kSubBuckets + (64 - kSubBucketBits) * kSubBuckets;

    void add(std::uint64_t ns) {
        ++counts_[bucket_of(ns)];
        ++count_;
        sum_ += ns;
        sum_squares_ += static_cast<unsigned __int128>(ns) * ns;
        if (ns < min_) min_ = ns;
        if (ns > max_) max_ = ns;
    }
    void merge(const LatencyHistogram& other);
    void clear() { *this = LatencyHistogram(); }

    std::uint64_t count() const { return count_; }
    std::uint64_t min_ns() const { return count_ == 0 ? 0 : min_; }
    std::uint64_t max_ns() const { return max_; }
    double mean_ns() const;
    double stddev_ns() const;  // population stddev, as fio reports it
    // The p-th percentile (0 < p <= 100), clamped to [min, max]; 0 when empty.
    double percentile_ns(double p) const;

    static int bucket_of(std::uint64_t ns) {
        if (ns < kSubBuckets) return static_cast<int>(ns);
        const int exponent = 63 - __builtin_clzll(ns);  // >= kSubBucketBits
        const int shift = exponent - kSubBucketBits;
        const int sub = static_cast<int>((ns >> shift) & (kSubBuckets - 1));
        return kSubBuckets + shift * kSubBuckets + sub;
    }
    static std::uint64_t bucket_low(int bucket);   // smallest value of a bucket
    static std::uint64_t bucket_high(int bucket);  // largest value of a bucket

private:
    std::array<std::uint64_t, kBuckets> counts_{};
    std::uint64_t count_ = 0;
    std::uint64_t sum_ = 0;
    unsigned __int128 sum_squares_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
};

}  // namespace platbench::latency
