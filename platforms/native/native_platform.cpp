// The "native" platform: the runner as a plain child process of the host, the
// baseline every other platform is compared with. Its limits (cpuset, cpus,
// memory) are the host's own mechanisms: CPU affinity and a cgroup per run.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>

#include "platbench/environment.hpp"
#include "platbench/plugin.hpp"
#include "platbench/process.hpp"
#include "platbench/cgroup.hpp"
#include "platbench/params.hpp"

namespace {

using namespace platbench;

std::string unique_run_name() {
    static std::atomic<unsigned> counter{0};
    return "native-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

// The run's label names its cgroup, so `platbench clean` and a person looking at
// /sys/fs/cgroup can tell which run a leftover belongs to.
std::string cgroup_name_for(const std::map<std::string, std::string>& labels) {
    auto label = labels.find("platbench.run");
    if (label == labels.end() || label->second.empty()) return unique_run_name();
    return cgroup::sanitise_name(label->second);
}

// A cpuset naming CPUs this process may not use would be silently narrowed by
// the kernel: refuse it up front instead.
std::string cpuset_problem(const std::string& cpuset, const std::vector<int>& allowed) {
    auto wanted = expand_cpu_list(cpuset);
    if (!wanted) return "cpuset '" + cpuset + "' is not a CPU list such as 0-3,6";
    std::vector<int> missing;
    for (int cpu : *wanted)
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), cpu) == allowed.end()) missing.push_back(cpu);
    if (missing.empty()) return {};
    return "cpuset " + cpuset + " names CPUs " + format_cpu_list(missing) +
           " that this host does not let platbench use (allowed: " + format_cpu_list(allowed) +
           "); choose CPUs among those";
}

class NativePlatform : public Platform {
public:
    ProbeResult probe(const ParamValues& settings) override {
        ProbeResult result;
        const ObservedEnvironment env = observe_environment();
        result.metadata = {{"kernel", env.kernel}, {"cgroup_version", env.cgroup_version}};
        if (settings.has("cpuset")) {
            if (std::string problem = cpuset_problem(settings.text("cpuset"), env.affinity); !problem.empty())
                return declined(std::move(result), problem);
        }
        const bool wants_memory = settings.has("memory");
        const bool wants_cpus = settings.has("cpus");
        if (wants_memory || wants_cpus) {
            const LimitSupport support = probe_limit_support();
            if ((wants_memory && !support.memory) || (wants_cpus && !support.cpu_quota))
                return declined(std::move(result), support.reason);
        }
        return result;
    }

    PlatformRunOutcome run(const PlatformRunRequest& request) override {
        ChildRequest child;
        child.argv.push_back(request.host_runner.runner.string());
        child.argv.insert(child.argv.end(), request.runner_args.begin(), request.runner_args.end());
        child.argv.push_back("--plugin-dir");
        child.argv.push_back(request.host_runner.plugin_dir.string());

        PlatformRunOutcome outcome;
        const ParamValues& settings = request.settings;
        if (settings.has("cpuset")) {
            child.cpu_affinity = expand_cpu_list(settings.text("cpuset"));
            if (!child.cpu_affinity) {
                outcome.failure = "cpuset '" + settings.text("cpuset") + "' is not a CPU list such as 0-3,6";
                return outcome;
            }
        }
        if (settings.has("memory")) child.memory_limit_bytes = static_cast<std::uint64_t>(settings.integer("memory"));
        if (settings.has("cpus")) child.cpu_quota = settings.real("cpus");
        child.cgroup_name = cgroup_name_for(request.labels);
        child.timeout = request.timeout;
        child.cancel = &request.cancel;
        if (!request.work_dir.empty()) child.working_directory = request.work_dir;

        outcome = platform_outcome_of(run_child(child));
        outcome.metadata = {{"pid_affinity", settings.has("cpuset") ? settings.text("cpuset") : "all"}};
        return outcome;
    }

    std::vector<std::string> clean(bool /*including_images*/) override { return cgroup::remove_leftovers(); }

private:
    static ProbeResult declined(ProbeResult result, std::string reason) {
        result.availability = Availability::Declined;
        result.reason = std::move(reason);
        return result;
    }
};

PluginDescriptor make_native_descriptor() {
    PluginDescriptor d;
    d.kind = PluginKind::Platform;
    d.name = "native";
    d.description = "Bare metal: the runner as a child process of the host";
    d.flags = kPlatformBaseline;
    d.fingerprint_metadata = {"cgroup_version"};
    d.params = {cpuset_param(), cpus_param(), memory_param()};
    d.create_platform = [] { return std::unique_ptr<Platform>(new NativePlatform()); };
    return d;
}

}  // namespace

PLATBENCH_PLUGIN(make_native_descriptor)
