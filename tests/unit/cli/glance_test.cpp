// The answer at a glance, from a real run of two native platforms: the summary's
// shape, intervals that never go below 0, `platbench summary` printing what the
// run printed, and the report opening with the same verdict.
#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <vector>

#include <sstream>

#include "analysis/glance.hpp"
#include "command.hpp"

using test::contains;
using test::run_cli;
using test::scratch;
namespace fs = std::filesystem;

namespace {

// Two platforms, so that one is compared with the other; small STREAM and block I/O jobs.
std::string two_native_platforms() {
    return "experiment: glance\nrepetitions: 3\nplatforms:\n  - plugin: native\n  - plugin: native\n    name: pinned\n"
           "    cpuset: \"0\"\nworkloads:\n  - plugin: stream\n    array_size: 200k\n    ntimes: 3\n"
           "  - plugin: blockio\n    pattern: [randread, write]\n    file_size: 4MiB\n    runtime: 200ms\n";
}

// Every "[low-high]" and "[low, high]" interval in `text`.
std::vector<double> lower_bounds(const std::string& text) {
    std::vector<double> bounds;
    const std::regex interval(R"(\[(-?[0-9.e+]+)(?:-|, )-?[0-9.e+]+\])");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), interval); it != std::sregex_iterator(); ++it)
        bounds.push_back(std::stod((*it)[1]));
    return bounds;
}

}  // namespace

TEST_CASE("the end of a run is the answer at a glance, platbench summary prints the same, and no interval goes below 0") {
    const fs::path dir = scratch("glance");
    test::write_file(dir / "e.yaml", two_native_platforms());
    const auto run = run_cli({"run", (dir / "e.yaml").string(), "--output", (dir / "results").string()}, dir / "run");
    INFO(run.out, run.err);
    REQUIRE(run.exit_code == 0);
    // Sections in order: results, relative performance, validity, verdict.
    const std::size_t results = run.out.find("\nresults: ");
    const std::size_t relative = run.out.find("\nrelative performance against native");
    const std::size_t validity = run.out.find("\nvalidity checks");
    const std::size_t verdict = run.out.find("\nverdict\n");
    REQUIRE(results != std::string::npos);
    CHECK(results < relative);
    CHECK(relative < validity);
    CHECK(validity < verdict);
    // One line per cell with its headline metrics, one per compared cell.
    CHECK(test::count(run.out, "  native/stream ") == 1);
    CHECK(test::count(run.out, "  pinned/stream ") == 2);
    CHECK(contains(run.out, "copy_best_rate"));
    CHECK(contains(run.out, "triad_best_rate"));
    CHECK_FALSE(contains(run.out, "scale_best_rate"));  // not a headline metric
    CHECK(contains(run.out, "read_lat_p99"));
    CHECK(contains(run.out, "\n  pinned: on 6 headline comparisons with native"));
    for (const std::string& line : test::lines_of(run.out)) {
        CAPTURE(line);
        CHECK(test::columns(line) <= 120);
    }
    const std::vector<double> bounds = lower_bounds(run.out);
    // Every headline comparison has its interval, or says it has none (a mean too noisy to bound it).
    CHECK(bounds.size() + test::count(run.out, " [unbounded] ") == 6);
    for (double bound : bounds) CHECK(bound > 0);

    const auto summary = run_cli({"summary", (dir / "results").string()}, dir / "summary");
    CHECK(summary.exit_code == 0);
    CHECK(contains(run.out, summary.out));
    const auto all = run_cli({"summary", (dir / "results").string(), "--all"}, dir / "all");
    CHECK(all.out.rfind(summary.out, 0) == 0);  // the same, then every detail
    CHECK(contains(all.out, "scale_best_rate"));
    CHECK(contains(all.out, "p (Holm)"));
    for (double bound : lower_bounds(all.out)) CHECK(bound > 0);

    const auto report = run_cli({"report", (dir / "results").string(), "--output", (dir / "report").string()}, dir / "rep");
    REQUIRE(report.exit_code == 0);
    const std::string markdown = test::read_file(dir / "report" / "report.md");
    CHECK(markdown.find("## At a glance") < markdown.find("## Validity checks"));
    CHECK(contains(markdown, "- pinned: on 6 headline comparisons with native"));
    CHECK(contains(markdown, "relative-1.svg"));  // the workloads' headline figures come first
    const std::vector<double> reported = lower_bounds(markdown);
    CHECK(reported.size() + test::count(markdown, "unbounded |") >= 6);
    for (double bound : reported) CHECK(bound > 0);
}

TEST_CASE("at a glance, a check that concerns many cells names the worst three and counts them all") {
    platbench::ReportInput input;
    input.experiment.name = "noisy";
    const std::string summary = "central metrics vary by more than 10% of their mean between runs";
    int percent = 11;
    for (const char* cell : {"a/stream", "b/stream", "c/stream", "d/stream", "e/stream", "f/stream"}) {
        const std::string figure = std::to_string(percent++ * (cell[0] == 'c' ? 3 : 1)) + "%";
        input.findings.emplace_back("noise", cell, "its central metrics vary by " + figure, true, figure, summary);
    }
    input.findings.emplace_back("emulation", "kvm", "TCG: QEMU emulates the CPU; these figures are not KVM performance");
    input.summary.notes.push_back("kvm: TCG: QEMU emulates the CPU; these figures are not KVM performance");
    std::ostringstream out;
    platbench::print_glance(input, out);
    const std::string text = test::unwrapped(out.str());
    INFO(out.str());
    // c (39%) first, then f (16%) and e (15%): the noisiest; a, b and d only counted.
    CHECK(contains(text, summary + ": 6 cells, the worst c/stream (39%), f/stream (16%), e/stream (15%) (all in the report)"));
    CHECK_FALSE(contains(text, "a/stream"));
    // The platform's caveat is not said twice: the emulation finding says it.
    CHECK(test::count(text, "QEMU emulates the CPU") == 1);
}
