// Where the docker platform looks for its daemon.
#include <doctest/doctest.h>

#include "docker_flavour.hpp"

using namespace platbench::engine_api;
using platbench::docker::docker_flavour;

TEST_CASE("endpoint: the setting, then DOCKER_HOST, then the default socket") {
    const EndpointSource source = docker_flavour().endpoint;
    CHECK(source.environment_variable == "DOCKER_HOST");
    CHECK(resolve_endpoint("", nullptr, source).socket_path == "/var/run/docker.sock");
    CHECK(resolve_endpoint("", "", source).socket_path == "/var/run/docker.sock");
    CHECK(resolve_endpoint("", "unix:///run/podman/podman.sock", source).socket_path == "/run/podman/podman.sock");
    CHECK(resolve_endpoint("unix:///tmp/d.sock", "unix:///run/other.sock", source).socket_path == "/tmp/d.sock");
}

TEST_CASE("endpoint: network and relative endpoints are refused with what to write instead") {
    const EndpointSource source = docker_flavour().endpoint;
    const ResolvedEndpoint tcp = resolve_endpoint("tcp://127.0.0.1:2375", nullptr, source);
    CHECK(tcp.socket_path.empty());
    CHECK(tcp.error.find("unix:///var/run/docker.sock") != std::string::npos);
    const ResolvedEndpoint relative = resolve_endpoint("unix://docker.sock", nullptr, source);
    CHECK(relative.socket_path.empty());
    CHECK(relative.error.find("absolute") != std::string::npos);
    // DOCKER_HOST names the daemon the docker CLI uses: one platbench cannot use is an error, not passed over.
    CHECK_FALSE(resolve_endpoint("", "ssh://host", source).error.empty());
}
