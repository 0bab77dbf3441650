#include "engine_requests.hpp"

#include <cmath>

namespace platbench::engine_api {
using nlohmann::json;

const char* storage_name(Storage storage) {
    switch (storage) {
        case Storage::Volume: return "volume";
        case Storage::Bind: return "bind";
        case Storage::Container: return "container";
    }
    return "?";
}

namespace {

json host_config(const ContainerSpec& spec) {
    json host = {
        {"NetworkMode", spec.network ? spec.network_mode : "none"},
        // The runner needs no privilege: take every capability away and forbid gaining any.
        {"CapDrop", json::array({"ALL"})},
        {"SecurityOpt", json::array({"no-new-privileges"})},
        // Nothing to write outside the work directory, so the image stays read-only;
        // except with storage: container, whose work directory is the container's own
        // writable layer (what that setting measures).
        {"ReadonlyRootfs", spec.storage != Storage::Container},
        // A small init as PID 1 (docker-init, Podman's catatonit): the runner is then an
        // ordinary process, as on the host. As PID 1 itself, signals without a handler
        // would be ignored (abort() would end in SIGSEGV) and children never reaped.
        {"Init", true},
        // Logs are how the runner's output comes back: ask for the driver that keeps them,
        // whatever the daemon's default.
        {"LogConfig", {{"Type", "json-file"}, {"Config", json::object()}}},
        // No limit on the number of processes beyond the kernel's and nproc's, whatever the
        // daemon's default (Docker: none; Podman: 2048), so that every engine runs the
        // workload under the same limits.
        {"PidsLimit", kNoPidsLimit},
    };
    if (!spec.rlimits.empty()) {
        json limits = json::array();
        for (const auto& [name, values] : spec.rlimits)
            limits.push_back({{"Name", name}, {"Soft", values.first}, {"Hard", values.second}});
        host["Ulimits"] = limits;
    }
    if (spec.cpuset) host["CpusetCpus"] = *spec.cpuset;
    if (spec.cpus) host["NanoCpus"] = static_cast<std::int64_t>(std::llround(*spec.cpus * 1e9));
    if (spec.memory_bytes) {
        host["Memory"] = *spec.memory_bytes;
        host["MemorySwap"] = *spec.memory_bytes;  // equal to Memory: no swap beyond the limit
    }
    if (spec.work_dir && spec.storage != Storage::Container) {
        host["Mounts"] = json::array({{{"Type", spec.storage == Storage::Volume ? "volume" : "bind"},
                                       {"Source", spec.mount_source},
                                       {"Target", *spec.work_dir},
                                       {"ReadOnly", false}}});
    }
    return host;
}

}  // namespace

json network_create_body(const std::string& name, const std::string& subnet, const std::string& gateway,
                         const std::string& bridge, const std::map<std::string, std::string>& labels) {
    return {
        {"Name", name},
        {"CheckDuplicate", true},
        {"Driver", "bridge"},
        {"Internal", true},
        {"Labels", labels},
        {"IPAM", {{"Driver", "default"}, {"Config", json::array({{{"Subnet", subnet}, {"Gateway", gateway}}})}}},
        {"Options",
         {{"com.docker.network.bridge.name", bridge}, {"com.docker.network.bridge.enable_ip_masquerade", "false"}}},
    };
}

json container_create_body(const ContainerSpec& spec) {
    json body = {
        {"Image", spec.image},
        {"Cmd", spec.command},
        {"Env", json::array({"PATH=/usr/bin:/bin"})},
        {"Labels", spec.labels},
        {"NetworkDisabled", !spec.network},
        {"AttachStdin", false},
        {"AttachStdout", false},
        {"AttachStderr", false},
        {"Tty", false},  // no TTY: the logs keep stdout and stderr apart
        {"HostConfig", host_config(spec)},
    };
    if (spec.work_dir) body["WorkingDir"] = *spec.work_dir;
    if (spec.user) body["User"] = *spec.user;
    return body;
}

json volume_create_body(const std::string& name, const std::map<std::string, std::string>& labels) {
    return {{"Name", name}, {"Driver", "local"}, {"Labels", labels}};
}

std::string url_encode(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '_' || c == '.' || c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

std::string label_filter_query(const std::string& label) {
    return "filters=" + url_encode(json{{"label", json::array({label})}}.dump());
}

std::string image_import_target(const std::string& reference, const std::vector<std::string>& changes) {
    std::string target = api("/images/create") + "?fromSrc=-&repo=" + url_encode(reference);
    for (const std::string& change : changes) target += "&changes=" + url_encode(change);
    return target;
}

std::string api(const std::string& path) { return kApiPrefix + path; }

}  // namespace platbench::engine_api
