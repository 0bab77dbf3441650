#include "engine_platform.hpp"

#include <unistd.h>

#include <optional>

#include "bundle_image.hpp"
#include "container_run.hpp"
#include "local_network.hpp"
#include "platbench/names.hpp"

namespace platbench::engine_api {
namespace {

constexpr double kProbeSeconds = 20;
constexpr double kCleanSeconds = 60;
constexpr double kNetworkSeconds = 60;
constexpr const char* kRequiredApi = "1.41";

Storage storage_from(const ParamValues& settings) {
    const std::string& text = settings.text("storage");
    if (text == "bind") return Storage::Bind;
    if (text == "container") return Storage::Container;
    return Storage::Volume;
}

ResolvedEndpoint endpoint_from(const ParamValues& settings, const EngineFlavour& flavour) {
    return resolve_endpoint(settings.has("endpoint") ? settings.text("endpoint") : std::string(), flavour.endpoint);
}

ProbeResult answer(Availability availability, std::string reason, ProbeResult result = {}) {
    result.availability = availability;
    result.reason = std::move(reason);
    return result;
}

// Unreachable (no daemon, no permission) is "not here": the runs are skipped.
// A daemon that answers badly or not in time is broken: the runs fail.
ProbeResult unreachable(const EngineFlavour& flavour, const ResolvedEndpoint& endpoint, const HttpCallError& e) {
    if (e.failure() != HttpFailure::Unreachable)
        return answer(Availability::Broken, "the daemon at " + endpoint.text + " does not answer properly: " + e.what());
    std::string reason = "no " + flavour.product + " daemon answers: " + e.what();
    const std::string what = e.what();
    if (what.find("ermission denied") != std::string::npos) reason += "; " + flavour.permission_hint;
    else reason += "; " + flavour.install_hint + ", or set `endpoint:`";
    return answer(Availability::Declined, reason);
}

std::string cpus_problem(const ParamValues& settings, const DaemonFacts& facts) {
    if (settings.has("cpuset") && facts.cpus > 0) {
        for (int cpu : expand_cpu_list(settings.text("cpuset")).value_or(std::vector<int>{}))
            if (cpu >= facts.cpus)
                return "cpuset " + settings.text("cpuset") + " names CPU " + std::to_string(cpu) +
                       " but the daemon's machine has " + std::to_string(facts.cpus) + " CPUs";
    }
    if (settings.has("cpuset") && !facts.cpuset) return "the daemon cannot pin containers to CPUs (no cpuset cgroup)";
    if (settings.has("cpus") && !facts.cpu_quota) return "the daemon cannot limit CPU bandwidth (no CFS quota)";
    if (settings.has("memory") && !facts.memory_limit) return "the daemon cannot limit memory (no memory cgroup)";
    return {};
}

std::map<std::string, std::string> probe_metadata(const EngineFlavour& flavour, const ResolvedEndpoint& endpoint,
                                                  const DaemonFacts& facts) {
    return {{"endpoint", endpoint.text},
            {flavoured_key(flavour, "server_version"), facts.server_version},
            {flavoured_key(flavour, "api_version"), facts.api_version},
            {"storage_driver", facts.storage_driver},
            {"cgroup_version", facts.cgroup_version},
            {"cgroup_driver", facts.cgroup_driver},
            {flavoured_key(flavour, "os"), facts.operating_system},
            {"kernel", facts.kernel}};
}

class EnginePlatform : public Platform {
public:
    explicit EnginePlatform(EngineFlavour flavour) : flavour_(std::move(flavour)) {}

    std::vector<std::string> validate(const ParamValues& settings) const override {
        const ResolvedEndpoint endpoint = endpoint_from(settings, flavour_);
        if (!endpoint.error.empty()) return {endpoint.error};
        return {};
    }

