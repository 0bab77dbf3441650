#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "latency_histogram.hpp"

using platbench::latency::LatencyHistogram;

namespace {

// The exact nearest-rank percentile of a sorted set, as the histogram approximates it.
double exact_percentile(std::vector<std::uint64_t> values, double p) {
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return static_cast<double>(values[std::max<std::size_t>(rank, 1) - 1]);
}

}  // namespace

TEST_CASE("buckets are exact below 64 ns and contiguous above") {
    for (std::uint64_t ns = 0; ns < 64; ++ns) CHECK(LatencyHistogram::bucket_of(ns) == static_cast<int>(ns));
    for (int bucket = 1; bucket < LatencyHistogram::kBuckets; ++bucket) {
        CHECK(LatencyHistogram::bucket_low(bucket) == LatencyHistogram::bucket_high(bucket - 1) + 1);
    }
    CHECK(LatencyHistogram::bucket_high(LatencyHistogram::kBuckets - 1) == UINT64_MAX);
    for (std::uint64_t ns : std::vector<std::uint64_t>{64, 65, 127, 128, 1000, 123456789, 1ull << 40, UINT64_MAX}) {
        const int bucket = LatencyHistogram::bucket_of(ns);
        CHECK(LatencyHistogram::bucket_low(bucket) <= ns);
        CHECK(ns <= LatencyHistogram::bucket_high(bucket));
        // A bucket spans at most 1/64 of its values.
        const double width = static_cast<double>(LatencyHistogram::bucket_high(bucket) - LatencyHistogram::bucket_low(bucket) + 1);
        CHECK(width <= static_cast<double>(LatencyHistogram::bucket_low(bucket)) / 64.0 + 1.0);
    }
}

TEST_CASE("percentiles of a known latency set are within the bucket error") {
    // 1..10000 us in ns, spread over five decades of the histogram.
    std::vector<std::uint64_t> values;
    LatencyHistogram histogram;
    for (std::uint64_t i = 1; i <= 10000; ++i) {
        const std::uint64_t ns = i * i * 10 + 37;
        values.push_back(ns);
        histogram.add(ns);
    }
    for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
        const double exact = exact_percentile(values, p);
        CHECK_MESSAGE(std::abs(histogram.percentile_ns(p) - exact) <= exact / 128.0 + 1.0, "p" << p);
    }
    CHECK(histogram.count() == 10000);
    CHECK(histogram.min_ns() == 47);
    CHECK(histogram.max_ns() == 1'000'000'037);
}

TEST_CASE("mean and stddev are exact, and a set of equal values has no spread") {
    LatencyHistogram histogram;
    for (std::uint64_t ns : {2000ull, 4000ull, 4000ull, 4000ull, 5000ull, 5000ull, 7000ull, 9000ull}) histogram.add(ns);
    CHECK(histogram.mean_ns() == doctest::Approx(5000.0));
    CHECK(histogram.stddev_ns() == doctest::Approx(2000.0));  // population stddev of the textbook set
    LatencyHistogram same;
    for (int i = 0; i < 1000; ++i) same.add(123'456);
    CHECK(same.stddev_ns() == 0.0);
    CHECK(same.percentile_ns(50) == 123'456.0);  // clamped to [min, max]
    CHECK(LatencyHistogram().percentile_ns(99) == 0.0);
}

TEST_CASE("merging histograms equals adding every value to one") {
    LatencyHistogram a, b, all;
    for (std::uint64_t i = 0; i < 5000; ++i) {
        const std::uint64_t ns = 1000 + (i * 7919) % 200000;
        (i % 3 == 0 ? a : b).add(ns);
        all.add(ns);
    }
    a.merge(b);
    CHECK(a.count() == all.count());
    CHECK(a.min_ns() == all.min_ns());
    CHECK(a.max_ns() == all.max_ns());
    CHECK(a.mean_ns() == all.mean_ns());
    CHECK(a.stddev_ns() == all.stddev_ns());
    for (double p : {50.0, 90.0, 99.0, 99.9}) CHECK(a.percentile_ns(p) == all.percentile_ns(p));
}
