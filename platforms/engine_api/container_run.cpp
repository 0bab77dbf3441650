#include "container_run.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "platbench/names.hpp"

namespace platbench::engine_api {
namespace {

constexpr double kApiCallSeconds = 60;      // create, start, inspect, logs, remove
constexpr std::size_t kOutputCap = 16u << 20;
// Signals end a container's process with status 128 + signal, as in a shell.
constexpr long long kSignalStatusBase = 128;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Removes what a run created, however the run ends (also on Ctrl-C: these calls
// do not watch the cancel flag).
class RunObjects {
public:
    explicit RunObjects(const EngineClient& client) : client_(client) {}
    RunObjects(const RunObjects&) = delete;
    RunObjects& operator=(const RunObjects&) = delete;
    ~RunObjects() { remove_all(); }

    void created_container(std::string id) { container_ = std::move(id); }
    void created_volume(std::string name) { volume_ = std::move(name); }

    // Returns the first failure to remove, for the run's metadata.
    std::string remove_all() {
        std::string problem;
        auto attempt = [&](auto&& action) {
            try {
                action();
            } catch (const std::exception& e) {
                if (problem.empty()) problem = e.what();
            }
        };
        if (container_) attempt([&] { client_.remove_container(*container_, within(kApiCallSeconds)); });
        if (volume_) attempt([&] { client_.remove_volume(*volume_, within(kApiCallSeconds)); });
        container_.reset();
        volume_.reset();
        return problem;
    }

private:
    const EngineClient& client_;
    std::optional<std::string> container_;
    std::optional<std::string> volume_;
};

// Waits for the container to exit, or kills it at the deadline or on cancel.
void wait_or_kill(const EngineClient& client, const std::string& id, const PlatformRunRequest& request,
                  const std::string& engine_name, PlatformRunOutcome& outcome) {
    try {
        const WaitResult result = client.wait_container(id, within(request.timeout.count(), &request.cancel));
        outcome.exit_code = static_cast<int>(result.status_code);
        if (!result.error.empty()) outcome.failure = engine_name + ": " + result.error;
    } catch (const HttpCallError& e) {
        if (e.failure() == HttpFailure::TimedOut) outcome.timed_out = true;
        else if (e.failure() == HttpFailure::Cancelled) outcome.cancelled = true;
        else throw;
        client.kill_container(id, within(kApiCallSeconds));
        client.wait_container(id, within(kApiCallSeconds));
        outcome.term_signal = 9;
    }
}

void read_final_state(const EngineClient& client, const std::string& id, const PlatformRunRequest& request,
                      const std::string& engine_name, PlatformRunOutcome& outcome, std::optional<double>& runtime) {
    const ContainerState state = client.inspect_container(id, within(kApiCallSeconds));
    if (state.started_at && state.finished_at && *state.finished_at >= *state.started_at)
        runtime = *state.finished_at - *state.started_at;
    if (state.oom_killed) {
        outcome.term_signal = 9;
        outcome.failure = "the container ran out of memory and was killed (memory limit " +
                          (request.settings.has("memory") ? std::to_string(request.settings.integer("memory")) + " bytes"
                                                          : std::string("of the host")) +
                          "); raise `memory:` or make the workload smaller";
    } else if (!outcome.timed_out && !outcome.cancelled && outcome.exit_code > kSignalStatusBase &&
               outcome.exit_code < kSignalStatusBase + 65) {
        outcome.term_signal = static_cast<int>(outcome.exit_code - kSignalStatusBase);
    }
    if (!state.error.empty() && outcome.failure.empty()) outcome.failure = engine_name + ": " + state.error;
    const DemuxedLogs logs = client.container_logs(id, kOutputCap, within(kApiCallSeconds));
    outcome.stdout_text = logs.stdout_text;
    outcome.stderr_text = logs.stderr_text;
}

void run_steps(const EngineClient& client, const PlatformRunRequest& request, const ContainerRunSettings& settings,
               RunObjects& objects, PlatformRunOutcome& outcome) {
    const std::string name = unique_object_name(request.labels);
    const ContainerSpec spec = container_spec_for(request, settings, name);
    const auto begin = Clock::now();
    if (spec.work_dir && spec.storage == Storage::Volume) {
        client.create_volume(spec.mount_source, request.labels, within(kApiCallSeconds, &request.cancel));
        objects.created_volume(spec.mount_source);
    }
    const std::string id = client.create_container(name, spec, within(kApiCallSeconds, &request.cancel));
    objects.created_container(id);
    outcome.metadata["container"] = id.substr(0, 12);
    outcome.metadata["create_seconds"] = std::to_string(seconds_since(begin));

    const auto start_begin = Clock::now();
    client.start_container(id, within(kApiCallSeconds, &request.cancel));
    outcome.started = true;
    outcome.metadata["start_seconds"] = std::to_string(seconds_since(start_begin));

    wait_or_kill(client, id, request, settings.engine_name, outcome);
    std::optional<double> runtime;
    read_final_state(client, id, request, settings.engine_name, outcome, runtime);

    const auto remove_begin = Clock::now();
    const std::string remove_problem = objects.remove_all();
    outcome.metadata["remove_seconds"] = std::to_string(seconds_since(remove_begin));
    if (!remove_problem.empty()) outcome.metadata["cleanup_problem"] = remove_problem;
    // The engine computes the overhead from the runner's own lifetime; the
    // container's, as the daemon saw it, is kept for diagnosis.
    if (runtime) outcome.metadata["container_runtime_seconds"] = std::to_string(*runtime);
}

}  // namespace

std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> container_rlimits(
    const rlimit& open_files, const rlimit& processes, std::optional<std::uint64_t> pid_max) {
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> limits;
    // An unlimited open-file limit is left to the daemon: the kernel has none to give (nr_open caps it).
    if (open_files.rlim_cur != RLIM_INFINITY && open_files.rlim_max != RLIM_INFINITY)
        limits["nofile"] = {std::uint64_t{open_files.rlim_cur}, std::uint64_t{open_files.rlim_max}};
    // More processes than the kernel can number (pid_max) is no limit at all, and a hard
    // limit above it may not be settable: Podman lowers its own RLIMIT_NPROC to pid_max,
    // and the runtime it starts, without CAP_SYS_RESOURCE (root in a container or a
    // confined VM), cannot raise the container's above that again ("error setting rlimit
    // type 6 (RLIMIT_NPROC): operation not permitted"). So both values are clamped to
    // pid_max, which also gives an unlimited host the same limit everywhere.
    std::uint64_t soft = processes.rlim_cur, hard = processes.rlim_max;
    if (pid_max) {
        soft = std::min(soft, *pid_max);
        hard = std::min(hard, *pid_max);
    }
    if (soft != RLIM_INFINITY && hard != RLIM_INFINITY) limits["nproc"] = {soft, hard};
    return limits;
}

std::string volume_name_for(const std::string& container_name) { return container_name + kVolumeSuffix; }

std::optional<std::uint64_t> kernel_pid_max() {
    std::ifstream in("/proc/sys/kernel/pid_max");
    std::uint64_t value = 0;
    if (in >> value && value > 0) return value;
    return std::nullopt;
}

// The container's NetworkMode on a run's path: the host's, a namespace the run
// made ("ns:" + its path, Podman's form), or the bridge network the run made.
std::string network_mode_for(const NetworkPath& path) {
    if (path.name == "loopback") return "host";
    auto setting = path.metadata.find("network");
    if (setting != path.metadata.end() && setting->second == "namespace") return "ns:/run/netns/" + path.name;
    return path.name;
}

ContainerSpec container_spec_for(const PlatformRunRequest& request, const ContainerRunSettings& settings,
                                 const std::string& name) {
    ContainerSpec spec;
    spec.image = settings.image;
    spec.command.push_back(settings.runner_path);
    spec.command.insert(spec.command.end(), request.runner_args.begin(), request.runner_args.end());
    spec.command.insert(spec.command.end(), {"--plugin-dir", settings.plugin_dir});
    spec.labels = request.labels;
    spec.labels["platbench.storage"] = storage_name(settings.storage);
    const ParamValues& values = request.settings;
    if (values.has("cpuset")) spec.cpuset = values.text("cpuset");
    if (values.has("cpus")) spec.cpus = values.real("cpus");
    if (values.has("memory")) spec.memory_bytes = values.integer("memory");
    // A network only for a network workload's run, on the path made for it.
    spec.network = request.network != nullptr;
    if (request.network) spec.network_mode = network_mode_for(*request.network);
    // The host's limits rather than the daemon's defaults: Podman asks for 1048576 open
    // files and processes, which a host may refuse (runc: "error setting rlimit type 7").
    rlimit open_files{RLIM_INFINITY, RLIM_INFINITY}, processes{RLIM_INFINITY, RLIM_INFINITY};
    ::getrlimit(RLIMIT_NOFILE, &open_files);
    ::getrlimit(RLIMIT_NPROC, &processes);
    spec.rlimits = container_rlimits(open_files, processes, kernel_pid_max());
    spec.storage = settings.storage;
    if (!request.work_dir.empty()) {
        spec.work_dir = kContainerWorkDir;
        spec.command.insert(spec.command.end(), {"--work-dir", kContainerWorkDir});
        if (settings.storage == Storage::Volume) spec.mount_source = volume_name_for(name);
        if (settings.storage == Storage::Bind) {
            spec.mount_source = request.work_dir.string();
            // The host directory belongs to whoever runs platbench: write into it as them,
            // so the engine can remove what the workload left there.
            spec.user = std::to_string(::getuid()) + ":" + std::to_string(::getgid());
        }
    }
    return spec;
}

PlatformRunOutcome run_in_container(const EngineClient& client, const PlatformRunRequest& request,
                                    const ContainerRunSettings& settings) {
    PlatformRunOutcome outcome;
    outcome.metadata["image"] = settings.image;
    outcome.metadata["storage"] = storage_name(settings.storage);
    RunObjects objects(client);
    try {
        run_steps(client, request, settings, objects, outcome);
    } catch (const HttpCallError& e) {
        if (e.failure() == HttpFailure::Cancelled) outcome.cancelled = true;
        outcome.failure = e.what();
    } catch (const std::exception& e) {
        outcome.failure = e.what();
    }
    if (const std::string problem = objects.remove_all(); !problem.empty() && !outcome.metadata.count("cleanup_problem"))
        outcome.metadata["cleanup_problem"] = problem;
    return outcome;
}

}  // namespace platbench::engine_api
