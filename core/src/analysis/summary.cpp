#include "analysis/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>
#include <set>

#include "stats/statistics.hpp"
#include "store/run_caveats.hpp"

namespace platbench {

ExperimentSummary summarize_runs(const std::vector<RunRecord>& runs) {
    ExperimentSummary summary;
    std::map<std::string, std::size_t> cell_index;
    // (cell, metric) in order of first appearance -> samples
    std::vector<std::pair<std::string, std::string>> metric_order;
    std::map<std::pair<std::string, std::string>, std::vector<double>> samples;
    std::map<std::pair<std::string, std::string>, std::string> units;
    std::map<std::string, bool> noted;
    for (const RunRecord& run : runs) {
        if (run.warmup) continue;
        if (const auto emulation = emulation_caveat(run); emulation && !noted[run.platform_instance]) {
            noted[run.platform_instance] = true;
            summary.notes.push_back(run.platform_instance + ": " + *emulation);
        }
        auto [it, inserted] = cell_index.emplace(run.cell_id, summary.cells.size());
        if (inserted) summary.cells.push_back({run.cell_id, 0, 0, 0, {}});
        CellOutcomeCount& count = summary.cells[it->second];
        if (run.status == RunStatus::Ok) {
            ++count.ok;
        } else {
            (run.status == RunStatus::Skipped ? count.skipped : count.failed) += 1;
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
        summary.rows.push_back({key.first, key.second, units[key], s.n, s.mean, s.stddev, s.min, s.max, s.median, s.cv,
                                (s.ci95.high - s.ci95.low) / 2, s.outliers});
    }
    return summary;
}

namespace {

// Runs of one cell id with another configuration than the cell's planned one
// (its settings hash) get a name of their own, "<id> (settings <hash>)", so that
// no statistic pools two configurations. Databases written before --resume
// refused changed cells can hold such runs.
void separate_configurations(std::vector<RunRecord>& runs, const std::map<std::string, std::string>& planned_hash) {
    std::map<std::string, std::set<std::string>> hashes;
    for (const RunRecord& run : runs) hashes[run.cell_id].insert(run.cell_config_hash);
    for (RunRecord& run : runs) {
        if (hashes[run.cell_id].size() < 2) continue;
        auto planned = planned_hash.find(run.cell_id);
        const bool is_planned = planned != planned_hash.end() ? planned->second == run.cell_config_hash
                                                              : run.cell_config_hash == *hashes[run.cell_id].begin();
        if (!is_planned) run.cell_id += " (settings " + run.cell_config_hash.substr(0, 8) + ")";
    }
}

}  // namespace

std::vector<RunRecord> in_matrix_order(std::vector<RunRecord> runs, const nlohmann::json& cells) {
    std::map<std::string, std::size_t> position;
    std::map<std::string, std::string> planned_hash;
    if (cells.is_array())
        for (const nlohmann::json& cell : cells)
            if (cell.is_object() && cell.contains("id") && cell["id"].is_string()) {
                position.emplace(cell["id"].get<std::string>(), position.size());
                planned_hash.emplace(cell["id"].get<std::string>(), cell.value("config_hash", ""));
            }
    separate_configurations(runs, planned_hash);
    const auto rank = [&](const RunRecord& run) {
        const std::string id = run.cell_id.substr(0, run.cell_id.find(" (settings "));
        auto it = position.find(id);
        return it == position.end() ? position.size() : it->second;
    };
    std::stable_sort(runs.begin(), runs.end(),
                     [&](const RunRecord& a, const RunRecord& b) { return rank(a) < rank(b); });
    return runs;
}

namespace {

// Decimals that give the row's mean four significant digits (at least one
// decimal, at most nine), so mean, stddev, min and max of a row line up:
// "0.007400  0.000078" rather than "0.0074  7.776e-05".
int row_decimals(double mean) {
    const double magnitude = std::fabs(mean);
    if (magnitude == 0 || !std::isfinite(magnitude)) return 1;
    const int digits_before_point = static_cast<int>(std::floor(std::log10(magnitude))) + 1;
    return std::clamp(4 - digits_before_point, 1, 9);
}

std::string number(double value, int decimals) {
    if (std::isnan(value)) return "-";
    char buffer[64];
    if (std::fabs(value) >= 1e15) {
        std::snprintf(buffer, sizeof buffer, "%.4g", value);
    } else {
        std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    }
    return buffer;
}

// Characters on the terminal, not bytes: UTF-8 continuation bytes take no column ("±").
std::size_t display_width(const std::string& text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

void print_table(const std::vector<std::vector<std::string>>& table, std::ostream& out) {
    std::vector<std::size_t> widths;
    for (const auto& row : table) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
    }
    for (const auto& row : table) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            const bool numeric = c >= 3;  // right-align the figures
            const std::string pad(widths[c] - display_width(row[c]), ' ');
            out << (c == 0 ? "" : "  ") << (numeric ? pad + row[c] : row[c] + (c + 1 < row.size() ? pad : ""));
        }
        out << "\n";
    }
}

}  // namespace

void print_summary(const ExperimentSummary& summary, std::ostream& out) {
    std::vector<std::vector<std::string>> table{
        {"cell", "metric", "unit", "n", "mean", "±95%", "stddev", "min", "max", "outliers"}};
    for (const MetricSummaryRow& row : summary.rows) {
        const int decimals = row_decimals(row.mean);
        table.push_back({row.cell_id, row.metric, row.unit, std::to_string(row.n), number(row.mean, decimals),
                         number(row.ci95_half_width, decimals), number(row.stddev, decimals),
                         number(row.min, decimals), number(row.max, decimals),
                         std::to_string(row.outliers)});
    }
    if (table.size() > 1) print_table(table, out);
    for (const std::string& note : summary.notes) out << "note: " << note << "\n";
    for (const CellOutcomeCount& cell : summary.cells) {
        if (cell.failed == 0 && cell.skipped == 0) continue;
        out << cell.cell_id << ": " << cell.ok << " ok, " << cell.failed << " failed, " << cell.skipped
            << " skipped; last reason: " << cell.last_reason << "\n";
    }
}

}  // namespace platbench
