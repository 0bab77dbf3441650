#include "analysis/convergence.hpp"

#include <cmath>

#include "stats/statistics.hpp"

namespace platbench {
namespace {

// The metric that decides for one cell: the one asked for, or the first with a
// direction and a non-zero first value.
std::string deciding_metric(const RunRecord& run, const std::string& wanted) {
    for (const Metric& metric : run.metrics) {
        if (!wanted.empty() ? metric.name == wanted : metric.better != Better::None && metric.value != 0)
            return metric.name;
    }
    return {};
}

}  // namespace

std::map<std::string, CellConvergence> cell_convergence(const std::vector<RunRecord>& runs, const std::string& metric,
                                                        double target_fraction) {
    std::map<std::string, std::vector<double>> samples;
    std::map<std::string, CellConvergence> cells;
    for (const RunRecord& run : runs) {
        CellConvergence& cell = cells[run.cell_id];
        if (run.warmup || run.status != RunStatus::Ok) continue;
        if (cell.metric.empty()) cell.metric = deciding_metric(run, metric);
        for (const Metric& m : run.metrics)
            if (m.name == cell.metric) samples[run.cell_id].push_back(m.value);
    }
    for (auto& [cell_id, cell] : cells) {
        const std::vector<double>& values = samples[cell_id];
        cell.n = values.size();
        const Summary summary = summarize(values);
        cell.relative_half_width = (summary.ci95.high - summary.ci95.low) / 2 / std::fabs(summary.mean);
        cell.converged = std::isfinite(cell.relative_half_width) && cell.relative_half_width <= target_fraction;
    }
    return cells;
}

std::vector<std::size_t> cells_still_wide(const std::vector<Cell>& cells, const std::vector<RunRecord>& runs,
                                          const std::string& metric, double target_fraction) {
    const auto convergence = cell_convergence(runs, metric, target_fraction);
    std::vector<std::size_t> wide;
    for (const Cell& cell : cells) {
        auto it = convergence.find(cell.id);
        if (it == convergence.end() || it->second.metric.empty() || it->second.converged) continue;
        wide.push_back(cell.index);
    }
    return wide;
}

}  // namespace platbench
