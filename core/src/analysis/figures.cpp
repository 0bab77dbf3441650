// The report's figures: data files and gnuplot scripts written by platbench,
// drawn by gnuplot (no shell; the script is an argument) into SVG and PNG.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include "analysis/report.hpp"
#include "platbench/process.hpp"

namespace platbench {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPercentiles[] = {"p50", "p90", "p99", "p99_9"};

// The cells that run the same workload with the same parameters, baseline first.
struct WorkloadGroup {
    std::string title;                    // the baseline cell's id without its platform, or the first cell's
    bool block_io = false;
    std::vector<std::string> cells;       // cell ids
    std::vector<std::string> platforms;   // their platform instances
};

std::vector<WorkloadGroup> workload_groups(const ReportInput& input) {
    std::vector<WorkloadGroup> groups;
    std::map<std::string, std::size_t> index;
    for (const RunRecord& run : input.runs) {
        const std::string key = run.workload_instance + "\n" + run.workload_params.dump();
        auto [it, inserted] = index.emplace(key, groups.size());
        if (inserted) {
            const std::size_t slash = run.cell_id.find('/');
            groups.push_back({slash == std::string::npos ? run.cell_id : run.cell_id.substr(slash + 1),
                              run.workload_plugin == "blockio" || run.workload_plugin == "fio", {}, {}});
        }
        WorkloadGroup& group = groups[it->second];
        if (std::find(group.cells.begin(), group.cells.end(), run.cell_id) != group.cells.end()) continue;
        const bool baseline = run.platform_instance == input.comparison.baseline;
        group.cells.insert(baseline ? group.cells.begin() : group.cells.end(), run.cell_id);
        group.platforms.insert(baseline ? group.platforms.begin() : group.platforms.end(), run.platform_instance);
    }
    return groups;
}

// A gnuplot string literal: single quotes, a quote doubled.
// Names come from experiment files and databases: a control character (a newline
// above all) would end the string and the line, and gnuplot would run what follows
// as a command (it has system()). They become spaces.
char printable(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F ? ' ' : c; }

std::string one_line(std::string text) {
    for (char& c : text) c = printable(c);
    return text;
}

std::string quoted(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, printable(c));
    return out + "'";
}

// A label in a data file: gnuplot reads double-quoted strings there (not single-quoted).
std::string data_label(const std::string& text) {
    std::string out = "\"";
    for (char c : text) out += c == '"' || c == '\\' ? '\'' : printable(c);
    return out + "\"";
}

