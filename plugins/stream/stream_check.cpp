#include "stream_check.hpp"

#include <cmath>
#include <cstddef>
#include <sstream>

namespace platbench::stream {
namespace {

bool usable_reference(double value) { return std::isnormal(value); }

// STREAM's per-array test: the mean absolute error relative to the expected
// value must stay within epsilon; if not, count the elements that are off.
std::optional<std::string> check_array(const char* name, std::span<const double> values, double expected) {
    double sum_error = 0;
    for (double v : values) sum_error += std::fabs(v - expected);
    const double average_error = values.empty() ? 0.0 : sum_error / static_cast<double>(values.size());
    const double relative_error = std::fabs(average_error / expected);
    // Written so that a NaN in the array fails too.
    if (relative_error <= kEpsilon) return std::nullopt;

    std::size_t wrong = 0;
    std::size_t first_wrong = values.size();
    for (std::size_t j = 0; j < values.size(); ++j) {
        if (!(std::fabs(values[j] / expected - 1.0) <= kEpsilon)) {
            if (wrong++ == 0) first_wrong = j;
        }
    }
    std::ostringstream out;
    out.precision(17);
    out << "failed validation on array " << name << "[]: average relative error " << relative_error
        << " exceeds epsilon " << kEpsilon << "; expected " << expected << " everywhere, " << wrong << " of "
        << values.size() << " elements differ";
    if (first_wrong < values.size()) out << ", the first at index " << first_wrong << " (" << values[first_wrong] << ")";
    return out.str();
}

}  // namespace

ExpectedValues expected_values(int iterations, double scalar) {
    ExpectedValues v{kInitialA * kInitialScaleOfA, kInitialB, kInitialC};
    for (int k = 0; k < iterations; ++k) {
        v.c = v.a;
        v.b = scalar * v.c;
        v.c = v.a + v.b;
        v.a = v.b + scalar * v.c;
    }
    return v;
}

std::optional<std::string> unverifiable_settings(int iterations, double scalar) {
    const ExpectedValues v = expected_values(iterations, scalar);
    if (usable_reference(v.a) && usable_reference(v.b) && usable_reference(v.c)) return std::nullopt;
    std::ostringstream out;
    out << "scalar=" << scalar << " with ntimes=" << iterations
        << " cannot be validated: after the iterations the expected values are a=" << v.a << ", b=" << v.b
        << ", c=" << v.c << " (each must be a finite non-zero number); use fewer iterations or a scalar nearer 3";
    return out.str();
}

std::vector<std::string> validation_errors(std::span<const double> a, std::span<const double> b,
                                           std::span<const double> c, int iterations, double scalar) {
    const ExpectedValues expected = expected_values(iterations, scalar);
    std::vector<std::string> errors;
    for (auto error : {check_array("a", a, expected.a), check_array("b", b, expected.b),
                       check_array("c", c, expected.c)}) {
        if (error) errors.push_back(std::move(*error));
    }
    return errors;
}

}  // namespace platbench::stream
