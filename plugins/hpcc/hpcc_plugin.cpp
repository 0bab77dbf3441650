// The hpcc workload: the real HPC Challenge (Debian package hpcc), the reference
// for linpack and randomaccess as fio is for blockio. platbench writes hpcc's
// input for the problem (HPL's n and block size; HPCC sizes RandomAccess's table
// from n), runs hpcc as one MPI process whose OpenBLAS uses `threads` threads, and
// reads its summary into the same metric names: gflops, solve_time,
// scaled_residual (HPL), gups (SingleRandomAccess, one thread).
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "external_program.hpp"
#include "hpc_sizing.hpp"
#include "hpcc_files.hpp"
#include "platbench/plugin.hpp"
#include "platbench/process.hpp"

namespace platbench::hpcc {
namespace {

namespace fs = std::filesystem;

constexpr const char* kProgram = "hpcc";
constexpr int kDefaultOrder = 4000;
constexpr std::uintmax_t kMaxOutputBytes = 4u << 20;
// HPL's matrix, and HPCC's other tests sized from it, may take this share of the usable memory.
constexpr double kUsableMemoryShare = 0.5;

ParamTable hpcc_params() {
    return {
        hpc::order_param("HPL's order (4000 when neither n nor memory_fraction is given); RandomAccess's table is "
                         "the largest power of two of 64-bit words up to n^2; exclusive with memory_fraction"),
        hpc::memory_fraction_param("HPL's matrix (8 n^2 bytes)"),
        ParamSpec{
            .name = "block_size",
            .type = ParamType::Integer,
            .default_value = "192",
            .help = "HPL's block size NB",
            .min = 1,
            .max = 4096},
        hpc::threads_param("OpenBLAS threads of HPL (default: the CPUs the run may use); RandomAccess runs on one"),
    };
}

MetricTable hpcc_metrics() {
    return {
        {"gflops", "GFLOP/s", Better::Higher, kMetricCentral | kMetricHeadline,
         "HPL: (2/3 n^3 + 2 n^2) floating-point operations over HPL's time, as linpack reports"},
        {"solve_time", "s", Better::Lower, kMetricDetail, "HPL's time"},
        {"scaled_residual", "", Better::Lower, kMetricDetail, "HPL's scaled residual, as linpack computes it"},
        {"gups", "GUP/s", Better::Higher, kMetricCentral | kMetricHeadline,
         "HPCC's SingleRandomAccess: giga-updates per second of one thread"},
    };
}

std::vector<std::string> cross_parameter_errors(const ParamValues& params) {
    return hpc::exclusive_errors(params, "n", "memory_fraction", "HPL's order");
}

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out.flush()) throw WorkloadError("cannot write " + path.string());
}

std::string read_output(const fs::path& path) {
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) throw WorkloadError("hpcc wrote no " + path.filename().string() + " (its output file)");
    if (size > kMaxOutputBytes) throw WorkloadError("hpcc's output is larger than 4 MiB: not hpcc's, refused");
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// hpcc is an MPI program: Open MPI loads its components (and PMIx its own) from
// their library directories at run time, reads its help texts and settings, and
// a singleton process starts Open MPI's daemon, orted. The bundle ships all of
// these (d.programs, d.program_files). Where MPI_Init still fails, that is a
// platform this reference cannot run on, not a failed run.
#ifndef PLATBENCH_LIBRARY_ARCHITECTURE
#define PLATBENCH_LIBRARY_ARCHITECTURE "x86_64-linux-gnu"
#endif
const std::vector<std::string> kMpiRuntimeFiles = {
    "/usr/lib/" PLATBENCH_LIBRARY_ARCHITECTURE "/openmpi",
    "/usr/lib/" PLATBENCH_LIBRARY_ARCHITECTURE "/pmix2",
    "/usr/share/openmpi",
    "/etc/openmpi",
};

bool mpi_could_not_start(const ChildOutcome& outcome) {
    for (const char* sign : {"opal_init", "orte_init", "MPI_Init", "ompi_mpi_init", "mca_base_component"}) {
        if (outcome.stderr_text.find(sign) != std::string::npos || outcome.stdout_text.find(sign) != std::string::npos)
            return true;
    }
    return false;
}

void check_outcome(const ChildOutcome& outcome, const fs::path& program) {
    if (outcome.cancelled) throw WorkloadError("interrupted: hpcc was stopped before it finished");
    if (!outcome.started) throw WorkloadError("cannot start " + program.string() + ": " + outcome.failure);
    if (outcome.term_signal == 0 && outcome.exit_code == 0) return;
    const std::string excerpt = external::stderr_excerpt(outcome.stderr_text + outcome.stdout_text);
    if (mpi_could_not_start(outcome))
        throw WorkloadUnavailable("hpcc's MPI runtime (Open MPI) cannot start in this platform (the bundle ships it "
                                  "when hpcc is installed on the host as it is built). Open MPI said: " + excerpt);
    if (outcome.term_signal != 0)
        throw WorkloadError("hpcc was killed by signal " + std::to_string(outcome.term_signal) + ": " + excerpt);
    throw WorkloadError("hpcc failed (exit status " + std::to_string(outcome.exit_code) + "): " + excerpt);
}

