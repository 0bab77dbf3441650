// Results for pandas and spreadsheets (CSV, "tidy": one row per run and metric)
// and for programs (JSON, every stored field).
#include "store/result_store.hpp"
#include "store/run_record_json.hpp"

#include "util/csv.hpp"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <ostream>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace platbench {

namespace {

// Non-finite values are stored as missing, so they export as an empty field.
std::string format_number(double value) { return shortest_number(value); }

class CsvWriter {
public:
    explicit CsvWriter(std::ostream& out) : out_(out) {}

    void row(std::initializer_list<std::string_view> fields) {
        bool first = true;
        for (const std::string_view field : fields) {
            if (!first) {
                out_ << ',';
            }
            out_ << csv_field(field);
            first = false;
        }
        out_ << '\n';
    }

private:
    std::ostream& out_;
};

std::vector<ExperimentRecord> selected_experiments(ResultStore& store, std::optional<std::int64_t> experiment_id) {
    if (!experiment_id) {
        return store.experiments();
    }
    auto record = store.experiment(*experiment_id);
    if (!record) {
        throw std::runtime_error(store.path().string() + ": no experiment with id " + std::to_string(*experiment_id));
    }
    return {std::move(*record)};
}

void write_csv_runs(CsvWriter& csv, const ExperimentRecord& experiment, const std::vector<RunRecord>& runs) {
    const std::string experiment_id = std::to_string(experiment.id);
    for (const RunRecord& run : runs) {
        const std::string run_id = std::to_string(run.id);
        const std::string repetition = std::to_string(run.repetition);
        const std::string_view warmup = run.warmup ? "true" : "false";
        auto write = [&](std::string_view metric, std::string_view value, std::string_view unit,
                         std::string_view better) {
            csv.row({experiment_id, experiment.name, run_id, run.cell_id, run.platform_instance, run.platform_plugin,
                     run.workload_instance, run.workload_plugin, repetition, warmup, run_status_name(run.status),
                     run.reason, run.started_at, run.ended_at, metric, value, unit, better});
        };
        // A run without metrics (failed, skipped) still gets its row, so a
        // count of rows per cell shows what did not run.
        if (run.metrics.empty()) {
            write("", "", "", "");
        }
        for (const Metric& metric : run.metrics) {
            write(metric.name, format_number(metric.value), metric.unit, better_name(metric.better));
        }
    }
}

void export_csv(ResultStore& store, const std::vector<ExperimentRecord>& experiments, std::ostream& out) {
    CsvWriter csv(out);
    csv.row({"experiment_id", "experiment", "run_id", "cell_id", "platform", "platform_plugin", "workload",
             "workload_plugin", "repetition", "warmup", "status", "reason", "started_at", "ended_at", "metric",
             "value", "unit", "better"});
    for (const ExperimentRecord& experiment : experiments) {
        write_csv_runs(csv, experiment, store.runs(experiment.id));
    }
}

nlohmann::json experiment_to_json(const ExperimentRecord& experiment) {
    return {{"id", experiment.id},
            {"name", experiment.name},
            {"file", experiment.file},
            {"file_hash", experiment.file_hash},
            {"created_at", experiment.created_at},
            {"config", experiment.config},
            {"host", experiment.host},
            {"planned_runs", experiment.planned_runs}};
}

void export_json(ResultStore& store, const std::vector<ExperimentRecord>& experiments, std::ostream& out) {
    nlohmann::json document = {{"experiments", nlohmann::json::array()}};
    for (const ExperimentRecord& experiment : experiments) {
        nlohmann::json entry = experiment_to_json(experiment);
        nlohmann::json runs = nlohmann::json::array();
        for (const RunRecord& run : store.runs(experiment.id)) {
            runs.push_back(run_to_json(run));
        }
        entry["runs"] = std::move(runs);
        document["experiments"].push_back(std::move(entry));
    }
    // A workload's stderr may hold invalid UTF-8: replace it rather than fail the export.
    out << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace

void export_results(ResultStore& store, std::optional<std::int64_t> experiment_id, ExportFormat format,
                    std::ostream& out) {
    const std::vector<ExperimentRecord> experiments = selected_experiments(store, experiment_id);
    if (format == ExportFormat::Csv) {
        export_csv(store, experiments, out);
    } else {
        export_json(store, experiments, out);
    }
    if (!out) {
        throw std::runtime_error(store.path().string() + ": export failed: cannot write the output");
    }
}

}  // namespace platbench
