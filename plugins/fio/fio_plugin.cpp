// The fio workload: the io_job of `blockio`, run by the real fio.
//
// Same parameter table, same metric names as blockio, so a cell can be measured
// by both and compared row by row: blockio is our own code, fio the tool
// everyone knows. The command line and the parsing of fio's JSON report are in
// fio_command.cpp; here: finding fio, its scratch directory, running it.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "external_program.hpp"
#include "fio_command.hpp"
#include "io_job.hpp"
#include "platbench/plugin.hpp"
#include "platbench/process.hpp"

namespace platbench::fio {
namespace {

namespace fs = std::filesystem;

constexpr const char* kProgram = "fio";

std::vector<std::string> fio_errors(const ParamValues& params) {
    std::vector<std::string> errors = io_job::job_errors(params);
    if (params.boolean("verify")) {
        errors.push_back("verify is not supported by the fio workload (its verify modes differ from blockio's): "
                         "use the blockio workload for a verify run");
    }
    return errors;
}

// Every way fio can end other than a clean exit, as a message that says what to do.
void check_outcome(const ChildOutcome& outcome, const fs::path& program) {
    if (outcome.cancelled) throw WorkloadError("interrupted: fio was stopped before it finished");
    if (!outcome.started) throw WorkloadError("cannot start " + program.string() + ": " + outcome.failure);
    if (outcome.term_signal != 0)
        throw WorkloadError("fio was killed by signal " + std::to_string(outcome.term_signal) + ": " +
                            external::stderr_excerpt(outcome.stderr_text));
    if (outcome.exit_code == 0) return;
    std::string message = "fio failed (exit status " + std::to_string(outcome.exit_code) + "): " +
                          external::stderr_excerpt(outcome.stderr_text);
    if (outcome.stderr_text.find("direct=1") != std::string::npos)
        message += "; use a directory on a file system with O_DIRECT (not tmpfs), or direct: false";
    throw WorkloadError(message);
}

std::string joined(const std::vector<std::string>& args) {
    std::string text;
    for (const std::string& arg : args) text += (text.empty() ? "" : " ") + arg;
    return text;
}

WorkloadResult to_result(const FioFigures& figures, const io_job::Job& job, const WorkloadRunRequest& request) {
    WorkloadResult result;
    if (figures.read) io_job::append_direction_metrics("read", *figures.read, result.metrics);
    if (figures.write) io_job::append_direction_metrics("write", *figures.write, result.metrics);
    io_job::append_job_metrics(figures.runtime_seconds, figures.cpu_user_seconds, figures.cpu_system_seconds,
                               figures.total_ios, result.metrics);
    result.warnings = figures.warnings;
    const std::string cache = io_job::page_cache_warning(job, request.environment.usable_memory_bytes());
    if (!cache.empty()) result.warnings.push_back(cache);
    return result;
}

ChildOutcome run_fio(const fs::path& program, const std::vector<std::string>& args, const fs::path& directory,
                     const WorkloadRunRequest& request) {
    if (request.log) request.log("fio: " + program.string() + " " + joined(args));
    ChildRequest child;
    child.argv = {program.string()};
    child.argv.insert(child.argv.end(), args.begin(), args.end());
    child.cancel = &request.stop_requested;  // SIGTERM of the runner stops fio
    child.timeout = std::chrono::duration<double>(1e18);  // the engine's timeout ends the runner, and fio with it
    child.working_directory = directory;
    ChildOutcome outcome = run_child(child);
    check_outcome(outcome, program);
    if (request.log && !outcome.stderr_text.empty()) request.log("fio stderr: " + outcome.stderr_text);
    return outcome;
}

class FioWorkload : public Workload {
public:
    std::vector<std::string> validate(const ParamValues& params) const override { return fio_errors(params); }

    WorkloadResult run(const WorkloadRunRequest& request) override {
        if (auto errors = fio_errors(request.params); !errors.empty()) throw WorkloadError(errors.front());
        const io_job::Job job = io_job::parse_job(request.params);
        const std::optional<fs::path> program = external::find_bundled_program(kProgram);
        if (!program) {
            throw WorkloadUnavailable("fio is not installed on this host: apt install fio "
                                      "(or put fio on PATH, and rebuild the bundle for containers and VMs)");
        }
        // Files go to a private directory even for a device job: fio's cwd, nothing more.
        external::ScratchDir scratch(job.directory.empty() ? request.work_dir : fs::path(job.directory), "platbench-fio-");
        const FioTarget target{scratch.path().string(), job.device};
        const auto layout_start = std::chrono::steady_clock::now();
        if (const std::vector<std::string> layout = fio_layout_arguments(job, target); !layout.empty()) {
            run_fio(*program, layout, scratch.path(), request);
        }
        const double layout_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - layout_start).count();
        const std::vector<std::string> args = fio_arguments(job, target);
        const ChildOutcome outcome = run_fio(*program, args, scratch.path(), request);

        const FioFigures figures = parse_fio_json(outcome.stdout_text, job);
        WorkloadResult result = to_result(figures, job, request);
        io_job::record_layout(job, layout_seconds, result);
        result.info["fio_version"] = figures.version;
        result.info["fio_path"] = program->string();
        result.info["fio_command"] = joined(args);
        return result;
    }
};

PluginDescriptor make_fio_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Workload;
    d.name = "fio";
    d.description = "Block I/O with the real fio: the blockio job and its metrics, measured by fio";
    d.flags = kWorkloadUsesWorkDir | kWorkloadBlockIo;
    d.params = io_job::job_params();
    d.metrics = io_job::job_metrics();
    d.create_workload = [] { return std::unique_ptr<Workload>(new FioWorkload()); };
    d.programs = {kProgram};
    return d;
}

}  // namespace
}  // namespace platbench::fio

PLATBENCH_PLUGIN(platbench::fio::make_fio_descriptor)
