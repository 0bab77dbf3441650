// hpcc's input file and the reading of its summary, on real and damaged output.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "hpl_rules.hpp"
#include "command.hpp"
#include "hpcc_files.hpp"
#include "test_paths.hpp"

using namespace platbench::hpcc;

namespace {

// hpccoutf.txt of a real run: hpcc 1.5.0 (Debian 12), n = 2000, NB = 80, one process.
std::string real_output() {
    return test::read_file(std::filesystem::path(PLATBENCH_TEST_DATA_DIR) / "hpcc" / "hpccoutf_n2000_np1.txt");
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

double metric(const HpccFigures& figures, const std::string& name) {
    for (const auto& m : figures.metrics)
        if (m.name == name) return m.value;
    FAIL("no metric " << name);
    return 0;
}

std::string error_of(const std::string& output) {
    try {
        figures_from_summary(summary_section(output));
    } catch (const platbench::WorkloadError& e) {
        return e.what();
    }
    return "";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("the input file puts n, NB and a 1 x 1 grid on HPL's lines, and the PTRANS part after line 32") {
    const std::vector<std::string> lines = lines_of(input_file({5000, 192}));
    REQUIRE(lines.size() == 36);
    CHECK(lines[5].rfind("5000 ", 0) == 0);   // line 6: Ns
    CHECK(lines[7].rfind("192 ", 0) == 0);    // line 8: NBs
    CHECK(lines[10].rfind("1 ", 0) == 0);     // line 11: Ps
    CHECK(lines[11].rfind("1 ", 0) == 0);     // line 12: Qs
    CHECK(lines[12].rfind("16.0 ", 0) == 0);  // line 13: threshold
    CHECK(lines[31].rfind("#####", 0) == 0);  // line 32: the separator hpcc skips
    CHECK(lines[32].rfind("0 ", 0) == 0);     // no extra PTRANS sizes
}

TEST_CASE("a real hpcc output gives linpack's and randomaccess's metrics") {
    const HpccFigures figures = figures_from_summary(summary_section(real_output()));
    CHECK(figures.failures.empty());
    CHECK(metric(figures, "solve_time") == doctest::Approx(0.191897));
    CHECK(metric(figures, "gflops") == doctest::Approx(1e-9 * platbench::hpl::linpack_flops(2000) / 0.191897));
    const double residual = 1.44876e-12 / (std::ldexp(1.0, -53) * (522.676 * 4.05224 + 0.49996) * 2000);
    CHECK(metric(figures, "scaled_residual") == doctest::Approx(residual).epsilon(1e-4));
    CHECK(metric(figures, "gups") == doctest::Approx(0.215551));
    CHECK(figures.info.at("n") == "2000");
    CHECK(figures.info.at("block_size") == "80");
    CHECK(figures.info.at("table_bytes") == std::to_string(2097152 * 8));
}

TEST_CASE("damaged hpcc output is an error that names what is missing") {
    const std::string output = real_output();
    CHECK(error_of("") == "hpcc's output has no summary section: it stopped before the end of its tests");
    const std::size_t end = output.find("End of Summary section.");
    CHECK(error_of(output.substr(0, end - 40)).find("not terminated") != std::string::npos);
    CHECK(error_of(replaced(output, "HPL_time=0.191897", "HPL_time=fast")).find("no valid HPL_time") != std::string::npos);
    CHECK(error_of(replaced(output, "HPL_time=0.191897", "HPL_time=0.191897x")).find("HPL_time") != std::string::npos);
    CHECK(error_of(replaced(output, "HPL_time=0.191897", "HPL_time=inf")).find("HPL_time") != std::string::npos);
    CHECK(error_of(replaced(output, "HPL_time=0.191897", "HPL_time=0")).find("impossible") != std::string::npos);
    CHECK(error_of(replaced(output, "SingleRandomAccess_GUPs=0.215551", "")).find("SingleRandomAccess_GUPs") !=
          std::string::npos);
    // A line without '=', an overlong key and binary junk are skipped, not trusted.
    const std::string junk = replaced(output, "LANG=C\n", "LANG=C\nno equals sign\n" + std::string(500, 'k') + "=1\n\x01\x02=\n");
    CHECK(error_of(junk).empty());
}

TEST_CASE("hpcc's own failures are failures of the run: Success=0, a residual above 16") {
    const std::string output = real_output();
    const HpccFigures failed = figures_from_summary(summary_section(replaced(output, "Success=1", "Success=0")));
    REQUIRE(failed.failures.size() == 1);
    CHECK(failed.failures[0].find("Success=0") != std::string::npos);
    const HpccFigures wrong = figures_from_summary(summary_section(replaced(output, "HPL_RnormI=1.44876e-12", "HPL_RnormI=1")));
    REQUIRE_FALSE(wrong.failures.empty());
    CHECK(wrong.failures[0].find("residual check") != std::string::npos);
}
