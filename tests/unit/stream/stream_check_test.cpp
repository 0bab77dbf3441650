#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "../../../plugins/stream/stream_check.hpp"

namespace stream = platbench::stream;

namespace {

struct Arrays {
    std::vector<double> a, b, c;
};

// What a correct run leaves behind: every element at STREAM's replayed value.
Arrays correct_arrays(std::size_t n, int iterations, double scalar) {
    const stream::ExpectedValues v = stream::expected_values(iterations, scalar);
    return {std::vector<double>(n, v.a), std::vector<double>(n, v.b), std::vector<double>(n, v.c)};
}

std::vector<std::string> errors_of(const Arrays& arrays, int iterations, double scalar) {
    return stream::validation_errors(arrays.a, arrays.b, arrays.c, iterations, scalar);
}

}  // namespace

TEST_CASE("STREAM's recurrence gives the known values") {
    // One iteration from a=2, b=2, c=0 with q=3: c=2, b=6, c=8, a=6+24=30.
    const stream::ExpectedValues one = stream::expected_values(1, 3.0);
    CHECK(one.a == 30.0);
    CHECK(one.b == 6.0);
    CHECK(one.c == 8.0);
    const stream::ExpectedValues none = stream::expected_values(0, 3.0);
    CHECK(none.a == 2.0);
    CHECK(none.b == 2.0);
    CHECK(none.c == 0.0);
}

TEST_CASE("correct arrays pass the check") {
    const Arrays arrays = correct_arrays(1000, 10, 3.0);
    CHECK(errors_of(arrays, 10, 3.0).empty());
}

TEST_CASE("a corrupted element is detected and named") {
    Arrays arrays = correct_arrays(1000, 10, 3.0);
    arrays.b[417] *= 1.001;
    const std::vector<std::string> errors = errors_of(arrays, 10, 3.0);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("array b[]") != std::string::npos);
    CHECK(errors[0].find("1 of 1000 elements differ") != std::string::npos);
    CHECK(errors[0].find("index 417") != std::string::npos);
}

TEST_CASE("a NaN and a wrong iteration count are detected") {
    Arrays arrays = correct_arrays(64, 5, 3.0);
    arrays.c[0] = std::numeric_limits<double>::quiet_NaN();
    CHECK(errors_of(arrays, 5, 3.0).size() == 1);
    // Arrays from 5 iterations checked as if 6 ran: all three are wrong.
    CHECK(errors_of(correct_arrays(64, 5, 3.0), 6, 3.0).size() == 3);
}

TEST_CASE("settings whose replayed values overflow or vanish cannot be validated") {
    CHECK_FALSE(stream::unverifiable_settings(10, 3.0).has_value());
    CHECK_FALSE(stream::unverifiable_settings(1000, 0.5).has_value());
    const auto zero = stream::unverifiable_settings(10, 0.0);
    REQUIRE(zero.has_value());
    CHECK(zero->find("scalar=0") != std::string::npos);
    const auto overflow = stream::unverifiable_settings(1000, 3.0);
    REQUIRE(overflow.has_value());
    CHECK(overflow->find("fewer iterations") != std::string::npos);
}
