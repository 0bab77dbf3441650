#include "engine/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>

#include "stats/statistics.hpp"

namespace platbench {

ExperimentSummary summarize_runs(const std::vector<RunRecord>& runs) {
    ExperimentSummary summary;
    std::map<std::string, std::size_t> cell_index;
    // (cell, metric) in order of first appearance -> samples
    std::vector<std::pair<std::string, std::string>> metric_order;
    std::map<std::pair<std::string, std::string>, std::vector<double>> samples;
    std::map<std::pair<std::string, std::string>, std::string> units;
    for (const RunRecord& run : runs) {
        if (run.warmup) continue;
        auto [it, inserted] = cell_index.emplace(run.cell_id, summary.cells.size());
        if (inserted) summary.cells.push_back({run.cell_id, 0, 0, 0, {}});
        CellOutcomeCount& count = summary.cells[it->second];
        if (run.status == "ok") {
            ++count.ok;
        } else {
            (run.status == "skipped" ? count.skipped : count.failed) += 1;
            count.last_reason = run.reason;
            continue;
        }
        for (const Metric& metric : run.metrics) {
            auto key = std::make_pair(run.cell_id, metric.name);
            if (samples.count(key) == 0) metric_order.push_back(key);
            samples[key].push_back(metric.value);
            units[key] = metric.unit;
        }
    }
    for (const auto& key : metric_order) {
        const Summary s = summarize(samples[key]);
        summary.rows.push_back({key.first, key.second, units[key], s.n, s.mean, s.stddev, s.min, s.max});
    }
    return summary;
}

namespace {

std::string number(double value) {
    if (std::isnan(value)) return "-";
    char buffer[32];
    const double magnitude = std::fabs(value);
    if (magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e9)) {
        std::snprintf(buffer, sizeof buffer, "%.4g", value);
    } else if (magnitude >= 100) {
        std::snprintf(buffer, sizeof buffer, "%.1f", value);
    } else {
        std::snprintf(buffer, sizeof buffer, "%.4f", value);
    }
    return buffer;
}

void print_table(const std::vector<std::vector<std::string>>& table, std::ostream& out) {
    std::vector<std::size_t> widths;
    for (const auto& row : table) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    }
    for (const auto& row : table) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            const bool numeric = c >= 3;  // right-align the figures
            const std::string pad(widths[c] - row[c].size(), ' ');
            out << (c == 0 ? "" : "  ") << (numeric ? pad + row[c] : row[c] + (c + 1 < row.size() ? pad : ""));
        }
        out << "\n";
    }
}

}  // namespace

void print_summary(const ExperimentSummary& summary, std::ostream& out) {
    std::vector<std::vector<std::string>> table{{"cell", "metric", "unit", "n", "mean", "stddev", "min", "max"}};
    for (const MetricSummaryRow& row : summary.rows) {
        table.push_back({row.cell_id, row.metric, row.unit, std::to_string(row.n), number(row.mean),
                         number(row.stddev), number(row.min), number(row.max)});
    }
    if (table.size() > 1) print_table(table, out);
    for (const CellOutcomeCount& cell : summary.cells) {
        if (cell.failed == 0 && cell.skipped == 0) continue;
        out << cell.cell_id << ": " << cell.ok << " ok, " << cell.failed << " failed, " << cell.skipped
            << " skipped; last reason: " << cell.last_reason << "\n";
    }
}

}  // namespace platbench
