#include "engine_endpoint.hpp"

#include <cstdlib>

namespace platbench::engine_api {
namespace {

constexpr const char* kScheme = "unix://";

bool is_unix_endpoint(const std::string& text) { return text.rfind(kScheme, 0) == 0; }

std::string chosen_text(const std::string& setting, const char* environment, const EndpointSource& source) {
    if (!setting.empty()) return setting;
    if (environment == nullptr || *environment == '\0') return source.default_endpoint;
    if (source.unusable_environment_ignored && !is_unix_endpoint(environment)) return source.default_endpoint;
    return environment;
}

}  // namespace

ResolvedEndpoint resolve_endpoint(const std::string& setting, const char* environment, const EndpointSource& source) {
    ResolvedEndpoint endpoint;
    endpoint.text = chosen_text(setting, environment, source);
    if (!is_unix_endpoint(endpoint.text)) {
        // tcp:// would expose the daemon (root on the host) on a network port;
        // only local sockets are spoken to.
        endpoint.error = "endpoint '" + endpoint.text +
                         "' is not supported: platbench talks to the daemon over its unix socket only; write " +
                         source.default_endpoint + " or another unix:// socket";
        return endpoint;
    }
    endpoint.socket_path = endpoint.text.substr(std::string(kScheme).size());
    if (endpoint.socket_path.empty() || endpoint.socket_path.front() != '/') {
        endpoint.error = "endpoint '" + endpoint.text + "' needs an absolute socket path, e.g. " + source.default_endpoint;
        endpoint.socket_path.clear();
    }
    return endpoint;
}

ResolvedEndpoint resolve_endpoint(const std::string& setting, const EndpointSource& source) {
    return resolve_endpoint(setting, std::getenv(source.environment_variable.c_str()), source);
}

}  // namespace platbench::engine_api
