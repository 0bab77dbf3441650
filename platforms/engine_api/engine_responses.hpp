// Reading Docker Engine API responses. Everything a daemon sends is parsed
// defensively: malformed JSON, missing fields and truncated log frames give a
// ResponseError (or a best-effort value), never a crash.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace platbench::engine_api {

class ResponseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The daemon's "message" of an error response, else the (shortened) body, else the status.
std::string error_message(unsigned status, std::string_view body);

// GET /version and GET /info, together: what is recorded with every run.
struct DaemonFacts {
    std::string server_version;     // "20.10.24+dfsg1"
    std::string api_version;        // "1.41"
    std::string min_api_version;    // "1.12"
    std::string storage_driver;     // "overlay2", "vfs"
    std::string cgroup_version;     // "1", "2"
    std::string cgroup_driver;      // "cgroupfs", "systemd"
    std::string kernel;
    std::string operating_system;
    int cpus = 0;                   // NCPU
    bool memory_limit = true;       // the daemon can enforce Memory
    bool cpu_quota = true;          // ... NanoCpus (CFS quota)
    bool cpuset = true;             // ... CpusetCpus
};
DaemonFacts parse_daemon_facts(std::string_view version_body, std::string_view info_body);

// Compares dotted API versions ("1.41" < "1.100"); malformed parts count as 0.
int compare_api_versions(std::string_view a, std::string_view b);

// POST /containers/create: the new container's Id.
std::string parse_created_id(std::string_view body);

// POST /containers/{id}/wait.
struct WaitResult {
    long long status_code = -1;
    std::string error;  // Error.Message, when the daemon reports one
};
WaitResult parse_wait_result(std::string_view body);

// GET /containers/{id}/json, the State part.
struct ContainerState {
    bool oom_killed = false;
    long long exit_code = -1;
    std::string error;
    std::optional<double> started_at;   // seconds since the epoch
    std::optional<double> finished_at;
};
ContainerState parse_container_state(std::string_view body);

// GET /containers/{id}/logs without a TTY: frames of [stream, 0, 0, 0, size (big-endian u32)]
// then size bytes. Each stream keeps at most `cap` bytes; a truncated last frame keeps what arrived.
struct DemuxedLogs {
    std::string stdout_text;
    std::string stderr_text;
    bool truncated = false;  // a cap was hit or the stream ended inside a frame
};
DemuxedLogs demultiplex_logs(std::string_view stream, std::size_t cap);

// The JSON-lines progress of POST /images/create: the first "error" it reports, if any.
std::optional<std::string> progress_error(std::string_view body);

// RFC 3339 time as Docker writes it ("2024-05-01T10:00:00.123456789Z" or with an
// offset) to seconds since the epoch. Docker's zero time ("0001-01-01T00:00:00Z") gives nullopt.
std::optional<double> parse_rfc3339(std::string_view text);

// The value of `key` of every object in a JSON array body (GET /containers/json: "Id"),
// or of the array under `list_key` (GET /volumes: "Volumes", "Name").
std::vector<std::string> string_fields(std::string_view body, const std::string& key, const std::string& list_key = "");

// A container as the list request names it: its id and its first name (without Docker's leading '/').
struct ListedContainer {
    std::string id;
    std::string name;
};
std::vector<ListedContainer> listed_containers(std::string_view body);

}  // namespace platbench::engine_api
