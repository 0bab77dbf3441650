#include "environment/environment_parsing.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "platbench/environment.hpp"
#include "platbench/names.hpp"

namespace platbench::environment_parsing {
namespace {

std::string_view trim(std::string_view text) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!text.empty() && space(text.front())) text.remove_prefix(1);
    while (!text.empty() && space(text.back())) text.remove_suffix(1);
    return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(separator, start);
        if (end == std::string_view::npos) end = text.size();
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::vector<std::string_view> lines(std::string_view text) { return split(text, '\n'); }

std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> result;
    for (std::string_view part : split(text, ' '))
        if (!trim(part).empty()) result.push_back(trim(part));
    return result;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
    text = trim(text);
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<std::int64_t> parse_i64(std::string_view text) {
    text = trim(text);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// "Key:   value" lines of /proc/meminfo and /proc/cpuinfo: the value after the
// colon when the key matches exactly.
std::optional<std::string_view> value_of(std::string_view line, std::string_view key) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || trim(line.substr(0, colon)) != key) return std::nullopt;
    return trim(line.substr(colon + 1));
}

std::optional<std::uint64_t> meminfo_bytes(std::string_view value) {
    std::vector<std::string_view> parts = words(value);
    if (parts.empty() || parts.size() > 2) return std::nullopt;
    auto number = parse_u64(parts[0]);
    if (!number) return std::nullopt;
    if (parts.size() == 1) return number;
    if (parts[1] != "kB" || *number > (UINT64_MAX >> 10)) return std::nullopt;
    return *number << 10;
}

// Mount points escape space, tab, newline and backslash as octal (\040).
std::string unescape_mount_field(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size()) {
            const std::string_view digits = text.substr(i + 1, 3);
            if (digits.size() == 3 && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '7'; })) {
                out += static_cast<char>((digits[0] - '0') * 64 + (digits[1] - '0') * 8 + (digits[2] - '0'));
                i += 3;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

// Options of a v1 cgroup mount that are not controllers.
bool is_mount_option(std::string_view option) {
    return option == "rw" || option == "ro" || option == "xattr" || option == "noprefix" ||
           option == "clone_children" || option == "cpuset_v2_mode" ||
           (option.find('=') != std::string_view::npos && option.substr(0, 5) != "name=");
}

}  // namespace

MemInfo parse_meminfo(std::string_view meminfo) {
    return {meminfo_field(meminfo, "MemTotal").value_or(0), meminfo_field(meminfo, "MemAvailable").value_or(0)};
}

std::string parse_cpu_model(std::string_view cpuinfo) { return proc_field(cpuinfo, "model name").value_or(""); }

bool has_hypervisor_flag(std::string_view cpuinfo) {
    // Every processor shows the same flags: the first line says it.
    const std::optional<std::string> flags = proc_field(cpuinfo, "flags");
    if (!flags) return false;
    for (std::string_view flag : words(*flags))
        if (flag == "hypervisor") return true;
    return false;
}

CgroupMembership parse_proc_cgroup(std::string_view proc_self_cgroup) {
    CgroupMembership membership;
    for (std::string_view line : lines(proc_self_cgroup)) {
        // "<hierarchy-id>:<controller,list>:<path>"; the path may itself hold colons.
        const std::size_t first = line.find(':');
        if (first == std::string_view::npos) continue;
        const std::size_t second = line.find(':', first + 1);
        if (second == std::string_view::npos) continue;
        const std::string_view id = line.substr(0, first);
        const std::string_view controllers = line.substr(first + 1, second - first - 1);
        const std::string path(trim(line.substr(second + 1)));
        if (path.empty() || path.front() != '/' || !parse_u64(id)) continue;
        if (id == "0" && controllers.empty()) {
            membership.v2_path = path;
            continue;
        }
        for (std::string_view controller : split(controllers, ','))
            if (!controller.empty()) membership.v1_paths[std::string(controller)] = path;
    }
    return membership;
}

