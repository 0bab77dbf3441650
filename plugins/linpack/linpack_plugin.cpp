// The linpack workload: a dense random system Ax = b solved by LU with partial
// pivoting in OpenBLAS (dgetrf, dgetrs), rated and checked as HPL rates and
// checks it. The system and the check are in dense_system.cpp, the CPU's peak in
// cpu_peak.cpp.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "cpu_peak.hpp"
#include "dense_system.hpp"
#include "hpc_sizing.hpp"
#include "openblas.hpp"
#include "platbench/plugin.hpp"

namespace platbench::linpack {
namespace {

constexpr int kDefaultOrder = 4000;
// A, b, x and the pivots may take this share of the usable memory.
constexpr double kUsableMemoryShare = 0.9;

ParamTable linpack_params() {
    return {
        hpc::order_param("the order of Ax = b (4000 when neither n nor memory_fraction is given); exclusive with "
                         "memory_fraction"),
        hpc::memory_fraction_param("the matrix's size (8 n^2 bytes)"),
        hpc::threads_param("OpenBLAS threads (default: the CPUs the run may use)"),
        ParamSpec{
            .name = "seed",
            .type = ParamType::Integer,
            .default_value = "1",
            .help = "seed of the random matrix and right-hand side",
            .min = 0},
    };
}

MetricTable linpack_metrics() {
    return {
        {"gflops", "GFLOP/s", Better::Higher, kMetricCentral | kMetricHeadline,
         "HPL's rate: (2/3 n^3 + 2 n^2) floating-point operations over the factorisation and solve time"},
        {"solve_time", "s", Better::Lower, kMetricDetail, "time of the LU factorisation and the solve"},
        {"scaled_residual", "", Better::Lower, kMetricDetail,
         "||Ax-b||_inf / (eps (||A||_inf ||x||_inf + ||b||_inf) n): below 16 or the run fails, as in HPL"},
        {"peak_fraction", "", Better::Higher, kMetricDetail,
         "gflops over the CPUs' theoretical peak (where a frequency is visible)"},
    };
}

std::vector<std::string> cross_parameter_errors(const ParamValues& params) {
    return hpc::exclusive_errors(params, "n", "memory_fraction", "the size of the system");
}

double system_bytes(int n) {
    const double size = n;
    return 8.0 * size * size + 3 * 8.0 * size;  // A; b, x and the pivots
}

std::string residual_failure(double residual, int n) {
    std::ostringstream out;
    out << "the solution failed HPL's residual check: scaled residual " << residual << " is not below "
        << kResidualThreshold << " (n = " << n << "): the BLAS/LAPACK library or the machine computed a wrong answer";
    return out.str();
}

void add_peak(double gflops, int threads, const ObservedEnvironment& environment, WorkloadResult& result) {
    std::string why_not;
    const int first_cpu = environment.affinity.empty() ? 0 : environment.affinity.front();
    const int cpus = std::min(threads, std::max(1, environment.usable_cpus()));
    if (const auto peak = cpu_peak(cpus, first_cpu, why_not)) {
        result.metrics.push_back({"peak_fraction", gflops / peak->gflops, "", Better::Higher});
        result.info["peak_gflops"] = std::to_string(peak->gflops);
        result.info["peak_derivation"] = peak->derivation;
    } else {
        result.info["peak_gflops"] = "unknown: " + why_not;
    }
}

// Factorises and solves in place (b becomes x); returns the seconds it took.
double solve(int n, std::vector<double>& a, std::vector<double>& b) {
    std::vector<int> pivots(static_cast<std::size_t>(n));
    int info = 0;
    const int one = 1;
    const auto start = std::chrono::steady_clock::now();
    dgetrf_(&n, &n, a.data(), &n, pivots.data(), &info);
    if (info > 0) throw WorkloadError("the random matrix is singular (U(" + std::to_string(info) + ") is zero): change seed");
    if (info < 0) throw WorkloadError("dgetrf refused argument " + std::to_string(-info));
    dgetrs_("N", &n, &one, a.data(), &n, pivots.data(), b.data(), &n, &info, 1);
    if (info != 0) throw WorkloadError("dgetrs refused argument " + std::to_string(-info));
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class LinpackWorkload : public Workload {
public:
    std::vector<std::string> validate(const ParamValues& params) const override { return cross_parameter_errors(params); }

    WorkloadResult run(const WorkloadRunRequest& request) override {
        if (auto errors = cross_parameter_errors(request.params); !errors.empty()) throw WorkloadError(errors.front());
        const int n = hpc::order_of(request, kDefaultOrder);
        if (auto shortfall = hpc::memory_shortfall(system_bytes(n), kUsableMemoryShare, request.environment,
                                                   "the system of order " + std::to_string(n)))
            throw WorkloadError(*shortfall);
        const hpc::ThreadChoice threads = hpc::choose_threads(request.params, request.environment);
        const auto seed = static_cast<std::uint64_t>(request.params.integer("seed"));
        openblas_set_num_threads(threads.threads);
        if (request.log)
            request.log("linpack: n = " + std::to_string(n) + ", " + std::to_string(threads.threads) + " threads, " +
                        openblas_get_config());

        std::vector<double> a, x;
        fill_system(seed, n, a, x, threads.threads);
        if (request.stop_requested) throw WorkloadError("interrupted before the solve");
        const double seconds = solve(n, a, x);
        a = {};  // the check regenerates A: give its memory back first
        if (request.stop_requested) throw WorkloadError("interrupted after the solve, before its check");
        const double residual = scaled_residual(residual_norms(seed, n, x, threads.threads), n);
        if (!(residual < kResidualThreshold)) throw WorkloadError(residual_failure(residual, n));

        WorkloadResult result;
        if (threads.warning) result.warnings.push_back(*threads.warning);
        const double gflops = seconds > 0 ? 1e-9 * linpack_flops(n) / seconds : 0.0;
        result.metrics.push_back({"gflops", gflops, "GFLOP/s", Better::Higher});
        result.metrics.push_back({"solve_time", seconds, "s", Better::Lower});
        result.metrics.push_back({"scaled_residual", residual, "", Better::Lower});
        add_peak(gflops, threads.threads, request.environment, result);
        result.info["n"] = std::to_string(n);
        result.info["threads"] = std::to_string(threads.threads);
        result.info["blas_library"] = openblas_get_config();
        result.info["blas_kernel"] = openblas_get_corename();
        result.info["block_size"] = "chosen by OpenBLAS (its dgetrf takes none)";
        return result;
    }
};

PluginDescriptor make_linpack_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Workload;
    d.name = "linpack";
    d.description = "Linpack (HPL-class): a dense random system solved by LU with partial pivoting in OpenBLAS";
    d.params = linpack_params();
    d.metrics = linpack_metrics();
    d.create_workload = [] { return std::unique_ptr<Workload>(new LinpackWorkload()); };
    return d;
}

}  // namespace
}  // namespace platbench::linpack

PLATBENCH_PLUGIN(platbench::linpack::make_linpack_descriptor)
