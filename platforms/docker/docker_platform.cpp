// The "docker" platform: the runner bundle as a Docker image, one container per
// run, spoken to through the Docker Engine API on the daemon's unix socket (no
// docker CLI). Tested with Docker 20.10. The platform itself is platforms/engine_api's,
// which podman shares.
#include "docker_flavour.hpp"

namespace {

using namespace platbench;

PluginDescriptor make_docker_descriptor() {
    PluginDescriptor d =
        engine_api::engine_platform_descriptor(docker::docker_flavour(), "Docker containers through the Docker Engine API");
    d.create_platform = [] { return engine_api::make_engine_platform(docker::docker_flavour()); };
    return d;
}

}  // namespace

PLATBENCH_PLUGIN(make_docker_descriptor)
