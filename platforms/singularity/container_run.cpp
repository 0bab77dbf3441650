#include "container_run.hpp"

#include <algorithm>
#include <csignal>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "platbench/process.hpp"
#include "platbench/names.hpp"

namespace fs = std::filesystem;

namespace platbench::singularity {
namespace {

constexpr int kApptainerFailed = 255;
constexpr int kSignalBase = 128;
constexpr int kMaxSignal = 64;

// apptainer's "FATAL: ..." lines: its own explanation of why the container did not start.
std::string fatal_lines(const std::string& stderr_text) {
    std::istringstream lines(stderr_text);
    std::string line, fatal;
    while (std::getline(lines, line))
        if (line.rfind("FATAL:", 0) == 0) fatal += (fatal.empty() ? "" : "; ") + line;
    return fatal;
}

std::string warning_lines(const std::string& stderr_text) {
    std::istringstream lines(stderr_text);
    std::string line, warnings;
    while (std::getline(lines, line))
        if (line.rfind("WARNING:", 0) == 0) warnings += (warnings.empty() ? "" : "; ") + line;
    return warnings;
}

// The directory the container sees as /work, and whether this run made it.
struct HostWorkDir {
    std::optional<fs::path> path;
    bool made_here = false;
};

HostWorkDir host_work_dir_for(const PlatformRunRequest& request, const ContainerSettings& settings) {
    if (request.work_dir.empty()) return {};
    if (settings.scratch_dir.empty()) return {request.work_dir, false};
    const fs::path dir = settings.scratch_dir / unique_object_name(request.labels);
    fs::create_directories(dir);
    return {dir, true};
}

// apptainer does not say why the command died; under a memory limit SIGKILL is
// almost always the kernel's OOM killer, and the user should hear so.
void explain_kill(const ExecSpec& spec, PlatformRunOutcome& outcome) {
    if (outcome.term_signal != SIGKILL || !spec.memory_bytes || outcome.timed_out || outcome.cancelled) return;
    outcome.failure = "killed in a container with a memory limit of " + std::to_string(*spec.memory_bytes >> 20) +
                      " MiB: most likely it ran out of memory";
}

}  // namespace

ExecSpec exec_spec_for(const PlatformRunRequest& request, const ContainerSettings& settings,
                       const std::optional<fs::path>& host_work_dir) {
    ExecSpec spec;
    spec.program = settings.program;
    spec.image = settings.image;
    spec.drop_privileges = settings.drop_privileges;
    // A network only for a network workload's run, on the path made for it.
    spec.network = request.network != nullptr;
    if (request.network && request.network->name != "loopback") spec.network_namespace = request.network->name;
    spec.show_cgroups = settings.show_cgroups;
    const ParamValues& values = request.settings;
    if (values.has("cpuset")) spec.cpuset = values.text("cpuset");
    if (values.has("cpus")) spec.cpus = values.real("cpus");
    if (values.has("memory")) spec.memory_bytes = values.integer("memory");
    spec.command.push_back(settings.runner_path);
    spec.command.insert(spec.command.end(), request.runner_args.begin(), request.runner_args.end());
    spec.command.insert(spec.command.end(), {"--plugin-dir", settings.plugin_dir});
    if (host_work_dir) {
        spec.work_dir = *host_work_dir;
        spec.command.insert(spec.command.end(), {"--work-dir", kContainerWorkDir});
    }
    return spec;
}

void read_exit_status(int exit_code, const std::string& stderr_text, PlatformRunOutcome& outcome) {
    const std::string fatal = fatal_lines(stderr_text);
    if (exit_code == kApptainerFailed && !fatal.empty()) {
        outcome.started = false;
        outcome.failure = "apptainer could not run the container: " + fatal;
    } else if (exit_code > kSignalBase && exit_code <= kSignalBase + kMaxSignal) {
        outcome.term_signal = exit_code - kSignalBase;
    } else {
        outcome.exit_code = exit_code;
    }
}

PlatformRunOutcome run_in_container(const PlatformRunRequest& request, const ContainerSettings& settings) {
    PlatformRunOutcome outcome;
    outcome.metadata["image"] = settings.image.string();
    HostWorkDir work_dir;
    ExecSpec spec;
    ChildRequest child;
    try {
        work_dir = host_work_dir_for(request, settings);
        spec = exec_spec_for(request, settings, work_dir.path);
        child.argv = exec_command(spec);
    } catch (const std::exception& e) {
        outcome.failure = e.what();
        return outcome;
    }
    child.timeout = request.timeout;
    child.cancel = &request.cancel;
    const ChildOutcome result = run_child(child);
    outcome = platform_outcome_of(result);
    outcome.metadata["image"] = settings.image.string();
    outcome.exit_code = -1;  // read_exit_status tells apptainer's own status from the runner's
    if (result.started && result.term_signal == 0) read_exit_status(result.exit_code, result.stderr_text, outcome);
    explain_kill(spec, outcome);
    if (const std::string warnings = warning_lines(result.stderr_text); !warnings.empty())
        outcome.metadata["apptainer_warnings"] = warnings;
    // A fact for the reader; the overhead is the engine's to compute, as on every platform.
    if (result.started) outcome.metadata["exec_seconds"] = std::to_string(result.wall_seconds);
    if (work_dir.made_here) {
        std::error_code ec;
        fs::remove_all(*work_dir.path, ec);
    }
    return outcome;
}

}  // namespace platbench::singularity
