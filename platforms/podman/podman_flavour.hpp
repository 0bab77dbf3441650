// The podman platform's daemon: Podman's Docker-compatible service (`podman system
// service`), found by $CONTAINER_HOST when it names a unix socket, else on root's
// default socket.
#pragma once

#include "engine_platform.hpp"

namespace platbench::podman {

inline engine_api::EngineFlavour podman_flavour() {
    return {.name = "podman",
            .product = "Podman",
            // CONTAINER_HOST=ssh://... is podman-remote's way to another machine, not a
            // socket here: the default is used instead.
            .endpoint = {.default_endpoint = "unix:///run/podman/podman.sock",
                         .environment_variable = "CONTAINER_HOST",
                         .unusable_environment_ignored = true},
            .install_hint = "install podman, runc and catatonit and start `podman system service` "
                            "(scripts/setup.sh does both)",
            .permission_hint = "run platbench as root, or start `podman system service` as your user "
                               "and set `endpoint:` (or CONTAINER_HOST) to its socket",
            .minimum_product = "Podman 4 or later",
            .namespace_network = true};
}

}  // namespace platbench::podman
