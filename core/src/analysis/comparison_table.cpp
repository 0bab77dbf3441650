#include "analysis/comparison_table.hpp"

#include "store/settings_diff.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>

namespace platbench {
namespace {

// What a cell runs, whatever the platform: the same key on two platforms means
// the same measurement.
std::string workload_key(const RunRecord& run) { return run.workload_instance + "\n" + run.workload_params.dump(); }

struct CellSamples {
    std::string cell_id;
    std::string platform;
    std::string workload;
    CellSettings settings;
    std::vector<std::string> metric_order;
    std::map<std::string, std::vector<double>> samples;
    std::map<std::string, Metric> declarations;  // unit and better direction
};

std::vector<CellSamples> collect_cells(const std::vector<RunRecord>& runs) {
    std::vector<CellSamples> cells;
    std::map<std::string, std::size_t> index;
    for (const RunRecord& run : runs) {
        if (run.warmup || run.status != RunStatus::Ok) continue;
        auto [it, inserted] = index.emplace(run.cell_id, cells.size());
        if (inserted)
            cells.push_back({run.cell_id, run.platform_instance, workload_key(run),
                             CellSettings{run.platform_plugin, run.platform_settings, run.workload_plugin,
                                          run.workload_params},
                             {}, {}, {}});
        CellSamples& cell = cells[it->second];
        for (const Metric& metric : run.metrics) {
            if (cell.samples.count(metric.name) == 0) cell.metric_order.push_back(metric.name);
            cell.samples[metric.name].push_back(metric.value);
            cell.declarations[metric.name] = metric;
        }
    }
    return cells;
}

void compare_cell(const CellSamples& cell, const CellSamples& base, BaselineComparison& comparison) {
    const std::size_t first_row = comparison.rows.size();
    std::vector<double> t_values;
    for (const std::string& metric : cell.metric_order) {
        const Metric& declared = cell.declarations.at(metric);
        auto baseline_samples = base.samples.find(metric);
        if (declared.better == Better::None || baseline_samples == base.samples.end()) continue;
        const std::vector<double>& mine = cell.samples.at(metric);
        ComparisonRow row;
        row.cell_id = cell.cell_id;
        row.baseline_cell_id = base.cell_id;
        row.metric = metric;
        row.unit = declared.unit;
        row.better = declared.better;
        row.n = mine.size();
        row.baseline_n = baseline_samples->second.size();
        row.ratio = ratio_of_means(mine, baseline_samples->second);
        row.relative = relative_performance(row.ratio, declared.better);
        const WelchTest test = welch_t_test(mine, baseline_samples->second);
        row.p_value = test.p_value;
        t_values.push_back(test.t);
        comparison.rows.push_back(std::move(row));
    }
    // The cell's metrics are one family: about 16 tests at 5% each would find a
    // "difference" in most cells by chance alone.
    std::vector<double> p_values;
    for (std::size_t i = first_row; i < comparison.rows.size(); ++i) p_values.push_back(comparison.rows[i].p_value);
    const std::vector<double> adjusted = holm_adjusted(p_values);
    for (std::size_t i = first_row; i < comparison.rows.size(); ++i) {
        ComparisonRow& row = comparison.rows[i];
        row.p_adjusted = adjusted[i - first_row];
        row.verdict = verdict_for(row.p_adjusted, t_values[i - first_row], row.better);
    }
}

std::string fixed(double value, int decimals) {
    if (!std::isfinite(value)) return "-";
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

}  // namespace

std::string p_value_text(double p) {
    if (std::isnan(p)) return "-";
    if (p < 0.001) return "<0.001";
    return fixed(p, 3);
}

BaselineComparison compare_with_baseline(const std::vector<RunRecord>& runs, const std::string& baseline) {
    BaselineComparison comparison;
    comparison.baseline = baseline;
    if (baseline.empty()) {
        comparison.notes.push_back("no platform is the baseline: the experiment names no `baseline:` and has no "
                                   "bare-metal platform");
        return comparison;
    }
    const std::vector<CellSamples> cells = collect_cells(runs);
    std::map<std::string, std::vector<const CellSamples*>> baseline_cells;  // by workload key
    for (const CellSamples& cell : cells)
        if (cell.platform == baseline) baseline_cells[cell.workload].push_back(&cell);
    for (const CellSamples& cell : cells) {
        if (cell.platform == baseline) continue;
        auto match = baseline_cells.find(cell.workload);
        if (match == baseline_cells.end()) {
            comparison.notes.push_back(cell.cell_id + ": no successful " + baseline + " cell runs the same workload");
        } else if (match->second.size() > 1) {
            comparison.notes.push_back(cell.cell_id + ": " + std::to_string(match->second.size()) + " " + baseline +
                                       " cells run the same workload; which one is the baseline is ambiguous");
        } else {
            compare_cell(cell, *match->second.front(), comparison);
        }
    }
    return comparison;
}

BaselineComparison compare_experiments(const std::vector<RunRecord>& before, const std::vector<RunRecord>& after,
                                       const std::string& before_name) {
    BaselineComparison comparison;
    comparison.baseline = before_name;
    const std::vector<CellSamples> earlier = collect_cells(before);
    std::map<std::string, const CellSamples*> by_id;
    for (const CellSamples& cell : earlier) by_id[cell.cell_id] = &cell;
    for (const CellSamples& cell : collect_cells(after)) {
        auto match = by_id.find(cell.cell_id);
        if (match == by_id.end()) {
            comparison.notes.push_back(cell.cell_id + ": not in " + before_name);
            continue;
        }
        const std::vector<std::string> differences = settings_differences(match->second->settings, cell.settings);
        if (differences.empty()) {
            compare_cell(cell, *match->second, comparison);
            continue;
        }
        std::string listed;
        for (const std::string& difference : differences) listed += (listed.empty() ? "" : "; ") + difference;
        comparison.notes.push_back(cell.cell_id + ": not comparable, the settings differ (" + before_name +
                                   "'s value first): " + listed);
    }
    return comparison;
}

void print_comparison(const BaselineComparison& comparison, std::ostream& out) {
    if (comparison.rows.empty() && comparison.notes.empty()) return;
    out << "\nrelative performance against " << comparison.baseline
        << " (higher is better: 0.90 = 10% worse; 95% interval on the log scale; Welch's t-test, p adjusted by Holm "
           "over each cell's metrics, at 5%; unbounded: a mean's own interval reaches 0):\n";
    std::vector<std::vector<std::string>> table{{"cell", "metric", "relative", "95% interval", "p (Holm)", "verdict"}};
    for (const ComparisonRow& row : comparison.rows) {
        const std::string interval = row.relative.bounded ? "[" + fixed(row.relative.ci.low, 3) + ", " +
                                                                fixed(row.relative.ci.high, 3) + "]"
                                                          : "unbounded";
        table.push_back({row.cell_id, row.metric, fixed(row.relative.ratio, 3), interval, p_value_text(row.p_adjusted),
                         verdict_text(row.verdict)});
    }
    std::vector<std::size_t> widths(table.front().size(), 0);
    for (const auto& row : table)
        for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    for (const auto& row : table) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            const bool last = c + 1 == row.size();
            out << (c == 0 ? "" : "  ") << row[c] << (last ? "" : std::string(widths[c] - row[c].size(), ' '));
        }
        out << "\n";
    }
    for (const std::string& note : comparison.notes) out << "not compared: " << note << "\n";
}

}  // namespace platbench
