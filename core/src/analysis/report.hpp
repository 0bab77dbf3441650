// `platbench report`: one experiment's results as a self-contained directory —
// report.md and report.html (results, comparison with the baseline, validity
// checks, environment) and figures drawn by gnuplot, whose data and scripts stay
// beside them for the reader to tweak.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "analysis/comparison_table.hpp"
#include "analysis/validity.hpp"
#include "analysis/summary.hpp"
#include "store/result_store.hpp"

namespace platbench {

struct ReportInput {
    ExperimentRecord experiment;
    std::vector<RunRecord> runs;  // in the file's cell order
    ExperimentSummary summary;
    BaselineComparison comparison;
    std::vector<ValidityFinding> findings;
};

// The experiment `id`, or the newest one. Throws std::runtime_error when there is none.
ReportInput load_report_input(ResultStore& store, std::optional<std::int64_t> id);

struct Figure {
    std::string title;
    std::string stem;      // figures/<stem>.{dat,gp,svg,png}
    std::string caption;
};

struct FigureSet {
    std::vector<Figure> figures;
    std::string problem;   // why no image was drawn (no gnuplot, gnuplot failed); empty when all were
};

// Writes the data and gnuplot script of every figure into `dir`, and draws them
// (SVG and PNG) when gnuplot is installed. Per workload and parameters: the ratio
// of each platform to the baseline for each metric with a better direction, with
// the 95% interval as error bars; for block I/O, the latency percentiles per platform.
FigureSet write_figures(const ReportInput& input, const std::filesystem::path& dir);

void write_markdown_report(const ReportInput& input, const FigureSet& figures, std::ostream& out);
void write_html_report(const ReportInput& input, const FigureSet& figures, std::ostream& out);

// The whole directory: report.md, report.html, figures/. Returns the figures' problem, if any.
std::string write_report(const ReportInput& input, const std::filesystem::path& dir);

}  // namespace platbench
