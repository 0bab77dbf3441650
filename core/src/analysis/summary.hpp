// The end-of-run table: per cell and metric, n, mean, stddev, min, max over the
// measured (non-warmup) runs that succeeded; failed and skipped runs are counted
// beside it, never averaged in.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "store/result_store.hpp"

namespace platbench {

struct MetricSummaryRow {
    std::string cell_id;
    std::string metric;
    std::string unit;
    std::size_t n = 0;
    double mean = 0, stddev = 0, min = 0, max = 0;
    double median = 0, cv = 0;   // cv: stddev / |mean|
    double ci95_half_width = 0;  // mean +- this is the 95% confidence interval (NaN when n < 2)
    std::size_t outliers = 0;    // runs flagged by the median absolute deviation (kept, not dropped)
};

struct CellOutcomeCount {
    std::string cell_id;
    std::size_t ok = 0, failed = 0, skipped = 0;
    std::string last_reason;  // of a failed or skipped run
};

struct ExperimentSummary {
    std::vector<MetricSummaryRow> rows;
    std::vector<CellOutcomeCount> cells;  // in order of first appearance
    // Caveats a platform attached to its runs' figures ("emulation": TCG is not
    // KVM performance), one line per platform instance, printed under the table.
    std::vector<std::string> notes;
};

ExperimentSummary summarize_runs(const std::vector<RunRecord>& runs);

// `runs` stably sorted into the matrix order of `cells` (the experiment record's
// "cells": [{"id": ...}, ...]), so that tables list cells as the file does, not
// in the shuffled order they ran in. Cells not listed go last. Runs of a cell id
// whose settings differ from the cell's (its config hash) are renamed
// "<id> (settings <hash>)": analysis never pools two configurations. Every
// analysis reads its runs through this.
std::vector<RunRecord> in_matrix_order(std::vector<RunRecord> runs, const nlohmann::json& cells);
void print_summary(const ExperimentSummary& summary, std::ostream& out);

}  // namespace platbench
