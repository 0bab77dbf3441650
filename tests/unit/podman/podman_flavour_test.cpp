// Where the podman platform looks for its service, and what its plugin declares.
#include <doctest/doctest.h>

#include <algorithm>

#include "plugin/registry.hpp"
#include "podman_flavour.hpp"

using namespace platbench::engine_api;
using platbench::podman::podman_flavour;

TEST_CASE("endpoint: the setting, then CONTAINER_HOST, then root's Podman socket") {
    const EndpointSource source = podman_flavour().endpoint;
    CHECK(source.environment_variable == "CONTAINER_HOST");
    CHECK(resolve_endpoint("", nullptr, source).socket_path == "/run/podman/podman.sock");
    CHECK(resolve_endpoint("", "", source).socket_path == "/run/podman/podman.sock");
    CHECK(resolve_endpoint("", "unix:///run/user/1000/podman/podman.sock", source).socket_path ==
          "/run/user/1000/podman/podman.sock");
    CHECK(resolve_endpoint("unix:///tmp/p.sock", "unix:///run/other.sock", source).socket_path == "/tmp/p.sock");
}

TEST_CASE("endpoint: a CONTAINER_HOST that is no unix socket (podman-remote's ssh://) is passed over") {
    const EndpointSource source = podman_flavour().endpoint;
    const ResolvedEndpoint remote = resolve_endpoint("", "ssh://core@host:22/run/podman/podman.sock", source);
    CHECK(remote.error.empty());
    CHECK(remote.text == "unix:///run/podman/podman.sock");
    // A setting is the user's own words: one platbench cannot use is an error that says what to write.
    const ResolvedEndpoint tcp = resolve_endpoint("tcp://127.0.0.1:8080", nullptr, source);
    CHECK(tcp.socket_path.empty());
    CHECK(tcp.error.find("unix:///run/podman/podman.sock") != std::string::npos);
}

TEST_CASE("the podman plugin: docker's parameters, podman's metadata keys and endpoint help") {
    const auto plugin = platbench::load_plugin_file(std::string(PLATBENCH_PLUGIN_DIR) + "/platform_podman.so");
    const auto docker = platbench::load_plugin_file(std::string(PLATBENCH_PLUGIN_DIR) + "/platform_docker.so");
    const platbench::PluginDescriptor& podman = *plugin->descriptor;
    CHECK(podman.name == "podman");
    CHECK((podman.flags & platbench::kPlatformNeedsBundle) != 0);
    std::vector<std::string> names, docker_names;
    for (const auto& param : podman.params) names.push_back(param.name);
    for (const auto& param : docker->descriptor->params) docker_names.push_back(param.name);
    CHECK(names == docker_names);
    CHECK(names == std::vector<std::string>{"endpoint", "storage", "network", "cpuset", "cpus", "memory"});
    CHECK(podman.params[0].help.find("$CONTAINER_HOST when it is unix://") != std::string::npos);
    // A network workload's path: a namespace of the run's (Podman's own bridges appear
    // only when a container starts); Docker's is a bridge network.
    CHECK(podman.params[2].default_value == "namespace");
    CHECK(docker->descriptor->params[2].default_value == "bridge");
    CHECK(podman.params[2].help.find("every other run has no network") != std::string::npos);
    const auto& keys = podman.fingerprint_metadata;
    CHECK(std::find(keys.begin(), keys.end(), "podman_server_version") != keys.end());
    CHECK(std::find(keys.begin(), keys.end(), "docker_server_version") == keys.end());
}
