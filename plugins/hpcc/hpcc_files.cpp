#include "hpcc_files.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "hpl_rules.hpp"

namespace platbench::hpcc {
namespace {

constexpr std::size_t kMaxKeyLength = 64;
constexpr std::size_t kMaxValueLength = 256;
constexpr std::size_t kMaxSummaryLines = 10'000;

// One line per setting: value first, then HPL's description of it (ignored by hpcc).
std::string hpl_lines(const HpccProblem& problem) {
    std::ostringstream out;
    out << "HPLinpack benchmark input file\n"
        << "written by platbench for one process\n"
        << "HPL.out      output file name (if any)\n"
        << "8            device out (6=stdout,7=stderr,file)\n"
        << "1            # of problems sizes (N)\n"
        << problem.n << "         Ns\n"
        << "1            # of NBs\n"
        << problem.block_size << "          NBs\n"
        << "0            PMAP process mapping (0=Row-,1=Column-major)\n"
        << "1            # of process grids (P x Q)\n"
        << "1            Ps\n"
        << "1            Qs\n"
        << "16.0         threshold\n"
        << "1            # of panel fact\n"
        << "2            PFACTs (0=left, 1=Crout, 2=Right)\n"
        << "1            # of recursive stopping criterium\n"
        << "4            NBMINs (>= 1)\n"
        << "1            # of panels in recursion\n"
        << "2            NDIVs\n"
        << "1            # of recursive panel fact.\n"
        << "1            RFACTs (0=left, 1=Crout, 2=Right)\n"
        << "1            # of broadcast\n"
        << "1            BCASTs (0=1rg,1=1rM,2=2rg,3=2rM,4=Lng,5=LnM)\n"
        << "1            # of lookahead depth\n"
        << "1            DEPTHs (>=0)\n"
        << "2            SWAP (0=bin-exch,1=long,2=mix)\n"
        << "64           swapping threshold\n"
        << "0            L1 in (0=transposed,1=no-transposed) form\n"
        << "0            U  in (0=transposed,1=no-transposed) form\n"
        << "1            Equilibration (0=no,1=yes)\n"
        << "8            memory alignment in double (> 0)\n";
    return out.str();
}

std::optional<double> number(const std::map<std::string, std::string>& summary, const std::string& key) {
    const auto it = summary.find(key);
    if (it == summary.end() || it->second.empty()) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    const double value = std::strtod(it->second.c_str(), &end);
    if (errno != 0 || end == it->second.c_str() || *end != '\0' || !std::isfinite(value)) return std::nullopt;
    return value;
}

double required(const std::map<std::string, std::string>& summary, const std::string& key) {
    const std::optional<double> value = number(summary, key);
    if (!value) throw WorkloadError("hpcc's summary has no valid " + key + ": its output is incomplete or damaged");
    return *value;
}

void add_linpack(const std::map<std::string, std::string>& summary, HpccFigures& figures) {
    const double n = required(summary, "HPL_N");
    const double seconds = required(summary, "HPL_time");
    if (n < 1 || n > 1e7 || seconds <= 0) throw WorkloadError("hpcc's summary has an impossible HPL_N or HPL_time");
    const int order = static_cast<int>(n);
    hpl::ResidualNorms norms{required(summary, "HPL_RnormI"), required(summary, "HPL_AnormI"),
                                 required(summary, "HPL_XnormI"), required(summary, "HPL_BnormI")};
    const double residual = hpl::scaled_residual(norms, order);
    // The same rate as linpack's (2/3 n^3 + 2 n^2 over the time), from HPL's time.
    figures.metrics.push_back({"gflops", 1e-9 * hpl::linpack_flops(order) / seconds, "GFLOP/s", Better::Higher});
    figures.metrics.push_back({"solve_time", seconds, "s", Better::Lower});
    figures.metrics.push_back({"scaled_residual", residual, "", Better::Lower});
    figures.info["n"] = std::to_string(order);
    if (const auto tflops = summary.find("HPL_Tflops"); tflops != summary.end()) figures.info["hpl_tflops"] = tflops->second;
    if (const auto nb = summary.find("HPL_NB"); nb != summary.end()) figures.info["block_size"] = nb->second;
    if (!(residual < hpl::kResidualThreshold)) {
        std::ostringstream out;
        out << "hpcc's HPL failed its residual check: scaled residual " << residual << " is not below "
            << hpl::kResidualThreshold;
        figures.failures.push_back(out.str());
    }
}

void add_randomaccess(const std::map<std::string, std::string>& summary, HpccFigures& figures) {
    const double gups = required(summary, "SingleRandomAccess_GUPs");
    if (gups < 0) throw WorkloadError("hpcc's summary has a negative SingleRandomAccess_GUPs");
    figures.metrics.push_back({"gups", gups, "GUP/s", Better::Higher});
    if (const auto words = number(summary, "RandomAccess_N"); words && *words >= 1) {
        figures.info["table_bytes"] = std::to_string(static_cast<std::uint64_t>(*words) * 8);
    }
    figures.info["gups_threads"] = "1 (HPCC's SingleRandomAccess: one process, one thread)";
}

}  // namespace

std::string input_file(const HpccProblem& problem) {
    // Past line 32 (a separator hpcc ignores): no extra PTRANS sizes or blocks.
    return hpl_lines(problem) +
           "##### This line (no. 32) is ignored (it serves as a separator). ######\n"
           "0                      \t\tNumber of additional problem sizes for PTRANS\n"
           "1200 10000 30000        \tvalues of N\n"
           "0                       \tnumber of additional blocking sizes for PTRANS\n"
           "40 9 8 13 13 20 16 32 64       \tvalues of NB\n";
}

std::map<std::string, std::string> summary_section(const std::string& output) {
    const std::string begin = "Begin of Summary section.\n";
    const std::size_t start = output.find(begin);
    if (start == std::string::npos)
        throw WorkloadError("hpcc's output has no summary section: it stopped before the end of its tests");
    const std::size_t end = output.find("End of Summary section.", start);
    if (end == std::string::npos) throw WorkloadError("hpcc's summary section is not terminated: its output is cut short");
    std::map<std::string, std::string> summary;
    std::istringstream lines(output.substr(start + begin.size(), end - start - begin.size()));
    std::string line;
    std::size_t count = 0;
    while (std::getline(lines, line) && ++count <= kMaxSummaryLines) {
        const std::size_t equals = line.find('=');
        if (equals == std::string::npos || equals == 0 || equals > kMaxKeyLength) continue;
        if (line.size() - equals - 1 > kMaxValueLength) continue;
        summary.emplace(line.substr(0, equals), line.substr(equals + 1));
    }
    return summary;
}

HpccFigures figures_from_summary(const std::map<std::string, std::string>& summary) {
    HpccFigures figures;
    add_linpack(summary, figures);
    add_randomaccess(summary, figures);
    if (const auto success = number(summary, "Success"); !success || *success != 1)
        figures.failures.push_back("hpcc reports Success=" + (summary.count("Success") ? summary.at("Success") : std::string("(none)")) +
                                   ": one of its tests failed its own check");
    return figures;
}

}  // namespace platbench::hpcc
