// The report's figures: data files and gnuplot scripts written by platbench,
// drawn by gnuplot (no shell; the script is an argument) into SVG and PNG.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "analysis/metric_roles.hpp"
#include "analysis/plugin_traits.hpp"
#include "analysis/report.hpp"
#include "store/run_caveats.hpp"
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
    const PluginTraits traits = PluginTraits::from_experiment(input.experiment.config);
    for (const RunRecord& run : input.runs) {
        const std::string key = run.workload_instance + "\n" + run.workload_params.dump();
        auto [it, inserted] = index.emplace(key, groups.size());
        if (inserted) {
            const std::size_t slash = run.cell_id.find('/');
            groups.push_back({slash == std::string::npos ? run.cell_id : run.cell_id.substr(slash + 1),
                              traits.block_io(run.workload_plugin), {}, {}});
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

// The platforms of a workload other than the baseline, in the order their cells
// appear, each with whether its figures are emulated (the platform said so).
struct ComparedPlatform {
    std::string name;
    bool emulated = false;
};

std::vector<ComparedPlatform> compared_platforms(const ReportInput& input, const std::string& workload) {
    std::vector<ComparedPlatform> platforms;
    for (const RunRecord& run : input.runs) {
        if (run.workload_instance != workload || run.platform_instance == input.comparison.baseline) continue;
        auto known = std::find_if(platforms.begin(), platforms.end(),
                                  [&](const ComparedPlatform& p) { return p.name == run.platform_instance; });
        if (known == platforms.end()) known = platforms.insert(platforms.end(), {run.platform_instance, false});
        if (emulation_caveat(run)) known->emulated = true;
    }
    return platforms;
}

// One figure per workload, as the studies draw theirs: for each of its cells'
// headline metrics (a row), every other platform's relative performance to the
// baseline (higher is better) with its 95% interval, and the baseline at 1. On a
// log axis when a platform is more than 5 times away, so that an emulated VM at
// 1/50 does not flatten the containers' bars; emulated platforms are marked.
std::optional<Figure> headline_figure(const ReportInput& input, const std::string& workload, const fs::path& dir,
                                      const std::string& stem) {
    const MetricRoles roles = MetricRoles::from_experiment(input.experiment.config);
    const std::vector<ComparedPlatform> platforms = compared_platforms(input, workload);
    if (platforms.empty()) return std::nullopt;
    // Rows: each baseline cell of the workload and its headline metrics; the
    // cells of the other platforms that run the same are found through the rows' baselines.
    std::vector<std::pair<std::string, std::string>> categories;  // (baseline cell, metric)
    std::set<std::string> seen_cells;
    for (const RunRecord& run : input.runs) {
        if (run.workload_instance != workload || run.platform_instance != input.comparison.baseline ||
            run.warmup || run.status != RunStatus::Ok || !seen_cells.insert(run.cell_id).second)
            continue;
        for (const std::string& metric : roles.headlines(run.workload_plugin, run.metrics))
            categories.push_back({run.cell_id, metric});
    }
    std::map<std::string, std::string> platform_of;  // cell -> its platform instance
    for (const RunRecord& run : input.runs) platform_of.emplace(run.cell_id, run.platform_instance);
    std::map<std::tuple<std::string, std::string, std::string>, const ComparisonRow*> by_platform;  // (base cell, metric, platform)
    for (const ComparisonRow& row : input.comparison.rows) by_platform[{row.baseline_cell_id, row.metric, platform_of[row.cell_id]}] = &row;
    std::string data = "# category, then relative performance, interval low, interval high for each of:";
    for (const ComparedPlatform& platform : platforms) data += " " + one_line(platform.name);
    data += "\n";
    bool far = false, any = false, any_unbounded = false;
    for (const auto& [cell, metric] : categories) {
        const std::size_t slash = cell.find('/');
        const std::string params = slash == std::string::npos ? "" : cell.substr(slash + 1);
        const std::size_t second = params.find('/');
        data += data_label((second == std::string::npos ? metric : params.substr(second + 1) + " " + metric));
        for (const ComparedPlatform& platform : platforms) {
            auto it = by_platform.find({cell, metric, platform.name});
            const RatioEstimate r = it == by_platform.end() ? RatioEstimate{NAN, {NAN, NAN}, false} : it->second->relative;
            const double low = r.bounded ? r.ci.low : r.ratio, high = r.bounded ? r.ci.high : r.ratio;
            data += " " + number(r.ratio) + " " + number(low) + " " + number(high);
            if (std::isfinite(r.ratio)) {
                any = true;
                any_unbounded = any_unbounded || !r.bounded;
                far = far || r.ratio > 5 || r.ratio < 0.2;
            }
        }
        data += "\n";
    }
    if (!any) return std::nullopt;
    std::string plot = "plot ";
    const double spread = 0.6 / static_cast<double>(platforms.size());
    for (std::size_t p = 0; p < platforms.size(); ++p) {
        const std::size_t column = 2 + 3 * p;
        const double offset = -0.3 + spread * (static_cast<double>(p) + 0.5);
        plot += (p == 0 ? quoted(stem + ".dat") : std::string("''")) + " using ($0" + (offset < 0 ? "" : "+") +
                number(offset) + "):" + std::to_string(column) + ":" + std::to_string(column + 1) + ":" +
                std::to_string(column + 2) + (p == 0 ? ":xtic(1)" : "") + " with yerrorbars lw 2 ps 1.6 pt " +
                (platforms[p].emulated ? "6" : "7") + " title " +
                quoted(platforms[p].name + (platforms[p].emulated ? " (emulated)" : "")) +
                (p + 1 < platforms.size() ? ", " : "");
    }
    const std::string title = workload + ": relative performance against " + input.comparison.baseline;
    const std::string axis = far ? "set logscale y\nset yrange [*:*]\n" : "set yrange [0:*]\n";
    const std::string script =
        script_head(stem, title, std::string("relative performance (higher is better") + (far ? ", log scale)" : ")")) +
        axis + "set xrange [-0.6:" + number(static_cast<double>(categories.size()) - 0.4) + "]\n" +
        "set xtics rotate by -25 nomirror\nset bars 2\n"
        "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 2 lc rgb '#333333' front\n"
        "set label 1 " + quoted(input.comparison.baseline + " = 1") + " at graph 0.01, first 1 offset 0,0.7 front\n" +
        script_outputs(stem, plot);
    if (!write_text(dir / (stem + ".dat"), data) || !write_text(dir / (stem + ".gp"), script)) return std::nullopt;
    return Figure{title, stem,
                  "Each platform's relative performance to " + input.comparison.baseline + " on " + workload +
                      "'s headline metrics (higher is better: rates as measured, times and latencies inverted), "
                      "with the 95% interval (log scale); the dashed line is " + input.comparison.baseline +
                      (far ? "; the axis is logarithmic because a platform is more than 5 times away" : "") +
                      (any_unbounded ? "; a point without a bar has no bounded interval (a mean's own interval "
                                       "reaches 0: too noisy to bound the ratio)"
                                     : "") +
                      ". Hollow points: emulated platforms, whose figures are not hardware performance."};
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
    // First the answer: one headline figure per workload.
    std::vector<std::string> workloads;
    for (const RunRecord& run : input.runs)
        if (std::find(workloads.begin(), workloads.end(), run.workload_instance) == workloads.end())
            workloads.push_back(run.workload_instance);
    for (const std::string& workload : workloads)
        if (auto figure = headline_figure(input, workload, dir, "relative-" + std::to_string(++counter)))
            set.figures.push_back(*figure);
    // Then the latency percentiles of each block I/O job.
    for (const WorkloadGroup& group : workload_groups(input)) {
        if (group.block_io)
            if (auto figure = latency_figure(input, group, dir, "latency-" + std::to_string(++counter)))
                set.figures.push_back(*figure);
    }
    if (!set.figures.empty()) set.problem = draw(dir, set.figures);
    return set;
}

}  // namespace platbench
