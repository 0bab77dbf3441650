// STREAM's result check (checkSTREAMresults of stream.c), kept exactly: replay
// the kernels on one scalar per array and compare every element with it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace platbench::stream {

// STREAM's starting values, set before the timed iterations: a = 1 then a *= 2, b = 2, c = 0.
inline constexpr double kInitialA = 1.0;
inline constexpr double kInitialB = 2.0;
inline constexpr double kInitialC = 0.0;
inline constexpr double kInitialScaleOfA = 2.0;

// STREAM's tolerance for 8-byte elements: average relative error per array.
inline constexpr double kEpsilon = 1e-13;

struct ExpectedValues {
    double a = 0;
    double b = 0;
    double c = 0;
};

// The value every element of a, b and c holds after `iterations` rounds of
// Copy, Scale, Add, Triad with `scalar`.
ExpectedValues expected_values(int iterations, double scalar);

// Why (iterations, scalar) cannot be checked: a replayed value overflows or
// becomes zero, so a relative error means nothing. Empty when they can.
std::optional<std::string> unverifiable_settings(int iterations, double scalar);

// One line per array that fails STREAM's check; empty when all three pass.
std::vector<std::string> validation_errors(std::span<const double> a, std::span<const double> b,
                                           std::span<const double> c, int iterations, double scalar);

}  // namespace platbench::stream
