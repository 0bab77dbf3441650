// `platbench report` end to end: a real experiment's results become report.md,
// report.html and gnuplot figures, and a real browser (headless Chromium) renders
// the page with every figure loaded; a missing figure is caught. Without Chromium
// the browser checks are skipped, except under CI=true where setup installs it.
#include <doctest/doctest.h>

#include <cstdlib>
#include <sstream>

#include "command.hpp"
#include "analysis/fingerprint.hpp"
#include "analysis/plugin_traits.hpp"
#include "analysis/report.hpp"
#include "integration.hpp"
#include "platbench/process.hpp"

namespace fs = std::filesystem;
using test::contains;
using platbench::RunStatus;

namespace {

// native against a second native pinned to CPU 0: two platforms, every figure kind.
const char* kExperiment = R"(experiment: report-test
repetitions: 3
warmup: 0
seed: 5
platforms:
  - plugin: native
  - plugin: native
    name: pinned
    cpuset: "0"
workloads:
  - plugin: stream
    array_size: 200k
    ntimes: 3
  - plugin: blockio
    pattern: randread
    file_size: 4MiB
    direct: false
    runtime: 0.2s
)";

// One experiment's results for the whole test process.
const fs::path& results() {
    static const fs::path dir = [] {
        const fs::path scratch = test::scratch("report");
        test::write_file(scratch / "e.yaml", kExperiment);
        const auto run = test::run_cli({"run", (scratch / "e.yaml").string(), "--output", (scratch / "results").string()},
                                       scratch);
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        return scratch / "results";
    }();
    return dir;
}

fs::path make_report(const std::string& name) {
    const fs::path dir = results().parent_path() / name;
    fs::remove_all(dir);
    const auto report = test::run_cli({"report", results().string(), "--output", dir.string()}, results().parent_path());
    INFO(report.err);
    REQUIRE(report.exit_code == 0);
    CHECK(contains(report.out, "report: " + (dir / "report.html").string()));
    return dir;
}

// Whether a relative-performance figure's data (rows: "metric" ratio low high, per
// platform) holds a ratio above 5 or below 0.2.
bool ratios_beyond_5x(const std::string& data) {
    std::istringstream lines(data);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line.substr(line.rfind('"') + 1));
        for (double ratio = 0, low = 0, high = 0; fields >> ratio >> low >> high;)
            if (ratio > 5 || ratio < 0.2) return true;
    }
    return false;
}

