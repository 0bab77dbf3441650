// Where the Docker (or Podman) daemon listens: the platform's "endpoint"
// setting, else $DOCKER_HOST, else Docker's default socket.
#pragma once

#include <string>

namespace platbench::docker {

inline constexpr const char* kDefaultEndpoint = "unix:///var/run/docker.sock";

struct ResolvedEndpoint {
    std::string text;         // as chosen: "unix:///run/podman/podman.sock"
    std::string socket_path;  // "/run/podman/podman.sock"; empty when unusable
    std::string error;        // why the text cannot be used, and what to write instead
};

// `setting` wins when not empty, then `docker_host` ($DOCKER_HOST, may be null), then the default.
ResolvedEndpoint resolve_endpoint(const std::string& setting, const char* docker_host);

}  // namespace platbench::docker