// Open MPI keeps its session directory (and sockets, whose paths must stay short)
// under $TMPDIR or /tmp: the scratch directory only where /tmp is not writable.
std::map<std::string, std::string> session_directory_environment(const fs::path& scratch) {
    if (::access("/tmp", W_OK) == 0) return {};
    return {{"TMPDIR", scratch.string()}};
}

ChildOutcome run_hpcc(const fs::path& program, const fs::path& directory, int threads, const WorkloadRunRequest& request) {
    ChildRequest child;
    child.argv = {program.string()};
    child.cancel = &request.stop_requested;
    child.timeout = std::chrono::duration<double>(1e18);  // the engine's timeout ends the runner, and hpcc with it
    child.working_directory = directory;
    child.extra_environment = {
        {"OPENBLAS_NUM_THREADS", std::to_string(threads)},
        {"OMP_NUM_THREADS", std::to_string(threads)},
        // One process: shared memory and self only, and Open MPI's own channel on
        // loopback, so nothing listens on or sends to another interface.
        {"OMPI_MCA_btl", "self,vader"},
        {"OMPI_MCA_oob_tcp_if_include", "lo"},
        {"OMPI_MCA_btl_tcp_if_include", "lo"},
        // The one node's daemon is started directly (Open MPI's singleton starts orted),
        // never through ssh, which containers and VMs do not have.
        {"OMPI_MCA_plm", "isolated"},
        // Runners run as root in containers and VMs; Open MPI refuses root unless told.
        {"OMPI_ALLOW_RUN_AS_ROOT", "1"},
        {"OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"},
    };
    child.extra_environment.merge(session_directory_environment(directory));
    ChildOutcome outcome = run_child(child);
    check_outcome(outcome, program);
    return outcome;
}

class HpccWorkload : public Workload {
public:
    std::vector<std::string> validate(const ParamValues& params) const override { return cross_parameter_errors(params); }

    WorkloadResult run(const WorkloadRunRequest& request) override {
        if (auto errors = cross_parameter_errors(request.params); !errors.empty()) throw WorkloadError(errors.front());
        const std::optional<fs::path> program = external::find_bundled_program(kProgram);
        if (!program)
            throw WorkloadUnavailable("hpcc is not installed on this host: apt install hpcc "
                                      "(or put hpcc on PATH, and rebuild the bundle for containers and VMs)");
        const HpccProblem problem{hpc::order_of(request, kDefaultOrder), static_cast<int>(request.params.integer("block_size"))};
        const double n = problem.n;
        if (auto shortfall = hpc::memory_shortfall(8.0 * n * n, kUsableMemoryShare, request.environment,
                                                   "HPL's matrix of order " + std::to_string(problem.n)))
            throw WorkloadError(*shortfall);
        const hpc::ThreadChoice threads = hpc::choose_threads(request.params, request.environment);

        external::ScratchDir scratch(request.work_dir.empty() ? fs::temp_directory_path() : request.work_dir,
                                     "platbench-hpcc-");
        write_file(scratch.path() / "hpccinf.txt", input_file(problem));
        if (request.log)
            request.log("hpcc: " + program->string() + " in " + scratch.path().string() + ", n = " +
                        std::to_string(problem.n) + ", NB = " + std::to_string(problem.block_size) + ", " +
                        std::to_string(threads.threads) + " OpenBLAS threads");
        run_hpcc(*program, scratch.path(), threads.threads, request);

        HpccFigures figures = figures_from_summary(summary_section(read_output(scratch.path() / "hpccoutf.txt")));
        if (!figures.failures.empty()) throw WorkloadError(figures.failures.front());
        WorkloadResult result;
        result.metrics = std::move(figures.metrics);
        result.info = std::move(figures.info);
        if (threads.warning) result.warnings.push_back(*threads.warning);
        result.info["threads"] = std::to_string(threads.threads);
        result.info["hpcc_path"] = program->string();
        return result;
    }
};

PluginDescriptor make_hpcc_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Workload;
    d.name = "hpcc";
    d.description = "The real HPC Challenge (hpcc): HPL and RandomAccess, the reference for linpack and randomaccess";
    d.flags = kWorkloadUsesWorkDir;
    d.params = hpcc_params();
    d.metrics = hpcc_metrics();
    d.create_workload = [] { return std::unique_ptr<Workload>(new HpccWorkload()); };
    d.programs = {kProgram, "orted"};
    d.program_files = kMpiRuntimeFiles;
    return d;
}

}  // namespace
}  // namespace platbench::hpcc

PLATBENCH_PLUGIN(platbench::hpcc::make_hpcc_descriptor)
