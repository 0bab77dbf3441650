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
#include "local_network.hpp"

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

    // loopback: the host's own; namespace: a namespace of the run's on a bridge,
    // the path a container's bridge network takes, without the container.
    NetworkPath open_network(const NetworkPathRequest& request) override {
        const std::string setting = request.settings.text("network");
        if (setting == "loopback") return local_network::loopback_path(setting);
        return paths_.open_namespace(setting);
    }

    void close_network(const NetworkPath& path) noexcept override { paths_.close(path); }

    PlatformRunOutcome run(const PlatformRunRequest& request) override {
        ChildRequest child;
        // In the run's namespace: `ip netns exec` enters it and executes the runner.
        const bool in_namespace = request.network && request.network->name != "loopback";
        if (in_namespace) child.argv = {"ip", "netns", "exec", request.network->name};
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

    std::vector<std::string> clean(bool /*including_images*/) override {
        std::vector<std::string> removed = cgroup::remove_leftovers();
        for (std::string& line : local_network::remove_leftovers()) removed.push_back(std::move(line));
        return removed;
    }

private:
    local_network::OpenPaths paths_;

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
    d.params = {cpuset_param(), cpus_param(), memory_param(),
                network_param({"loopback", "namespace"}, "loopback",
                              "a network workload's path to its peer: loopback (the host's own), or namespace (a "
                              "network namespace joined by a veth pair to a bridge that the run creates, the path of "
                              "a container's bridge network without the container)")};
    d.fingerprint_metadata = {"cgroup_version", "network_interfaces", "network_mtu"};
    d.create_platform = [] { return std::unique_ptr<Platform>(new NativePlatform()); };
    return d;
}

}  // namespace

PLATBENCH_PLUGIN(make_native_descriptor)
