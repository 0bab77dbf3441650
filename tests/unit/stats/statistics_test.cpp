#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "stats/statistics.hpp"

using namespace platbench;

namespace {

// NIST StRD "NumAcc3"/"NumAcc4": 1001 values, the first X.2 then X.1 and X.3
// alternating; certified mean X.2 and standard deviation 0.1. Large values with
// a tiny spread: a naive sum of squares loses every significant digit here.
std::vector<double> nist_numacc(double base) {
    std::vector<double> data{base + 0.2};
    for (int i = 0; i < 500; ++i) {
        data.push_back(base + 0.1);
        data.push_back(base + 0.3);
    }
    return data;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("statistics of a hand-computed data set") {
    const std::vector<double> data{2, 4, 4, 4, 5, 5, 7, 9};
    CHECK(mean(data) == 5.0);
    CHECK(median(data) == 4.5);
    // sum of squared deviations 32, n - 1 = 7
    CHECK(sample_stddev(data) == doctest::Approx(std::sqrt(32.0 / 7.0)).epsilon(1e-15));
    CHECK(minimum(data) == 2.0);
    CHECK(maximum(data) == 9.0);
}

TEST_CASE("NIST NumAcc1: three large integers") {
    const std::vector<double> data{10000001, 10000003, 10000002};
    CHECK(mean(data) == 10000002.0);
    CHECK(median(data) == 10000002.0);
    CHECK(sample_stddev(data) == 1.0);
}

TEST_CASE("NIST NumAcc3 and NumAcc4: large values with a tiny spread") {
    const auto acc3 = nist_numacc(1000000.0);
    CHECK(mean(acc3) == doctest::Approx(1000000.2).epsilon(1e-15));
    // The exact deviation of the doubles nearest the decimal data is 0.1000000000349246...
    CHECK(sample_stddev(acc3) == doctest::Approx(0.1).epsilon(1e-9));
    CHECK(sample_stddev(acc3) == doctest::Approx(0.1000000000349246).epsilon(1e-12));

    const auto acc4 = nist_numacc(10000000.0);
    CHECK(mean(acc4) == doctest::Approx(10000000.2).epsilon(1e-15));
    CHECK(sample_stddev(acc4) == doctest::Approx(0.1).epsilon(1e-8));
    CHECK(sample_stddev(acc4) == doctest::Approx(0.10000000055879354).epsilon(1e-11));
    CHECK(median(acc4) == 10000000.2);
}

TEST_CASE("median of odd, even and unsorted samples") {
    CHECK(median(std::vector<double>{3}) == 3.0);
    CHECK(median(std::vector<double>{5, 1, 3}) == 3.0);
    CHECK(median(std::vector<double>{4, 1, 3, 2}) == 2.5);
    CHECK(median(std::vector<double>{7, 7, 1, 7}) == 7.0);
    CHECK(median(std::vector<double>{-1e308, -1e308}) == -1e308);  // no overflow averaging the middle pair
    CHECK(median(std::vector<double>{1e308, 1.7e308}) == doctest::Approx(1.35e308));
    const std::vector<double> unsorted{9, 2, 7, 4};
    median(unsorted);
    CHECK(unsorted == std::vector<double>{9, 2, 7, 4});  // the samples are not reordered
}

TEST_CASE("too few samples give NaN, not zero") {
    const std::vector<double> empty;
    CHECK(std::isnan(mean(empty)));
    CHECK(std::isnan(median(empty)));
    CHECK(std::isnan(sample_stddev(empty)));
    CHECK(std::isnan(minimum(empty)));
    CHECK(std::isnan(maximum(empty)));
    const std::vector<double> one{42};
    CHECK(mean(one) == 42.0);
    CHECK(median(one) == 42.0);
    CHECK(std::isnan(sample_stddev(one)));
    CHECK(minimum(one) == 42.0);
    CHECK(maximum(one) == 42.0);
}

TEST_CASE("identical samples have zero spread") {
    const std::vector<double> same(100, 0.1);
    CHECK(sample_stddev(same) == 0.0);
    CHECK(mean(same) == doctest::Approx(0.1).epsilon(1e-15));
}

TEST_CASE("a NaN sample makes every statistic NaN") {
    const std::vector<double> data{1, kNaN, 3};
    CHECK(std::isnan(mean(data)));
    CHECK(std::isnan(median(data)));
    CHECK(std::isnan(sample_stddev(data)));
    CHECK(std::isnan(minimum(data)));
    CHECK(std::isnan(maximum(data)));
}

TEST_CASE("summarize gathers every statistic") {
    const std::vector<double> data{10.5, 9.5, 11.0, 10.0};
    const Summary summary = summarize(data);
    CHECK(summary.n == 4);
    CHECK(summary.mean == 10.25);
    CHECK(summary.median == 10.25);
    // deviations 0.25, -0.75, 0.75, -0.25: squares sum 1.25, / 3
    CHECK(summary.stddev == doctest::Approx(std::sqrt(1.25 / 3)).epsilon(1e-15));
    CHECK(summary.min == 9.5);
    CHECK(summary.max == 11.0);

    const Summary single = summarize(std::vector<double>{3.0});
    CHECK(single.n == 1);
    CHECK(single.mean == 3.0);
    CHECK(std::isnan(single.stddev));
}

// Student t quantiles t(0.975, df) from published tables: 2 -> 4.302653, 4 -> 2.776445, 9 -> 2.262157.
TEST_CASE("95% confidence interval of the mean uses Student's t for small samples") {
    const std::vector<double> five{1, 2, 3, 4, 5};  // mean 3, s = sqrt(2.5), se = s / sqrt(5)
    const Interval ci = mean_confidence_interval(five);
    const double half = 2.776445 * std::sqrt(2.5) / std::sqrt(5.0);
    CHECK(ci.low == doctest::Approx(3 - half).epsilon(1e-6));
    CHECK(ci.high == doctest::Approx(3 + half).epsilon(1e-6));

    const std::vector<double> three{10, 12, 14};  // mean 12, s = 2
    const Interval ci3 = mean_confidence_interval(three);
    CHECK(ci3.high - 12 == doctest::Approx(4.302653 * 2 / std::sqrt(3.0)).epsilon(1e-6));

    std::vector<double> ten;
    for (int i = 1; i <= 10; ++i) ten.push_back(i);  // mean 5.5, s = sqrt(55/6)
    const Interval ci10 = mean_confidence_interval(ten);
    CHECK(ci10.high - 5.5 == doctest::Approx(2.262157 * std::sqrt(55.0 / 6) / std::sqrt(10.0)).epsilon(1e-6));

    const Interval ci99 = mean_confidence_interval(five, 0.99);  // t(0.995, 4) = 4.604095
    CHECK(ci99.high - 3 == doctest::Approx(4.604095 * std::sqrt(2.5) / std::sqrt(5.0)).epsilon(1e-6));
}

TEST_CASE("a confidence interval needs two samples and no NaN") {
    const std::vector<double> one{42};
    CHECK(std::isnan(mean_confidence_interval(one).low));
    const std::vector<double> with_nan{1, std::numeric_limits<double>::quiet_NaN(), 3};
    CHECK(std::isnan(mean_confidence_interval(with_nan).high));
    const std::vector<double> equal{7, 7, 7};
    CHECK(mean_confidence_interval(equal).low == 7);
    CHECK(mean_confidence_interval(equal).high == 7);
}

TEST_CASE("coefficient of variation is stddev over the mean's magnitude") {
    const std::vector<double> values{90, 100, 110};  // s = 10
    CHECK(coefficient_of_variation(values) == doctest::Approx(0.1));
    const std::vector<double> negative{-90, -100, -110};
    CHECK(coefficient_of_variation(negative) == doctest::Approx(0.1));
    const std::vector<double> zero_mean{-1, 0, 1};
    CHECK(std::isnan(coefficient_of_variation(zero_mean)));
}

TEST_CASE("median absolute deviation flags outliers and keeps every sample") {
    // median 3, deviations {2, 1, 0, 1, 97}, MAD 1: modified z of 100 is 0.6745 * 97 = 65.4.
    const std::vector<double> values{1, 2, 3, 4, 100};
    const std::vector<bool> flags = mad_outliers(values);
    REQUIRE(flags.size() == values.size());
    CHECK(flags == std::vector<bool>{false, false, false, false, true});
    // Just below and just above the threshold 3.5: {9, 10, 11, 10, 14.5} and {9, 10, 11, 10, 16} have
    // median 10 and MAD 1, so 14.5 scores 0.6745 * 4.5 = 3.04 and 16 scores 4.05.
    CHECK(mad_outliers(std::vector<double>{9, 10, 11, 10, 14.5}) ==
          std::vector<bool>{false, false, false, false, false});
    CHECK(mad_outliers(std::vector<double>{9, 10, 11, 10, 16}) == std::vector<bool>{false, false, false, false, true});
    // MAD 0: the one differing sample stands out.
    CHECK(mad_outliers(std::vector<double>{5, 5, 5, 5, 6}) == std::vector<bool>{false, false, false, false, true});
    // Too few samples to call any one odd.
    CHECK(mad_outliers(std::vector<double>{1, 2, 1000}) == std::vector<bool>{false, false, false});
    CHECK(mad_outliers(std::vector<double>{1, 2, 3, 1000}) == std::vector<bool>{false, false, false, false});
}

TEST_CASE("summarize carries the interval, the variation and the outlier count") {
    const std::vector<double> values{1, 2, 3, 4, 100};
    const Summary s = summarize(values);
    CHECK(s.n == 5);
    CHECK(s.outliers == 1);
    CHECK(s.ci95.low < s.mean);
    CHECK(s.ci95.high > s.mean);
    CHECK(s.cv == doctest::Approx(s.stddev / s.mean));
}
