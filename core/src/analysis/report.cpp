#include "analysis/report.hpp"

#include "analysis/fingerprint.hpp"
#include "analysis/glance.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <ostream>
#include <stdexcept>
#include <tuple>

namespace platbench {
namespace fs = std::filesystem;
namespace {

std::string figure_number(double value) {
    if (!std::isfinite(value)) return "-";
    char text[32];
    const double magnitude = std::fabs(value);
    std::snprintf(text, sizeof text, magnitude >= 1000 ? "%.1f" : magnitude >= 1 ? "%.3f" : "%.4g", value);
    return text;
}

std::string interval_text(const RatioEstimate& ratio) {
    if (!ratio.bounded) return "unbounded";
    return "[" + figure_number(ratio.ci.low) + ", " + figure_number(ratio.ci.high) + "]";
}

// A table as rows of cells: the same content for Markdown and HTML.
struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

Table results_table(const ReportInput& input) {
    Table table{{"cell", "metric", "unit", "n", "mean", "±95%", "median", "stddev", "CV", "min", "max", "outliers"}, {}};
    for (const MetricSummaryRow& row : input.summary.rows)
        table.rows.push_back({row.cell_id, row.metric, row.unit, std::to_string(row.n), figure_number(row.mean),
                              figure_number(row.ci95_half_width), figure_number(row.median), figure_number(row.stddev),
                              std::isfinite(row.cv) ? figure_number(row.cv * 100) + "%" : "-", figure_number(row.min),
                              figure_number(row.max), std::to_string(row.outliers)});
    return table;
}

Table comparison_table(const ReportInput& input) {
    Table table{{"cell", "metric", "better", "ratio", "relative", "95% interval", "p", "p (Holm)", "verdict"}, {}};
    for (const ComparisonRow& row : input.comparison.rows)
        table.rows.push_back({row.cell_id, row.metric, row.better == Better::Higher ? "higher" : "lower",
                              figure_number(row.ratio.ratio), figure_number(row.relative.ratio),
                              interval_text(row.relative), p_value_text(row.p_value), p_value_text(row.p_adjusted),
                              verdict_text(row.verdict)});
    return table;
}

Table environment_table(const ReportInput& input) {
    Table table{{"fact", "value"}, {}};
    const nlohmann::json& config = input.experiment.config;
    for (const char* key : {"repetitions", "warmup", "order", "seed", "baseline", "timeout_seconds"})
        if (config.contains(key)) table.rows.push_back({key, config[key].is_string() ? config[key].get<std::string>()
                                                                                     : config[key].dump()});
    for (const auto& [key, value] : input.experiment.host.items())
        table.rows.push_back({"host " + key, value.is_string() ? value.get<std::string>() : value.dump()});
    return table;
}

// Per platform instance, the comparability fingerprint of its first successful run
// (the host's part is in the environment table).
Table platforms_table(const ReportInput& input) {
    Table table{{"platform", "fingerprint"}, {}};
    std::vector<std::string> seen;
    for (const RunRecord& run : input.runs) {
        if (run.status != RunStatus::Ok) continue;
        if (std::find(seen.begin(), seen.end(), run.platform_instance) != seen.end()) continue;
        seen.push_back(run.platform_instance);
        std::string facts;
        const nlohmann::json fingerprint = run_fingerprint(input.experiment, run);  // outlives the loop's view
        for (const auto& [key, value] : fingerprint.items()) {
            if (input.experiment.host.contains(key)) continue;
            facts += (facts.empty() ? "" : "; ") + key + ": " + value.get<std::string>();
        }
        table.rows.push_back({run.platform_instance + " (" + run.platform_plugin + ")", facts.empty() ? "-" : facts});
    }
    return table;
}

std::string markdown_cell(const std::string& text) {
    std::string out;
    for (char c : text) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
    return out;
}

void markdown_table(const Table& table, std::ostream& out) {
    if (table.rows.empty()) {
        out << "(none)\n\n";
        return;
    }
    for (const std::string& cell : table.header) out << "| " << markdown_cell(cell) << " ";
    out << "|\n";
    for (std::size_t i = 0; i < table.header.size(); ++i) out << "|---";
    out << "|\n";
    for (const auto& row : table.rows) {
        for (const std::string& cell : row) out << "| " << markdown_cell(cell) << " ";
        out << "|\n";
    }
    out << "\n";
}

std::string html_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

void html_table(const Table& table, std::ostream& out) {
    if (table.rows.empty()) {
        out << "<p>(none)</p>\n";
        return;
    }
    out << "<table>\n<thead><tr>";
    for (const std::string& cell : table.header) out << "<th>" << html_escape(cell) << "</th>";
    out << "</tr></thead>\n<tbody>\n";
    for (const auto& row : table.rows) {
        out << "<tr>";
        for (const std::string& cell : row) out << "<td>" << html_escape(cell) << "</td>";
        out << "</tr>\n";
    }
    out << "</tbody>\n</table>\n";
}

std::string finding_line(const ValidityFinding& finding) {
    return std::string(finding.warning ? "warning" : "note") + " — " + finding.subject + ": " + finding.message +
           " [" + finding.check + "]";
}

// One check that found the same thing in several cells (noise) is one finding of
// the report, its cells listed under it with each one's own words; every other
// finding stands alone (no cells under it).
struct ReportedFinding {
    std::string line;
    bool warning = true;
    std::vector<std::string> cells;  // "cell: its message"
};

std::vector<ReportedFinding> reported_findings(const std::vector<ValidityFinding>& findings) {
    std::vector<ReportedFinding> reported;
    std::map<std::tuple<std::string, std::string, bool>, std::size_t> group_of;  // (check, summary, warning)
    for (const ValidityFinding& finding : findings) {
        if (finding.summary.empty()) {
            reported.push_back({finding_line(finding), finding.warning, {}});
            continue;
        }
        auto [group, added] =
            group_of.try_emplace({finding.check, finding.summary, finding.warning}, reported.size());
        if (added) reported.push_back({"", finding.warning, {}});
        reported[group->second].cells.push_back(finding.subject + ": " + finding.message);
    }
    for (auto& [key, index] : group_of) {
        const auto& [check, summary, warning] = key;
        const std::size_t cells = reported[index].cells.size();
        reported[index].line = std::string(warning ? "warning" : "note") + " — " + std::to_string(cells) +
                               (cells == 1 ? " cell: " : " cells: ") + summary + " [" + check + "]";
    }
    return reported;
}

std::string headline(const ReportInput& input) {
    return "platbench report: " + input.experiment.name + " (experiment " + std::to_string(input.experiment.id) + ")";
}

std::string run_counts(const ReportInput& input) {
    std::size_t ok = 0, failed = 0, skipped = 0;
    for (const RunRecord& run : input.runs) {
        switch (run.status) {
            case RunStatus::Ok: ++ok; break;
            case RunStatus::Failed: ++failed; break;
            case RunStatus::Skipped: ++skipped; break;
        }
    }
    return std::to_string(input.runs.size()) + " runs stored: " + std::to_string(ok) + " ok, " +
           std::to_string(failed) + " failed, " + std::to_string(skipped) + " skipped; started " +
           input.experiment.created_at + " from " + input.experiment.file;
}

const char* kHtmlStyle = R"(body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}th,td{border:1px solid #ccc;padding:0.25em 0.6em}
th{background:#f0f0f0}td{text-align:right}td:first-child,td:nth-child(2){text-align:left}
.warning{color:#8a4b00}.note{color:#555}figure{margin:1.5em 0}img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:0.9em;color:#444})";

// Marks the page when every figure has loaded, so a browser check can tell a broken page.
const char* kFigureCheck = R"(<script>
window.addEventListener('load', function () {
  var broken = [];
  document.querySelectorAll('img').forEach(function (img) {
    if (!img.complete || img.naturalWidth === 0) broken.push(img.getAttribute('src'));
  });
  document.body.setAttribute('data-figures', broken.length ? 'broken: ' + broken.join(' ') : 'ok');
});
</script>)";

}  // namespace

ReportInput load_report_input(ResultStore& store, std::optional<std::int64_t> id) {
    std::optional<ExperimentRecord> experiment;
    if (id) {
        experiment = store.experiment(*id);
    } else {
        const std::vector<ExperimentRecord> all = store.experiments();
        if (!all.empty()) experiment = all.back();
    }
    if (!experiment)
        throw std::runtime_error(id ? "no experiment " + std::to_string(*id) + " in these results"
                                    : std::string("these results hold no experiment"));
    ReportInput input;
    input.experiment = *experiment;
    input.runs = in_matrix_order(store.runs(experiment->id), experiment->config.value("cells", nlohmann::json::array()));
    input.summary = summarize_runs(input.runs);
    input.comparison = compare_with_baseline(input.runs, experiment->config.value("baseline", ""));
    input.findings = check_validity(input.runs, experiment->host, input.comparison, limits_for(experiment->config));
    return input;
}

void write_markdown_report(const ReportInput& input, const FigureSet& figures, std::ostream& out) {
    out << "# " << headline(input) << "\n\n" << run_counts(input) << ".\n\n";
    if (!input.experiment.config.value("description", "").empty())
        out << input.experiment.config.value("description", "") << "\n\n";
    out << "## At a glance\n\n";
    const std::vector<std::string> verdicts = verdict_sentences(input);
    if (verdicts.empty()) out << "No platform was compared with " << markdown_cell(input.comparison.baseline) << ".\n";
    for (const std::string& sentence : verdicts) out << "- " << markdown_cell(sentence) << "\n";
    out << "\n";
    if (!figures.problem.empty()) out << "Figures not drawn: " << figures.problem << "\n\n";
    for (const Figure& figure : figures.figures)
        out << "![" << markdown_cell(figure.title) << "](figures/" << figure.stem << ".svg)\n\n*" << figure.caption
            << "*\n\n";
    out << "## Validity checks\n\n";
    if (input.findings.empty()) out << "No check found a problem.\n";
    for (const ReportedFinding& finding : reported_findings(input.findings)) {
        out << "- " << markdown_cell(finding.line) << "\n";
        for (const std::string& cell : finding.cells) out << "  - " << markdown_cell(cell) << "\n";
    }
    out << "\n## Compared with " << input.comparison.baseline << "\n\n"
        << "The ratio of the means, the relative performance (higher is better: the ratio for rates, its inverse for "
           "times and latencies, so that 0.90 is 10% worse), the relative performance's 95% interval (on the log "
           "scale, so never below 0; unbounded where a mean's own interval reaches 0), Welch's two-sided p, that p adjusted by Holm's method over the metrics of the "
           "cell (a family of tests), and the verdict at 5% from the adjusted p.\n\n";
    markdown_table(comparison_table(input), out);
    for (const std::string& note : input.comparison.notes) out << "- not compared: " << markdown_cell(note) << "\n";
    out << "## Results\n\nMeasured runs that succeeded; warmups and failed runs are not in the figures.\n\n";
    markdown_table(results_table(input), out);
    for (const std::string& note : input.summary.notes) out << "- note: " << markdown_cell(note) << "\n";
    out << "\n## Platforms\n\n";
    markdown_table(platforms_table(input), out);
    out << "## Environment\n\n";
    markdown_table(environment_table(input), out);
}

void write_html_report(const ReportInput& input, const FigureSet& figures, std::ostream& out) {
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        << html_escape(headline(input)) << "</title>\n<style>" << kHtmlStyle << "</style>\n</head>\n<body>\n<h1>"
        << html_escape(headline(input)) << "</h1>\n<p>" << html_escape(run_counts(input)) << ".</p>\n";
    out << "<h2>At a glance</h2>\n<ul>\n";
    const std::vector<std::string> verdicts = verdict_sentences(input);
    if (verdicts.empty()) out << "<li>No platform was compared with " << html_escape(input.comparison.baseline) << ".</li>\n";
    for (const std::string& sentence : verdicts) out << "<li>" << html_escape(sentence) << "</li>\n";
    out << "</ul>\n";
    if (!figures.problem.empty()) out << "<p class=\"warning\">Figures not drawn: " << html_escape(figures.problem) << "</p>\n";
    for (const Figure& figure : figures.figures)
        out << "<figure><img src=\"figures/" << html_escape(figure.stem) << ".svg\" alt=\"" << html_escape(figure.title)
            << "\"><figcaption>" << html_escape(figure.caption) << "</figcaption></figure>\n";
    out << "<h2>Validity checks</h2>\n<ul>\n";
    if (input.findings.empty()) out << "<li>No check found a problem.</li>\n";
    for (const ReportedFinding& finding : reported_findings(input.findings)) {
        out << "<li class=\"" << (finding.warning ? "warning" : "note") << "\">" << html_escape(finding.line);
        if (!finding.cells.empty()) {
            out << "\n<ul>\n";
            for (const std::string& cell : finding.cells) out << "<li>" << html_escape(cell) << "</li>\n";
            out << "</ul>";
        }
        out << "</li>\n";
    }
    out << "</ul>\n<h2>Compared with " << html_escape(input.comparison.baseline) << "</h2>\n"
        << "<p>The ratio of the means, the relative performance (higher is better: the ratio for rates, its inverse "
           "for times and latencies, so that 0.90 is 10% worse), the relative performance's 95% interval (on the "
           "log scale, so never below 0; unbounded where a mean's own interval reaches 0), Welch's two-sided p, that p adjusted by Holm's method over the metrics of "
           "the cell (a family of tests), and the verdict at 5% from the adjusted p.</p>\n";
    html_table(comparison_table(input), out);
    out << "<h2>Results</h2>\n";
    html_table(results_table(input), out);
    out << "<h2>Platforms</h2>\n";
    html_table(platforms_table(input), out);
    out << "<h2>Environment</h2>\n";
    html_table(environment_table(input), out);
    out << kFigureCheck << "\n</body>\n</html>\n";
}

std::string write_report(const ReportInput& input, const fs::path& dir) {
    fs::create_directories(dir);
    FigureSet figures = write_figures(input, dir / "figures");
    if (!figures.problem.empty()) figures.figures.clear();  // no images to point at
    // Each file is written beside its place and renamed: a failed report leaves no half page.
    for (const auto& [name, writer] :
         {std::pair{"report.md", &write_markdown_report}, std::pair{"report.html", &write_html_report}}) {
        const fs::path partial = dir / (std::string(name) + ".partial");
        {
            std::ofstream out(partial, std::ios::binary | std::ios::trunc);
            writer(input, figures, out);
            if (!out) throw std::runtime_error("cannot write " + partial.string());
        }
        fs::rename(partial, dir / name);
    }
    return figures.problem;
}

}  // namespace platbench
