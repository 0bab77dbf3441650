// The Docker Engine API calls platbench makes, one method each. A daemon's error
// answer throws EngineError (with the daemon's message); transport problems
// throw HttpCallError (unreachable, timed out, cancelled).
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine_requests.hpp"
#include "engine_responses.hpp"
#include "unix_http.hpp"

namespace platbench::engine_api {

class EngineError : public std::runtime_error {
public:
    EngineError(unsigned status, const std::string& message) : std::runtime_error(message), status_(status) {}
    unsigned status() const { return status_; }

private:
    unsigned status_;
};

// A deadline `seconds` from now, watching `cancel` (may be null).
CallLimits within(double seconds, const std::atomic<bool>* cancel = nullptr);

class EngineClient {
public:
    explicit EngineClient(std::string socket_path);

    void ping(const CallLimits& limits) const;
    DaemonFacts facts(const CallLimits& limits) const;

    bool image_exists(const std::string& reference, const CallLimits& limits) const;
    void import_image(const std::filesystem::path& tarball, const std::string& reference,
                      const std::vector<std::string>& changes, const CallLimits& limits) const;
    void remove_image(const std::string& id, const CallLimits& limits) const;

    std::string create_container(const std::string& name, const ContainerSpec& spec, const CallLimits& limits) const;
    void start_container(const std::string& id, const CallLimits& limits) const;
    WaitResult wait_container(const std::string& id, const CallLimits& limits) const;
    // SIGKILL; a container that is no longer running is not an error.
    void kill_container(const std::string& id, const CallLimits& limits) const;
    DemuxedLogs container_logs(const std::string& id, std::size_t cap, const CallLimits& limits) const;
    ContainerState inspect_container(const std::string& id, const CallLimits& limits) const;
    // Forced, with its anonymous volumes; one already gone is not an error.
    void remove_container(const std::string& id, const CallLimits& limits) const;

    void create_volume(const std::string& name, const std::map<std::string, std::string>& labels,
                       const CallLimits& limits) const;
    void remove_volume(const std::string& name, const CallLimits& limits) const;

    // network_create_body(); returns the network's id.
    std::string create_network(const nlohmann::json& body, const CallLimits& limits) const;
    // One already gone is not an error.
    void remove_network(const std::string& id, const CallLimits& limits) const;
    // Networks carrying `label`: their names.
    std::vector<std::string> labelled_networks(const std::string& label, const CallLimits& limits) const;

    // Every object carrying `label`: containers (id and name), volumes (names), images (ids).
    std::vector<ListedContainer> labelled_containers(const std::string& label, const CallLimits& limits) const;
    std::vector<std::string> labelled_volumes(const std::string& label, const CallLimits& limits) const;
    std::vector<std::string> labelled_images(const std::string& label, const CallLimits& limits) const;

    const std::string& socket_path() const { return http_.socket_path(); }

private:
    // Sends the request; a status outside 2xx (and not in `tolerated`) throws EngineError.
    HttpResponse call(const std::string& method, const std::string& path, const std::string& body,
                      const CallLimits& limits, std::vector<unsigned> tolerated = {}) const;

    UnixHttpClient http_;
};

}  // namespace platbench::engine_api
