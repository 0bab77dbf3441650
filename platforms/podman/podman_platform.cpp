// The "podman" platform: the runner bundle as a Podman image, one container per
// run, through Podman's Docker-compatible Engine API service on its unix socket
// (no podman CLI). Tested with Podman 4.3 and runc. The platform itself is
// platforms/engine_api's, which docker shares, so both run under the same limits.
#include "podman_flavour.hpp"

namespace {

using namespace platbench;

PluginDescriptor make_podman_descriptor() {
    PluginDescriptor d = engine_api::engine_platform_descriptor(
        podman::podman_flavour(), "Podman containers through Podman's Docker-compatible Engine API service");
    d.create_platform = [] { return engine_api::make_engine_platform(podman::podman_flavour()); };
    return d;
}

}  // namespace

PLATBENCH_PLUGIN(make_podman_descriptor)
