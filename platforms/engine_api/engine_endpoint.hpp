// Where an Engine API daemon (dockerd, Podman's service) listens: the platform's
// "endpoint" setting, else the daemon's environment variable, else its default socket.
#pragma once

#include <string>

namespace platbench::engine_api {

// Where one kind of daemon is looked for.
struct EndpointSource {
    std::string default_endpoint;      // "unix:///var/run/docker.sock"
    std::string environment_variable;  // "DOCKER_HOST"
    // The variable may name what platbench cannot use (CONTAINER_HOST=ssh://... is podman-remote's
    // connection to another machine): then it is passed over and the default is used, rather than
    // refused as a wrong setting would be.
    bool unusable_environment_ignored = false;
};

struct ResolvedEndpoint {
    std::string text;         // as chosen: "unix:///run/podman/podman.sock"
    std::string socket_path;  // "/run/podman/podman.sock"; empty when unusable
    std::string error;        // why the text cannot be used, and what to write instead
};

// `setting` wins when not empty, then `environment` (the variable's value, may be null), then the default.
ResolvedEndpoint resolve_endpoint(const std::string& setting, const char* environment, const EndpointSource& source);

// The same, with the variable read from this process's environment.
ResolvedEndpoint resolve_endpoint(const std::string& setting, const EndpointSource& source);

}  // namespace platbench::engine_api