std::vector<CgroupMount> parse_cgroup_mounts(std::string_view mountinfo) {
    std::vector<CgroupMount> mounts;
    for (std::string_view line : lines(mountinfo)) {
        // "id parent major:minor root mount-point options [optional...] - fstype source super-options"
        std::vector<std::string_view> fields = words(line);
        auto dash = std::find(fields.begin(), fields.end(), std::string_view("-"));
        if (fields.size() < 6 || dash == fields.end() || dash - fields.begin() < 6 || fields.end() - dash < 3)
            continue;
        const std::string_view fstype = dash[1];
        if (fstype != "cgroup" && fstype != "cgroup2") continue;
        CgroupMount mount;
        mount.root = unescape_mount_field(fields[3]);
        mount.mount_point = unescape_mount_field(fields[4]);
        mount.v2 = fstype == "cgroup2";
        if (!mount.v2)
            for (std::string_view option : split(dash[3], ','))
                if (!option.empty() && !is_mount_option(option)) mount.controllers.emplace_back(option);
        mounts.push_back(std::move(mount));
    }
    return mounts;
}

std::string cgroup_version(const std::vector<CgroupMount>& mounts) {
    bool v2 = false;
    for (const CgroupMount& mount : mounts) {
        if (mount.v2) v2 = true;
        for (const std::string& controller : mount.controllers)
            if (controller.rfind("name=", 0) != 0) return "v1";
    }
    return v2 ? "v2" : "none";
}

const CgroupMount* find_v1_mount(const std::vector<CgroupMount>& mounts, const std::string& controller) {
    for (const CgroupMount& mount : mounts)
        if (!mount.v2 && std::find(mount.controllers.begin(), mount.controllers.end(), controller) != mount.controllers.end())
            return &mount;
    return nullptr;
}

const CgroupMount* find_v2_mount(const std::vector<CgroupMount>& mounts) {
    for (const CgroupMount& mount : mounts)
        if (mount.v2) return &mount;
    return nullptr;
}

std::optional<std::string> path_below_mount(const CgroupMount& mount, const std::string& cgroup_path) {
    if (cgroup_path.empty() || cgroup_path.front() != '/') return std::nullopt;
    std::string root = mount.root;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    std::string relative;
    if (root == "/") {
        relative = cgroup_path.substr(1);
    } else if (cgroup_path == root) {
        relative.clear();
    } else if (cgroup_path.rfind(root + "/", 0) == 0) {
        relative = cgroup_path.substr(root.size() + 1);
    } else {
        return std::nullopt;
    }
    while (!relative.empty() && relative.back() == '/') relative.pop_back();
    // "/../.." appears when a process sits outside its cgroup namespace's root.
    for (std::string_view part : split(relative, '/'))
        if (part == "..") return std::nullopt;
    return relative;
}

std::optional<double> parse_cfs_quota(std::string_view quota_us, std::string_view period_us) {
    auto quota = parse_i64(quota_us);
    auto period = parse_i64(period_us);
    if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;
    return static_cast<double>(*quota) / static_cast<double>(*period);
}

std::optional<double> parse_cpu_max(std::string_view cpu_max) {
    std::vector<std::string_view> parts = words(trim(cpu_max));
    if (parts.empty() || parts.size() > 2 || parts[0] == "max") return std::nullopt;
    return parse_cfs_quota(parts[0], parts.size() == 2 ? parts[1] : "100000");
}

std::optional<std::uint64_t> parse_memory_limit_in_bytes(std::string_view text) {
    auto bytes = parse_u64(text);
    if (!bytes || *bytes == 0 || *bytes >= kUnlimitedMemoryThreshold) return std::nullopt;
    return bytes;
}

std::optional<std::uint64_t> parse_memory_max(std::string_view text) {
    if (trim(text) == "max") return std::nullopt;
    return parse_memory_limit_in_bytes(text);
}

std::string container_from_markers(const ContainerMarkers& markers) {
    if (markers.dockerenv) return "docker";
    if (markers.containerenv) return "podman";
    if (markers.apptainer_variables) return "apptainer";
    if (!markers.container_variable.empty()) return with_safe_name_characters(markers.container_variable);
    return "none";
}

}  // namespace platbench::environment_parsing

namespace platbench {

std::optional<std::string> proc_field(std::string_view text, std::string_view key) {
    for (std::string_view line : environment_parsing::lines(text))
        if (auto value = environment_parsing::value_of(line, key)) return std::string(*value);
    return std::nullopt;
}

std::optional<std::uint64_t> meminfo_field(std::string_view meminfo, std::string_view key) {
    const std::optional<std::string> value = proc_field(meminfo, key);
    if (!value) return std::nullopt;
    return environment_parsing::meminfo_bytes(*value);
}

}  // namespace platbench