std::string number(double value) {
    if (!std::isfinite(value)) return "NaN";
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

std::string script_head(const std::string& stem, const std::string& title, const std::string& ylabel) {
    return "# Drawn by platbench; edit and run `gnuplot " + stem + ".gp` to redraw.\n"
           "set encoding utf8\nset title " + quoted(title) + "\nset ylabel " +
           quoted(ylabel) + "\nset key outside right top\nset grid ytics\n";
}

// The script draws the same plot twice: SVG for the HTML page, PNG for everything else.
std::string script_outputs(const std::string& stem, const std::string& plot) {
    // noenhanced: names such as read_lat_p99 are text, not subscripts.
    return "set terminal svg size 960,480 dynamic noenhanced font 'sans,11' background rgb 'white'\nset output " +
           quoted(stem + ".svg") + "\n" + plot +
           "\nset terminal pngcairo size 960,480 noenhanced font 'sans,10'\nset output " +
           quoted(stem + ".png") + "\nreplot\nunset output\n";
}

bool write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

// Ratios to the baseline per metric (rows), one bar with its interval per platform (columns).
std::optional<Figure> ratio_figure(const ReportInput& input, const WorkloadGroup& group, const fs::path& dir,
                                   const std::string& stem) {
    std::vector<std::string> metrics;
    std::map<std::pair<std::string, std::string>, const ComparisonRow*> rows;  // (metric, cell)
    for (const ComparisonRow& row : input.comparison.rows) {
        if (std::find(group.cells.begin(), group.cells.end(), row.cell_id) == group.cells.end()) continue;
        if (row.metric.find("_max") != std::string::npos || row.metric.find("stddev") != std::string::npos ||
            row.metric.find("_min") != std::string::npos)
            continue;  // extremes say little about the platform
        if (rows.count({row.metric, row.cell_id}) == 0 &&
            std::find(metrics.begin(), metrics.end(), row.metric) == metrics.end())
            metrics.push_back(row.metric);
        rows[{row.metric, row.cell_id}] = &row;
    }
    if (metrics.empty()) return std::nullopt;
    std::string data = "# metric, then ratio, interval low, interval high for each of:";
    for (std::size_t c = 1; c < group.cells.size(); ++c) data += " " + one_line(group.platforms[c]);
    data += "\n";
    for (const std::string& metric : metrics) {
        data += data_label(metric);
        for (std::size_t c = 1; c < group.cells.size(); ++c) {
            auto it = rows.find({metric, group.cells[c]});
            const RatioEstimate ratio = it == rows.end() ? RatioEstimate{NAN, {NAN, NAN}, false} : it->second->ratio;
            // An unbounded interval is drawn without a bar, not as an endless one.
            data += " " + number(ratio.ratio) + " " + number(ratio.bounded ? ratio.ci.low : ratio.ratio) + " " +
                    number(ratio.bounded ? ratio.ci.high : ratio.ratio);
        }
        data += "\n";
    }
    std::string plot = "plot ";
    for (std::size_t c = 1; c < group.cells.size(); ++c) {
        const std::size_t column = 2 + 3 * (c - 1);
        plot += (c == 1 ? quoted(stem + ".dat") : std::string("''")) + " using " + std::to_string(column) + ":" +
                std::to_string(column + 1) + ":" + std::to_string(column + 2) + (c == 1 ? ":xtic(1)" : "") +
                " title " + quoted(group.platforms[c]) + (c + 1 < group.cells.size() ? ", " : "");
    }
    const std::string title = group.title + ": each platform / " + input.comparison.baseline;
    const std::string script = script_head(stem, title, "ratio to " + input.comparison.baseline + " (1 = the same)") +
                               "set style data histogram\nset style histogram errorbars gap 2 lw 1\n"
                               "set style fill solid 0.7 border -1\nset boxwidth 0.9\nset yrange [0:*]\n"
                               "set xtics rotate by -30 nomirror\nset bars front\n"
                               "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb '#333333' front\n" +
                               script_outputs(stem, plot);
    if (!write_text(dir / (stem + ".dat"), data) || !write_text(dir / (stem + ".gp"), script)) return std::nullopt;
    return Figure{title, stem,
                  "Ratio of each platform's mean to " + input.comparison.baseline +
                      "'s for " + group.title + "; error bars: the 95% interval of the ratio (Fieller). "
                      "Above 1 is more of the metric: better for rates, worse for times and latencies."};
}

// Mean latency percentiles per platform, one line each (block I/O).
std::optional<Figure> latency_figure(const ReportInput& input, const WorkloadGroup& group, const fs::path& dir,
                                     const std::string& stem) {
    std::map<std::pair<std::string, std::string>, double> means;  // (cell, metric)
    for (const MetricSummaryRow& row : input.summary.rows) means[{row.cell_id, row.metric}] = row.mean;
    std::string data = "# percentile, then the mean latency in us of each of:";
    for (const std::string& platform : group.platforms) data += " " + one_line(platform);
    data += "\n";
    bool any = false;
    for (const char* direction : {"read", "write"}) {
        for (const char* percentile : kPercentiles) {
            const std::string metric = std::string(direction) + "_lat_" + percentile;
            std::string line = data_label(std::string(direction) + " " + percentile);
            bool present = false;
            for (const std::string& cell : group.cells) {
                auto it = means.find({cell, metric});
                present |= it != means.end();
                line += " " + (it == means.end() ? std::string("NaN") : number(it->second));
            }
            if (present) data += line + "\n", any = true;
        }
    }
    if (!any) return std::nullopt;
    std::string plot = "plot ";
    for (std::size_t c = 0; c < group.cells.size(); ++c)
        plot += (c == 0 ? quoted(stem + ".dat") : std::string("''")) + " using " + std::to_string(c + 2) +
                (c == 0 ? ":xtic(1)" : "") + " with linespoints lw 2 title " + quoted(group.platforms[c]) +
                (c + 1 < group.cells.size() ? ", " : "");
    const std::string title = group.title + ": latency percentiles";
    const std::string script = script_head(stem, title, "latency (us, log scale)") +
                               "set logscale y\nset xtics nomirror\n" + script_outputs(stem, plot);
    if (!write_text(dir / (stem + ".dat"), data) || !write_text(dir / (stem + ".gp"), script)) return std::nullopt;
    return Figure{title, stem,
                  "Mean over the repetitions of each latency percentile, per platform, for " + group.title + "."};
}

std::string draw(const fs::path& dir, const std::vector<Figure>& figures) {
    const std::optional<fs::path> gnuplot = find_program("gnuplot");
    if (!gnuplot) return "gnuplot is not installed (apt install gnuplot-nox); the data and scripts are in figures/";
    for (const Figure& figure : figures) {
        ChildRequest request;
        request.argv = {gnuplot->string(), figure.stem + ".gp"};
        request.working_directory = dir;
        request.timeout = std::chrono::seconds(60);
        const ChildOutcome outcome = run_child(request);
        if (!outcome.started || outcome.exit_code != 0)
            return "gnuplot could not draw " + figure.stem + ".gp: " +
                   (outcome.started ? outcome.stderr_text.substr(0, 500) : outcome.failure);
    }
    return {};
}

}  // namespace

FigureSet write_figures(const ReportInput& input, const fs::path& dir) {
    FigureSet set;
    fs::create_directories(dir);
    int counter = 0;
    for (const WorkloadGroup& group : workload_groups(input)) {
        if (group.cells.size() > 1 && group.platforms.front() == input.comparison.baseline)
            if (auto figure = ratio_figure(input, group, dir, "ratio-" + std::to_string(++counter)))
                set.figures.push_back(*figure);
        if (group.block_io)
            if (auto figure = latency_figure(input, group, dir, "latency-" + std::to_string(++counter)))
                set.figures.push_back(*figure);
    }
    if (!set.figures.empty()) set.problem = draw(dir, set.figures);
    return set;
}

}  // namespace platbench
