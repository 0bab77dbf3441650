// Building Docker Engine API requests: pure functions from what platbench wants
// to the URL and JSON body the daemon expects (API v1.41, which Docker 20.10+
// and Podman's compatible service both speak). Golden-file tested.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace platbench::engine_api {

inline constexpr const char* kApiPrefix = "/v1.41";
// Every object platbench creates carries this label (value "1"); clean finds them by it.
inline constexpr const char* kOwnerLabel = "platbench";

// HostConfig.PidsLimit for "no limit", as Docker 20.10 and Podman 4.3 both read it
// (Podman reads 0 so too; without the field it sets 2048).
inline constexpr std::int64_t kNoPidsLimit = -1;

// Where the workload's working directory lives, because the I/O path is what a
// block I/O comparison measures.
enum class Storage {
    Volume,     // a named volume, created and removed with the run
    Bind,       // a host directory bind-mounted into the container
    Container,  // the container's own writable layer (the storage driver's path)
};
const char* storage_name(Storage storage);

struct ContainerSpec {
    std::string image;                          // "localhost/platbench-bundle:<tag>"
    std::vector<std::string> command;           // argv of the runner inside the container
    std::map<std::string, std::string> labels;
    std::optional<std::string> cpuset;          // "0-1"
    std::optional<double> cpus;                 // CPU bandwidth in CPUs
    std::optional<std::int64_t> memory_bytes;   // hard limit, swap included
    bool network = false;                       // false: no network at all
    std::string network_mode = "default";       // with network: "host", or a network's name
    std::optional<std::string> user;            // "uid:gid"; empty: the image's (root)
    // Resource limits by Docker's names ("nofile", "nproc"); absent ones: the daemon's default.
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> rlimits;  // name -> (soft, hard)
    // The workload's working directory, when it has one.
    std::optional<std::string> work_dir;        // path inside the container, e.g. "/work"
    Storage storage = Storage::Volume;
    std::string mount_source;                   // volume name (Volume) or host directory (Bind)
};

// Body of POST /containers/create.
nlohmann::json container_create_body(const ContainerSpec& spec);

// Body of POST /networks/create: a bridge network of its own on `subnet` with
// the host at `gateway`, internal (no default route in the container, no NAT),
// its Linux bridge named `bridge` so that platbench's safety checks know it.
nlohmann::json network_create_body(const std::string& name, const std::string& subnet, const std::string& gateway,
                                   const std::string& bridge, const std::map<std::string, std::string>& labels);

// Body of POST /volumes/create.
nlohmann::json volume_create_body(const std::string& name, const std::map<std::string, std::string>& labels);

// Percent-encoding for a query-string value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);

// "filters=..." selecting objects that carry `label` (any value).
std::string label_filter_query(const std::string& label);

// Target of POST /images/create importing a root-filesystem tarball as `reference`
// ("localhost/platbench-bundle:0123"), with Dockerfile instructions applied, one
// per change ("LABEL platbench=1"). The tag goes inside `repo`: Docker accepts it
// there, and Podman ignores the separate `tag` parameter.
std::string image_import_target(const std::string& reference, const std::vector<std::string>& changes);

// "/v1.41" + path: every request names the API version it was written against.
std::string api(const std::string& path);

}  // namespace platbench::engine_api