// Chromium, headless, on a local file: the page after its scripts ran, or a screenshot.
platbench::ChildOutcome chromium(const std::vector<std::string>& options, const fs::path& page) {
    platbench::ChildRequest request;
    request.argv = {platbench::find_program("chromium").value_or("chromium").string(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--hide-scrollbars", "--user-data-dir=" + (page.parent_path() / ".chromium").string()};
    request.argv.insert(request.argv.end(), options.begin(), options.end());
    request.argv.push_back("file://" + page.string());
    request.timeout = std::chrono::seconds(120);
    return platbench::run_child(request);
}

std::string browser_problem() {
    return platbench::find_program("chromium") ? std::string() : "chromium is not installed (apt install chromium)";
}

}  // namespace

TEST_CASE("report writes report.md, report.html and the figures with their data and gnuplot scripts") {
    const fs::path dir = make_report("report-files");
    const std::string markdown = test::read_file(dir / "report.md");
    CHECK(contains(markdown, "# platbench report: report-test"));
    CHECK(contains(markdown, "## Validity checks"));
    CHECK(contains(markdown, "[page-cache]"));  // buffered I/O on 4 MiB: flagged
    CHECK(contains(markdown, "## Compared with native"));
    CHECK(contains(markdown, "| pinned/stream | triad_best_rate | higher |"));
    CHECK(contains(markdown, "| pinned/blockio | read_iops | higher |"));
    CHECK(contains(markdown, "| seed | 5 |"));
    CHECK(contains(markdown, "| cell | metric | unit | n | mean | ±95% | median | stddev | CV | min | max | outliers |"));
    CHECK(contains(markdown, "| pinned (native) |"));  // the platforms' fingerprints
    REQUIRE(platbench::find_program("gnuplot"));  // scripts/setup.sh installs gnuplot-nox
    // The headline figure of each workload first, then the block I/O latency percentiles.
    for (const char* stem : {"relative-1", "relative-2", "latency-3"}) {
        CAPTURE(stem);
        for (const char* extension : {".dat", ".gp", ".svg", ".png"})
            CHECK(fs::file_size(dir / "figures" / (std::string(stem) + extension)) > 0);
        CHECK(contains(markdown, std::string("(figures/") + stem + ".svg)"));
    }
    const std::string stream_data = test::read_file(dir / "figures" / "relative-1.dat");
    CHECK(contains(stream_data, "\"copy_best_rate\""));  // headline metrics only
    CHECK(contains(stream_data, "\"triad_best_rate\""));
    CHECK_FALSE(contains(stream_data, "scale_best_rate"));
    const std::string io_data = test::read_file(dir / "figures" / "relative-2.dat");
    CHECK(contains(io_data, "\"read_iops\""));  // one parameter combination: a row named by its metric
    CHECK(contains(io_data, "\"read_lat_p99\""));
    const std::string script = test::read_file(dir / "figures" / "relative-1.gp");
    CHECK(contains(script, "first 1 to graph 1, first 1"));  // the baseline's line at 1
    // A linear axis unless a platform is 5x away from the baseline, then a log one. The
    // figures are measured (pinned to one CPU, on a busy machine): the data decides.
    CHECK(contains(script, ratios_beyond_5x(stream_data) ? "set logscale y" : "set yrange [0:*]"));
    CHECK(test::read_file(dir / "figures" / "relative-1.svg").find("<svg") != std::string::npos);
    CHECK(markdown.find("## At a glance") < markdown.find("(figures/relative-1.svg)"));
    CHECK(markdown.find("(figures/relative-1.svg)") < markdown.find("## Validity checks"));
}

TEST_CASE("without gnuplot the report is still written, saying why there are no figures") {
    const fs::path dir = results().parent_path() / "report-no-gnuplot";
    const char* old_path = std::getenv("PATH");
    const std::string saved = old_path != nullptr ? old_path : "";
    ::setenv("PATH", "/nonexistent", 1);
    const auto report = test::run_cli({"report", results().string(), "--output", dir.string()}, results().parent_path());
    ::setenv("PATH", saved.c_str(), 1);
    CHECK(report.exit_code == 0);
    CHECK(contains(report.err, "figures not drawn: gnuplot is not installed"));
    CHECK(contains(test::read_file(dir / "report.md"), "Figures not drawn: gnuplot is not installed"));
    CHECK_FALSE(contains(test::read_file(dir / "report.html"), "<img"));
}

TEST_CASE("headless Chromium renders the report with every figure loaded, and a screenshot is taken") {
    if (const std::string problem = browser_problem(); !problem.empty()) PLATBENCH_SKIP("no-program", problem);
    const fs::path dir = make_report("report-browser");
    const auto dom = chromium({"--virtual-time-budget=10000", "--dump-dom"}, dir / "report.html");
    INFO(dom.stderr_text);
    REQUIRE(dom.exit_code == 0);
    CHECK(contains(dom.stdout_text, "<body data-figures=\"ok\">"));
    CHECK(contains(dom.stdout_text, "Compared with native"));

    const fs::path screenshot = dir / "screenshot.png";
    const auto shot = chromium({"--window-size=1200,3000", "--screenshot=" + screenshot.string()}, dir / "report.html");
    REQUIRE(shot.exit_code == 0);
    REQUIRE(fs::exists(screenshot));
    CHECK(fs::file_size(screenshot) > 20000);
    CHECK(test::read_file(screenshot).substr(1, 3) == "PNG");
}

TEST_CASE("the browser check fails a page with a missing figure") {
    if (const std::string problem = browser_problem(); !problem.empty()) PLATBENCH_SKIP("no-program", problem);
    const fs::path dir = make_report("report-broken");
    fs::remove(dir / "figures" / "relative-2.svg");
    const auto dom = chromium({"--virtual-time-budget=10000", "--dump-dom"}, dir / "report.html");
    REQUIRE(dom.exit_code == 0);
    CHECK(contains(dom.stdout_text, "data-figures=\"broken: figures/relative-2.svg\""));
}

TEST_CASE("text from results is escaped in the HTML report") {
    platbench::ReportInput input;
    input.experiment.name = "x";
    input.comparison.baseline = "native";
    platbench::MetricSummaryRow row;
    row.cell_id = "native/<script>alert(1)</script>";
    row.metric = "m&m";
    row.unit = "\"u\"";
    input.summary.rows.push_back(row);
    input.findings.push_back({"noise", "<b>cell</b>", "it's <noisy>", true, "", ""});
    std::ostringstream html;
    platbench::write_html_report(input, {}, html);
    CHECK_FALSE(contains(html.str(), "<script>alert"));
    CHECK(contains(html.str(), "native/&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(contains(html.str(), "m&amp;m"));
    CHECK(contains(html.str(), "it&#39;s &lt;noisy&gt;"));
    std::ostringstream markdown;
    row.cell_id = "a|b";
    input.summary.rows = {row};
    platbench::write_markdown_report(input, {}, markdown);
    CHECK(contains(markdown.str(), "| a\\|b |"));
}

TEST_CASE("a check that finds the same thing in several cells is one finding of the report, its cells under it") {
    platbench::ReportInput input;
    input.experiment.name = "x";
    input.comparison.baseline = "native";
    const std::string summary = "central metrics vary by more than 10% of their mean between runs";
    input.findings.push_back({"host-load", "host", "the load average was 2.14", true});
    input.findings.push_back({"noise", "native/stream", "its central metrics vary by 35%", true, "35%", summary});
    input.findings.push_back({"noise", "kvm/stream", "its central metrics vary by 22%", true, "22%", summary});
    std::ostringstream markdown;
    platbench::write_markdown_report(input, {}, markdown);
    CHECK(contains(markdown.str(), "- warning — host: the load average was 2.14 [host-load]\n"
                                   "- warning — 2 cells: " + summary + " [noise]\n"
                                   "  - native/stream: its central metrics vary by 35%\n"
                                   "  - kvm/stream: its central metrics vary by 22%\n"));
    std::ostringstream html;
    platbench::write_html_report(input, {}, html);
    CHECK(contains(html.str(), "<li class=\"warning\">warning — 2 cells: " + summary + " [noise]\n<ul>\n"
                               "<li>native/stream: its central metrics vary by 35%</li>\n"
                               "<li>kvm/stream: its central metrics vary by 22%</li>\n</ul></li>\n"));
}

TEST_CASE("export --aggregate writes one row per cell and metric with its statistics and its ratio to the baseline") {
    const auto exported = test::run_cli({"export", results().string(), "--aggregate"}, results().parent_path());
    INFO(exported.err);
    REQUIRE(exported.exit_code == 0);
    std::istringstream lines(exported.out);
    std::string header, line;
    std::getline(lines, header);
    CHECK(header.rfind("experiment_id,experiment,cell,platform,workload,metric,unit,better,n,mean,median", 0) == 0);
    CHECK(header.find(",ratio,ratio_ci95_low,ratio_ci95_high,p_value,verdict") != std::string::npos);
    std::size_t rows = 0, compared = 0;
    bool triad_seen = false;
    while (std::getline(lines, line)) {
        ++rows;
        if (contains(line, ",pinned/stream,pinned,stream,triad_best_rate,MB/s,higher,3,")) {
            triad_seen = true;
            CHECK(contains(line, ",native/stream,"));  // its baseline cell
        }
        if (contains(line, "faster") || contains(line, "slower") || contains(line, "no significant difference"))
            ++compared;
    }
    CHECK(triad_seen);
    // stream has 16 metrics, blockio 17; every pinned metric with a direction is compared.
    CHECK(rows == 2 * (16 + 17));
    CHECK(compared > 16);

    const auto json = test::run_cli({"export", results().string(), "--aggregate", "--format", "json"},
                                    results().parent_path());
    CHECK(json.exit_code == 2);
    CHECK(contains(json.err, "--aggregate writes CSV"));
}

TEST_CASE("compare A B: B's cells as ratios to A's, after checking their fingerprints") {
    const fs::path scratch = results().parent_path();
    std::string again = kExperiment;
    again.replace(again.find("seed: 5"), 7, "seed: 6");
    test::write_file(scratch / "again.yaml", again);
    const auto run = test::run_cli({"run", (scratch / "again.yaml").string(), "--output", (scratch / "again").string()},
                                   scratch);
    REQUIRE(run.exit_code == 0);
    const auto compared = test::run_cli({"compare", results().string(), (scratch / "again").string()}, scratch);
    INFO(compared.err);
    REQUIRE(compared.exit_code == 0);
    CHECK(contains(compared.out, "B = " + (scratch / "again").string() + ", experiment 1"));
    CHECK(contains(compared.out, "the fingerprints of the platforms in both match"));  // same host, same build
    CHECK(contains(compared.out, "relative performance against A"));
    CHECK(contains(compared.out, "native/stream"));  // every cell, the baseline's too
    CHECK(contains(compared.out, "pinned/blockio"));

    const auto usage = test::run_cli({"compare", results().string()}, scratch);
    CHECK(usage.exit_code == 2);
}

TEST_CASE("fingerprints name what differs between two experiments' platforms") {
    platbench::ExperimentRecord before, after;
    before.host = {{"kernel", "6.1.0"}, {"transparent_hugepages", "madvise"}, {"cpu_model", "Xeon"}};
    after.host = {{"kernel", "6.18.4"}, {"transparent_hugepages", "madvise"}, {"cpu_model", "Xeon"}};
    platbench::RunRecord old_run, new_run;
    // What the platform's plugin declared identifies it: one metadata key and one setting.
    platbench::PluginDescriptor vm;
    vm.kind = platbench::PluginKind::Platform;
    vm.name = "vm_plugin";
    vm.fingerprint_metadata = {"qemu_version"};
    vm.params = {
        platbench::ParamSpec{.name = "disk_cache", .type = platbench::ParamType::String, .fingerprint = true},
        platbench::ParamSpec{.name = "vcpus", .type = platbench::ParamType::Integer, .default_value = "1", .min = 1, .max = 8}};
    before.config["plugin_traits"] = after.config["plugin_traits"] = platbench::PluginTraits::to_json({&vm});
    old_run.platform_instance = new_run.platform_instance = "kvm";
    old_run.platform_plugin = new_run.platform_plugin = "vm_plugin";
    old_run.status = new_run.status = RunStatus::Ok;
    old_run.platform_metadata = {{"qemu_version", "7.2.0"}, {"boot_seconds", "5.1"}, {"libvirt_version", "9.0"}};
    new_run.platform_metadata = {{"qemu_version", "7.2.0"}, {"boot_seconds", "4.9"}, {"libvirt_version", "9.1"}};
    old_run.platform_settings = {{"disk_cache", "none"}, {"vcpus", 1}};
    new_run.platform_settings = {{"disk_cache", "writeback"}, {"vcpus", 2}};
    const auto fingerprint = platbench::run_fingerprint(after, new_run);
    CHECK(fingerprint["kernel"] == "6.18.4");
    CHECK(fingerprint["qemu_version"] == "7.2.0");
    CHECK_FALSE(fingerprint.contains("boot_seconds"));  // a measurement, not a condition
    CHECK_FALSE(fingerprint.contains("libvirt_version"));  // not declared by the plugin
    CHECK_FALSE(fingerprint.contains("vcpus"));  // a setting of the cell, not of what the platform is
    const auto differences = platbench::fingerprint_differences(before, {old_run}, after, {new_run});
    CHECK(differences == std::vector<std::string>{"kvm: disk_cache none -> writeback", "kvm: kernel 6.1.0 -> 6.18.4"});
}

TEST_CASE("text from results cannot break out of gnuplot's strings: a newline in a name runs no command") {
    // A cell name as an experiment file can make it (a parameter text with a
    // newline); gnuplot would take the line after it as a command, and gnuplot
    // has system().
    const fs::path dir = test::scratch("figure-injection");
    const std::string hostile = "blockio/directory:x'\nsystem('touch " + (dir / "INJECTED").string() + "')\n#";
    platbench::ReportInput input;
    input.experiment.name = "x";
    input.comparison.baseline = "native";
    for (const std::string& platform : std::vector<std::string>{"native", "other\nsystem('touch " + (dir / "INJECTED2").string() + "')"}) {
        platbench::RunRecord run;
        run.cell_id = platform + "/" + hostile;
        run.platform_instance = platform;
        run.workload_instance = "blockio";
        run.workload_plugin = "blockio";
        run.status = RunStatus::Ok;
        input.runs.push_back(run);
        platbench::MetricSummaryRow row;
        row.cell_id = run.cell_id;
        row.metric = "read_lat_p50";
        row.mean = 10;
        input.summary.rows.push_back(row);
    }
    // A comparison row, so that the headline figure (platform names in its legend) is written too.
    for (platbench::RunRecord& run : input.runs) run.metrics = {{"read_iops", 100, "IOPS", platbench::Better::Higher}};
    platbench::ComparisonRow row;
    row.cell_id = input.runs[1].cell_id;
    row.baseline_cell_id = input.runs[0].cell_id;
    row.metric = "read_iops";
    row.relative = {0.9, {0.8, 1.0}, true};
    input.comparison.rows.push_back(row);
    platbench::PluginDescriptor blockio;  // drawn with its latency percentiles, as it declares block I/O
    blockio.name = "blockio";
    blockio.flags = platbench::kWorkloadBlockIo;
    input.experiment.config["plugin_traits"] = platbench::PluginTraits::to_json({&blockio});
    const platbench::FigureSet figures = platbench::write_figures(input, dir / "figures");
    REQUIRE(figures.figures.size() == 2);
    for (const platbench::Figure& figure : figures.figures) {
        const std::string script = test::read_file(dir / "figures" / (figure.stem + ".gp"));
        CHECK_FALSE(contains(script, "\nsystem("));
    }
    CHECK_FALSE(fs::exists(dir / "INJECTED"));
    CHECK_FALSE(fs::exists(dir / "INJECTED2"));
}