    ProbeResult probe(const ParamValues& settings) override {
        const ResolvedEndpoint endpoint = endpoint_from(settings, flavour_);
        if (!endpoint.error.empty()) return answer(Availability::Broken, endpoint.error);
        const EngineClient client(endpoint.socket_path);
        DaemonFacts facts;
        try {
            facts = client.facts(within(kProbeSeconds));
        } catch (const HttpCallError& e) {
            return unreachable(flavour_, endpoint, e);
        } catch (const std::exception& e) {
            return answer(Availability::Broken, "the daemon at " + endpoint.text + " answers badly: " + e.what());
        }
        ProbeResult result;
        result.metadata = probe_metadata(flavour_, endpoint, facts);
        if (compare_api_versions(facts.api_version, kRequiredApi) < 0)
            return answer(Availability::Declined,
                          "the daemon speaks Engine API " + facts.api_version + "; platbench needs " + kRequiredApi +
                              " (" + flavour_.minimum_product + ")",
                          std::move(result));
        if (std::string problem = cpus_problem(settings, facts); !problem.empty())
            return answer(Availability::Declined, problem, std::move(result));
        return result;
    }

    void prepare(const PlatformPrepareRequest& request) override {
        if (request.bundle == nullptr) throw std::runtime_error("the " + flavour_.name + " platform needs the runner bundle");
        const ResolvedEndpoint endpoint = endpoint_from(request.settings, flavour_);
        client_.emplace(endpoint.socket_path);
        const ImageOutcome image = ensure_bundle_image(*client_, *request.bundle);
        run_settings_.engine_name = flavour_.name;
        run_settings_.image = image.reference;
        run_settings_.storage = storage_from(request.settings);
        run_settings_.runner_path = request.bundle->runner_path;
        run_settings_.plugin_dir = request.bundle->plugin_dir;
        image_note_ = image.imported ? "imported in " + std::to_string(image.seconds) + " s" : "reused";
    }

    PlatformRunOutcome run(const PlatformRunRequest& request) override {
        if (!client_) {
            PlatformRunOutcome outcome;
            outcome.failure = "the " + flavour_.name + " platform was not prepared (no image)";
            return outcome;
        }
        PlatformRunOutcome outcome = run_in_container(*client_, request, run_settings_);
        outcome.metadata["image_build"] = image_note_;
        return outcome;
    }

    // host: the host's network, the peer on loopback; bridge: an internal bridge
    // network of the run's, on a slot of platbench's subnet.
    NetworkPath open_network(const NetworkPathRequest& request) override {
        const std::string setting = request.settings.text("network");
        if (setting == "host") {
            NetworkPath path = local_network::loopback_path(setting);
            path.metadata["network_interfaces"] = "host network (loopback)";
            return path;
        }
        if (setting == "namespace") return paths_.open_namespace(setting);
        if (!client_) throw std::runtime_error("the " + flavour_.name + " platform was not prepared");
        NetworkPath path;
        const local_network::Slot slot = paths_.open_slot(
            [&](const local_network::Slot& s) {
                return "platbench-net" + std::to_string(s.index) + "-" + std::to_string(::getpid()) + "-0";
            },
            path.name);
        try {
            std::map<std::string, std::string> labels = request.labels;
            labels[kOwnerLabel] = "1";
            client_->create_network(
                network_create_body(path.name, slot.subnet(), slot.host_address(), slot.bridge(), labels),
                within(kNetworkSeconds));
        } catch (const std::exception& e) {
            paths_.close(path);
            throw std::runtime_error("cannot create the bridge network " + path.name + ": " + e.what());
        }
        path.peer_address = slot.host_address();
        path.metadata = {{"network", setting},
                         {"network_interfaces", "veth, bridge"},
                         {"network_mtu", local_network::mtu_of(slot.bridge())},
                         {"network_nat", "no"},
                         {"network_subnet", slot.subnet()}};
        return path;
    }

    void close_network(const NetworkPath& path) noexcept override {
        if (path.name != "loopback" && path.metadata.at("network") == "bridge" && client_) {
            try {
                client_->remove_network(path.name, within(kNetworkSeconds));
            } catch (const std::exception&) {
                // left to `platbench clean`, which finds it by its label
            }
        }
        paths_.close(path);
    }

