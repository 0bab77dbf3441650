#pragma once
// Reading a workload's result in tests.
#include <doctest/doctest.h>

#include <string>

#include "platbench/workload.hpp"

namespace test {

// The value of the metric `name`; fails the test when the result has none.
inline double metric(const platbench::WorkloadResult& result, const std::string& name) {
    for (const platbench::Metric& m : result.metrics) {
        if (m.name == name) return m.value;
    }
    FAIL("no metric " << name);
    return 0;
}

}  // namespace test
