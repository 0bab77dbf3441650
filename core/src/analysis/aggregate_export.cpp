#include "analysis/aggregate_export.hpp"

#include <map>
#include <ostream>
#include <stdexcept>

#include "analysis/comparison_table.hpp"
#include "analysis/summary.hpp"
#include "stats/statistics.hpp"
#include "util/csv.hpp"

namespace platbench {
namespace {

struct MetricSamples {
    const RunRecord* first_run = nullptr;  // platform and workload of the cell
    Metric declaration;
    std::vector<double> values;
};

void export_experiment(ResultStore& store, const ExperimentRecord& experiment, std::ostream& out) {
    const std::vector<RunRecord> runs =
        in_matrix_order(store.runs(experiment.id), experiment.config.value("cells", nlohmann::json::array()));
    std::vector<std::pair<std::string, std::string>> order;  // (cell, metric)
    std::map<std::pair<std::string, std::string>, MetricSamples> samples;
    for (const RunRecord& run : runs) {
        if (run.warmup || run.status != RunStatus::Ok) continue;
        for (const Metric& metric : run.metrics) {
            auto [it, inserted] = samples.try_emplace({run.cell_id, metric.name});
            if (inserted) order.push_back(it->first), it->second = {&run, metric, {}};
            it->second.values.push_back(metric.value);
        }
    }
    const BaselineComparison comparison = compare_with_baseline(runs, experiment.config.value("baseline", ""));
    std::map<std::pair<std::string, std::string>, const ComparisonRow*> compared;
    for (const ComparisonRow& row : comparison.rows) compared[{row.cell_id, row.metric}] = &row;

    for (const auto& key : order) {
        const MetricSamples& metric = samples.at(key);
        const Summary s = summarize(metric.values);
        std::vector<std::string> fields = {std::to_string(experiment.id), experiment.name, key.first,
                                           metric.first_run->platform_instance, metric.first_run->workload_instance,
                                           key.second, metric.declaration.unit, better_name(metric.declaration.better),
                                           std::to_string(s.n), shortest_number(s.mean), shortest_number(s.median),
                                           shortest_number(s.stddev), shortest_number(s.cv),
                                           shortest_number(s.ci95.low), shortest_number(s.ci95.high),
                                           shortest_number(s.min), shortest_number(s.max), std::to_string(s.outliers)};
        if (auto row = compared.find(key); row != compared.end()) {
            const ComparisonRow& c = *row->second;
            fields.insert(fields.end(), {c.baseline_cell_id, shortest_number(c.ratio.ratio),
                                         c.ratio.bounded ? shortest_number(c.ratio.ci.low) : "",
                                         c.ratio.bounded ? shortest_number(c.ratio.ci.high) : "",
                                         shortest_number(c.p_value), verdict_text(c.verdict),
                                         shortest_number(c.relative.ratio),
                                         c.relative.bounded ? shortest_number(c.relative.ci.low) : "",
                                         c.relative.bounded ? shortest_number(c.relative.ci.high) : "",
                                         shortest_number(c.p_adjusted)});
        } else {
            fields.insert(fields.end(), 10, "");
        }
        out << csv_row(fields);
    }
}

}  // namespace

void export_aggregated_csv(ResultStore& store, std::optional<std::int64_t> experiment_id, std::ostream& out) {
    out << csv_row({"experiment_id", "experiment", "cell", "platform", "workload", "metric", "unit", "better", "n",
                    "mean", "median", "stddev", "cv", "ci95_low", "ci95_high", "min", "max", "outliers",
                    "baseline_cell", "ratio", "ratio_ci95_low", "ratio_ci95_high", "p_value", "verdict",
                    "relative_performance", "relative_ci95_low", "relative_ci95_high", "p_holm"});
    if (experiment_id) {
        const auto experiment = store.experiment(*experiment_id);
        if (!experiment) throw std::runtime_error("no experiment with id " + std::to_string(*experiment_id));
        export_experiment(store, *experiment, out);
        return;
    }
    for (const ExperimentRecord& experiment : store.experiments()) export_experiment(store, experiment, out);
}

}  // namespace platbench
