// The docker platform's daemon: dockerd, found by $DOCKER_HOST or Docker's default socket.
#pragma once

#include "engine_platform.hpp"

namespace platbench::docker {

inline engine_api::EngineFlavour docker_flavour() {
    return {.name = "docker",
            .product = "Docker",
            .endpoint = {.default_endpoint = "unix:///var/run/docker.sock", .environment_variable = "DOCKER_HOST"},
            .install_hint = "install docker.io and start dockerd (scripts/setup.sh does both)",
            .permission_hint = "add your user to the 'docker' group or run platbench as root",
            .minimum_product = "Docker 20.10 or later"};
}

}  // namespace platbench::docker