    std::vector<std::string> clean(bool including_images) override {
        const ResolvedEndpoint endpoint = resolve_endpoint("", flavour_.endpoint);
        if (!endpoint.error.empty()) return local_network::remove_leftovers();
        const EngineClient client(endpoint.socket_path);
        try {
            client.ping(within(kCleanSeconds));
        } catch (const HttpCallError&) {
            return {};  // no daemon here: nothing of ours can be left in it
        }
        std::vector<std::string> removed;
        // A running experiment's containers and volumes are not leftovers: their process is still there.
        for (const ListedContainer& container : client.labelled_containers(kOwnerLabel, within(kCleanSeconds))) {
            if (object_owner_alive(container.name)) continue;
            client.remove_container(container.id, within(kCleanSeconds));
            removed.push_back("container " + container.id.substr(0, 12));
        }
        for (const std::string& name : client.labelled_volumes(kOwnerLabel, within(kCleanSeconds))) {
            if (object_owner_alive(name)) continue;
            client.remove_volume(name, within(kCleanSeconds));
            removed.push_back("volume " + name);
        }
        for (const std::string& name : client.labelled_networks(kOwnerLabel, within(kCleanSeconds))) {
            if (object_owner_alive(name)) continue;
            client.remove_network(name, within(kCleanSeconds));
            removed.push_back("network " + name);
        }
        for (std::string& line : local_network::remove_leftovers()) removed.push_back(std::move(line));
        if (including_images) {
            for (const std::string& id : client.labelled_images(kOwnerLabel, within(kCleanSeconds))) {
                client.remove_image(id, within(kCleanSeconds));
                removed.push_back("image " + id);
            }
        }
        return removed;
    }

private:
    EngineFlavour flavour_;
    std::optional<EngineClient> client_;
    local_network::OpenPaths paths_;
    ContainerRunSettings run_settings_;
    std::string image_note_;
};

std::vector<ParamSpec> engine_params(const EngineFlavour& flavour) {
    return {
        ParamSpec{
            .name = "endpoint",
            .type = ParamType::String,
            .help = "the daemon's socket, as unix:///path/to/socket (default: $" +
                       flavour.endpoint.environment_variable +
                       (flavour.endpoint.unusable_environment_ignored ? " when it is unix://" : "") + ", else " +
                       flavour.endpoint.default_endpoint + ")"},
        ParamSpec{
            .name = "storage",
            .type = ParamType::Choice,
            .default_value = "volume",
            .help = "where the workload's work directory lives: a named volume, a bind-mounted host "
                                  "directory, or the container's own writable layer",
            .choices = {"volume", "bind", "container"},
            .fingerprint = true},
        flavour.namespace_network
            ? network_param({"namespace", "host"}, "namespace",
                            "a network workload's path to its peer: namespace (a network namespace joined by a veth "
                            "pair to a bridge that the run creates and removes, given to the container as its "
                            "network: no NAT, no default route), or host (the host's network; the peer on "
                            "loopback)")
            : network_param({"bridge", "host"}, "bridge",
                            "a network workload's path to its peer: bridge (an internal bridge network that the run "
                            "creates and removes: a veth into a Linux bridge, no NAT, no default route), or host (the "
                            "host's network; the peer on loopback)"),
        cpuset_param(),
        cpus_param(),
        memory_param(),
    };
}

}  // namespace

std::string flavoured_key(const EngineFlavour& flavour, const std::string& fact) { return flavour.name + "_" + fact; }

PluginDescriptor engine_platform_descriptor(const EngineFlavour& flavour, std::string description) {
    PluginDescriptor d;
    d.kind = PluginKind::Platform;
    d.name = flavour.name;
    d.description = std::move(description);
    d.flags = kPlatformNeedsBundle;
    d.fingerprint_metadata = {flavoured_key(flavour, "server_version"), flavoured_key(flavour, "api_version"),
                              "storage_driver", "cgroup_version", "image", "network_interfaces", "network_mtu"};
    d.params = engine_params(flavour);
    return d;
}

std::unique_ptr<Platform> make_engine_platform(EngineFlavour flavour) {
    return std::make_unique<EnginePlatform>(std::move(flavour));
}

}  // namespace platbench::engine_api
