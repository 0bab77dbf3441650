#include "docker_endpoint.hpp"

namespace platbench::docker {

ResolvedEndpoint resolve_endpoint(const std::string& setting, const char* docker_host) {
    ResolvedEndpoint endpoint;
    if (!setting.empty()) endpoint.text = setting;
    else if (docker_host != nullptr && *docker_host != '\0') endpoint.text = docker_host;
    else endpoint.text = kDefaultEndpoint;

    const std::string scheme = "unix://";
    if (endpoint.text.rfind(scheme, 0) != 0) {
        // tcp:// would expose the daemon (root on the host) on a network port;
        // only local sockets are spoken to.
        endpoint.error = "endpoint '" + endpoint.text +
                         "' is not supported: platbench talks to the daemon over its unix socket only; write "
                         "unix:///path/to/docker.sock";
        return endpoint;
    }
    endpoint.socket_path = endpoint.text.substr(scheme.size());
    if (endpoint.socket_path.empty() || endpoint.socket_path.front() != '/') {
        endpoint.error = "endpoint '" + endpoint.text + "' needs an absolute socket path, e.g. " + kDefaultEndpoint;
        endpoint.socket_path.clear();
    }
    return endpoint;
}

}  // namespace platbench::docker
