#include "engine_client.hpp"

#include <algorithm>

namespace platbench::engine_api {

CallLimits within(double seconds, const std::atomic<bool>* cancel) {
    const auto span = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    return CallLimits{Clock::now() + span, cancel};
}

EngineClient::EngineClient(std::string socket_path) : http_(std::move(socket_path)) {}

HttpResponse EngineClient::call(const std::string& method, const std::string& path, const std::string& body,
                                const CallLimits& limits, std::vector<unsigned> tolerated) const {
    HttpRequest request;
    request.method = method;
    request.target = path;
    request.body = body;
    HttpResponse response = http_.send(request, limits);
    const bool success = response.status >= 200 && response.status < 300;
    if (!success && std::find(tolerated.begin(), tolerated.end(), response.status) == tolerated.end())
        throw EngineError(response.status, method + " " + path + ": " + error_message(response.status, response.body));
    return response;
}

void EngineClient::ping(const CallLimits& limits) const { call("GET", "/_ping", "", limits); }

DaemonFacts EngineClient::facts(const CallLimits& limits) const {
    // Unversioned: a daemon too old for v1.41 must still say what it is.
    const HttpResponse version = call("GET", "/version", "", limits);
    const HttpResponse info = call("GET", "/info", "", limits);
    return parse_daemon_facts(version.body, info.body);
}

bool EngineClient::image_exists(const std::string& reference, const CallLimits& limits) const {
    return call("GET", api("/images/" + reference + "/json"), "", limits, {404}).status != 404;
}

void EngineClient::import_image(const std::filesystem::path& tarball, const std::string& reference,
                                const std::vector<std::string>& changes, const CallLimits& limits) const {
    HttpRequest request;
    request.method = "POST";
    request.target = image_import_target(reference, changes);
    request.body_file = tarball;
    request.content_type = "application/x-tar";
    const HttpResponse response = http_.send(request, limits);
    if (response.status < 200 || response.status >= 300)
        throw EngineError(response.status, "image import: " + error_message(response.status, response.body));
    // The status is 200 as soon as the upload starts: failures arrive in the progress stream.
    if (auto error = progress_error(response.body)) throw EngineError(response.status, "image import: " + *error);
}

void EngineClient::remove_image(const std::string& id, const CallLimits& limits) const {
    call("DELETE", api("/images/" + id + "?force=1"), "", limits, {404});
}

std::string EngineClient::create_container(const std::string& name, const ContainerSpec& spec,
                                           const CallLimits& limits) const {
    const HttpResponse response = call("POST", api("/containers/create?name=" + url_encode(name)),
                                       container_create_body(spec).dump(), limits);
    return parse_created_id(response.body);
}

void EngineClient::start_container(const std::string& id, const CallLimits& limits) const {
    call("POST", api("/containers/" + id + "/start"), "", limits);
}

WaitResult EngineClient::wait_container(const std::string& id, const CallLimits& limits) const {
    return parse_wait_result(call("POST", api("/containers/" + id + "/wait"), "", limits).body);
}

void EngineClient::kill_container(const std::string& id, const CallLimits& limits) const {
    call("POST", api("/containers/" + id + "/kill?signal=SIGKILL"), "", limits, {404, 409});
}

DemuxedLogs EngineClient::container_logs(const std::string& id, std::size_t cap, const CallLimits& limits) const {
    const HttpResponse response = call("GET", api("/containers/" + id + "/logs?stdout=1&stderr=1"), "", limits);
    return demultiplex_logs(response.body, cap);
}

ContainerState EngineClient::inspect_container(const std::string& id, const CallLimits& limits) const {
    return parse_container_state(call("GET", api("/containers/" + id + "/json"), "", limits).body);
}

void EngineClient::remove_container(const std::string& id, const CallLimits& limits) const {
    call("DELETE", api("/containers/" + id + "?force=1&v=1"), "", limits, {404});
}

void EngineClient::create_volume(const std::string& name, const std::map<std::string, std::string>& labels,
                                 const CallLimits& limits) const {
    call("POST", api("/volumes/create"), volume_create_body(name, labels).dump(), limits);
}

void EngineClient::remove_volume(const std::string& name, const CallLimits& limits) const {
    call("DELETE", api("/volumes/" + url_encode(name) + "?force=1"), "", limits, {404});
}

std::string EngineClient::create_network(const nlohmann::json& body, const CallLimits& limits) const {
    const std::vector<std::string> ids = string_fields("[" + call("POST", api("/networks/create"), body.dump(), limits).body + "]", "Id", "");
    if (ids.empty()) throw EngineError(500, "the daemon created a network but did not say its id");
    return ids.front();
}

void EngineClient::remove_network(const std::string& id, const CallLimits& limits) const {
    call("DELETE", api("/networks/" + url_encode(id)), "", limits, {404});
}

std::vector<std::string> EngineClient::labelled_networks(const std::string& label, const CallLimits& limits) const {
    return string_fields(call("GET", api("/networks?" + label_filter_query(label)), "", limits).body, "Name", "");
}

std::vector<ListedContainer> EngineClient::labelled_containers(const std::string& label, const CallLimits& limits) const {
    return listed_containers(call("GET", api("/containers/json?all=1&" + label_filter_query(label)), "", limits).body);
}

std::vector<std::string> EngineClient::labelled_volumes(const std::string& label, const CallLimits& limits) const {
    return string_fields(call("GET", api("/volumes?" + label_filter_query(label)), "", limits).body, "Name", "Volumes");
}

std::vector<std::string> EngineClient::labelled_images(const std::string& label, const CallLimits& limits) const {
    return string_fields(call("GET", api("/images/json?" + label_filter_query(label)), "", limits).body, "Id");
}

}  // namespace platbench::engine_api
