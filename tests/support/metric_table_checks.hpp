// A workload's run against its metric table: every metric it reports is in the
// table with the same unit and direction, so what the engine records as central
// describes what was measured.
#pragma once

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "platbench/plugin.hpp"

namespace test {

inline void check_metrics_in_table(const platbench::WorkloadResult& result, const platbench::MetricTable& table) {
    REQUIRE_FALSE(table.empty());
    for (const platbench::Metric& metric : result.metrics) {
        CAPTURE(metric.name);
        const platbench::MetricSpec* spec = nullptr;
        for (const platbench::MetricSpec& row : table)
            if (row.name == metric.name) spec = &row;
        REQUIRE_MESSAGE(spec != nullptr, "reported but not in the metric table");
        CHECK(spec->unit == metric.unit);
        CHECK(spec->better == metric.better);
        CHECK_FALSE(spec->help.empty());
    }
}

// The table's central metrics, by name.
inline std::set<std::string> central_metrics(const platbench::MetricTable& table) {
    std::set<std::string> names;
    for (const platbench::MetricSpec& row : table)
        if ((row.roles & platbench::kMetricCentral) != 0) names.insert(row.name);
    return names;
}

}  // namespace test
