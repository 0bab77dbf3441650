#include "engine_responses.hpp"

#include <charconv>
#include <ctime>

#include <nlohmann/json.hpp>

namespace platbench::engine_api {
using nlohmann::json;

namespace {

constexpr std::size_t kMaxMessage = 300;

json parse_json(std::string_view body, const char* what) {
    json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) throw ResponseError(std::string("the daemon's answer to ") + what + " is not JSON");
    return parsed;
}

json parse_object(std::string_view body, const char* what) {
    json parsed = parse_json(body, what);
    if (!parsed.is_object()) throw ResponseError(std::string("the daemon's answer to ") + what + " is not a JSON object");
    return parsed;
}

std::string text_field(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number()) return it->dump();
    return {};
}

bool bool_field(const json& object, const char* key, bool fallback) {
    auto it = object.find(key);
    return it != object.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

long long integer_field(const json& object, const char* key, long long fallback) {
    auto it = object.find(key);
    return it != object.end() && it->is_number_integer() ? it->get<long long>() : fallback;
}

std::string shorten(std::string text) {
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    if (text.size() > kMaxMessage) text = text.substr(0, kMaxMessage) + "...";
    return text;
}

// Digits of `text` from `pos`, exactly `count` of them.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t count) {
    if (pos + count > text.size()) return std::nullopt;
    int value = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + count, value);
    if (ec != std::errc() || end != text.data() + pos + count) return std::nullopt;
    return value;
}

}  // namespace

std::string error_message(unsigned status, std::string_view body) {
    json parsed = json::parse(body.begin(), body.end(), nullptr, false);
    if (parsed.is_object()) {
        std::string message = text_field(parsed, "message");
        if (message.empty()) message = text_field(parsed, "cause");  // Podman adds "cause"
        if (!message.empty()) return shorten(message);
    }
    std::string text(body);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (!text.empty()) return shorten(text);
    return "HTTP status " + std::to_string(status);
}

DaemonFacts parse_daemon_facts(std::string_view version_body, std::string_view info_body) {
    const json version = parse_object(version_body, "GET /version");
    const json info = parse_object(info_body, "GET /info");
    DaemonFacts facts;
    facts.server_version = text_field(version, "Version");
    facts.api_version = text_field(version, "ApiVersion");
    facts.min_api_version = text_field(version, "MinAPIVersion");
    facts.kernel = text_field(version, "KernelVersion");
    facts.storage_driver = text_field(info, "Driver");
    facts.cgroup_version = text_field(info, "CgroupVersion");
    facts.cgroup_driver = text_field(info, "CgroupDriver");
    facts.operating_system = text_field(info, "OperatingSystem");
    facts.cpus = static_cast<int>(integer_field(info, "NCPU", 0));
    facts.memory_limit = bool_field(info, "MemoryLimit", true);
    facts.cpu_quota = bool_field(info, "CpuCfsQuota", true);
    facts.cpuset = bool_field(info, "CPUSet", true);
    if (facts.server_version.empty() || facts.api_version.empty())
        throw ResponseError("the daemon's GET /version answer lacks Version or ApiVersion");
    return facts;
}

int compare_api_versions(std::string_view a, std::string_view b) {
    auto next = [](std::string_view& text) {
        int value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc()) value = 0;
        const std::size_t dot = text.find('.');
        text = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
        return value;
    };
    while (!a.empty() || !b.empty()) {
        const int left = next(a);
        const int right = next(b);
        if (left != right) return left < right ? -1 : 1;
    }
    return 0;
}

std::string parse_created_id(std::string_view body) {
    const std::string id = text_field(parse_object(body, "POST /containers/create"), "Id");
    if (id.empty()) throw ResponseError("the daemon created a container but sent no Id");
    return id;
}

WaitResult parse_wait_result(std::string_view body) {
    const json parsed = parse_object(body, "POST /containers/{id}/wait");
    WaitResult result;
    result.status_code = integer_field(parsed, "StatusCode", -1);
    if (auto error = parsed.find("Error"); error != parsed.end() && error->is_object())
        result.error = shorten(text_field(*error, "Message"));
    if (result.status_code < 0 && result.error.empty()) throw ResponseError("the daemon's wait answer has no StatusCode");
    return result;
}

ContainerState parse_container_state(std::string_view body) {
    const json parsed = parse_object(body, "GET /containers/{id}/json");
    auto state = parsed.find("State");
    if (state == parsed.end() || !state->is_object()) throw ResponseError("the container description has no State");
    ContainerState out;
    out.oom_killed = bool_field(*state, "OOMKilled", false);
    out.exit_code = integer_field(*state, "ExitCode", -1);
    out.error = shorten(text_field(*state, "Error"));
    out.started_at = parse_rfc3339(text_field(*state, "StartedAt"));
    out.finished_at = parse_rfc3339(text_field(*state, "FinishedAt"));
    return out;
}

DemuxedLogs demultiplex_logs(std::string_view stream, std::size_t cap) {
    DemuxedLogs logs;
    std::size_t pos = 0;
    while (pos < stream.size()) {
        if (stream.size() - pos < 8) {
            logs.truncated = true;
            break;
        }
        const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(stream[pos + k]); };
        const unsigned kind = byte(0);
        const std::size_t size = (std::size_t{byte(4)} << 24) | (std::size_t{byte(5)} << 16) |
                                 (std::size_t{byte(6)} << 8) | std::size_t{byte(7)};
        pos += 8;
        std::size_t available = std::min(size, stream.size() - pos);
        if (available < size) logs.truncated = true;
        // 1 = stdout, 2 = stderr; 0 (stdin) and anything else is not ours to keep.
        std::string* target = kind == 1 ? &logs.stdout_text : kind == 2 ? &logs.stderr_text : nullptr;
        if (target != nullptr) {
            const std::size_t room = cap > target->size() ? cap - target->size() : 0;
            if (available > room) logs.truncated = true;
            target->append(stream.substr(pos, std::min(available, room)));
        }
        pos += available;
    }
    return logs;
}

std::optional<std::string> progress_error(std::string_view body) {
    std::size_t start = 0;
    while (start < body.size()) {
        std::size_t end = body.find('\n', start);
        if (end == std::string_view::npos) end = body.size();
        const std::string_view line = body.substr(start, end - start);
        start = end + 1;
        json parsed = json::parse(line.begin(), line.end(), nullptr, false);
        if (!parsed.is_object()) continue;
        std::string error = text_field(parsed, "error");
        if (!error.empty()) return shorten(error);
    }
    return std::nullopt;
}

std::optional<double> parse_rfc3339(std::string_view text) {
    // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
    const auto year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
    const auto hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
    if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':')
        return std::nullopt;
    if (*year <= 1) return std::nullopt;  // Go's zero time: never started / not finished
    std::size_t pos = 19;
    double fraction = 0;
    if (pos < text.size() && text[pos] == '.') {
        double scale = 0.1;
        for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, scale /= 10)
            fraction += (text[pos] - '0') * scale;
    }
    int offset_seconds = 0;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        const auto offset_hours = digits(text, pos + 1, 2), offset_minutes = digits(text, pos + 4, 2);
        if (!offset_hours || !offset_minutes || pos + 6 != text.size()) return std::nullopt;
        offset_seconds = (text[pos] == '+' ? 1 : -1) * (*offset_hours * 3600 + *offset_minutes * 60);
    } else if (pos + 1 != text.size() || (text[pos] != 'Z' && text[pos] != 'z')) {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = *year - 1900;
    tm.tm_mon = *month - 1;
    tm.tm_mday = *day;
    tm.tm_hour = *hour;
    tm.tm_min = *minute;
    tm.tm_sec = *second;
    return static_cast<double>(timegm(&tm)) - offset_seconds + fraction;
}

std::vector<std::string> string_fields(std::string_view body, const std::string& key, const std::string& list_key) {
    json parsed = parse_json(body, "a list request");
    if (!list_key.empty()) {
        if (!parsed.is_object()) throw ResponseError("the daemon's list answer is not a JSON object");
        auto list = parsed.find(list_key);
        if (list == parsed.end() || list->is_null()) return {};  // Docker sends null for "none"
        parsed = *list;
    }
    if (!parsed.is_array()) throw ResponseError("the daemon's list answer is not a JSON array");
    std::vector<std::string> values;
    for (const json& item : parsed) {
        if (!item.is_object()) continue;
        std::string value = text_field(item, key.c_str());
        if (!value.empty()) values.push_back(std::move(value));
    }
    return values;
}

std::vector<ListedContainer> listed_containers(std::string_view body) {
    const json parsed = parse_json(body, "a list request");
    if (!parsed.is_array()) throw ResponseError("the daemon's list answer is not a JSON array");
    std::vector<ListedContainer> containers;
    for (const json& item : parsed) {
        if (!item.is_object()) continue;
        ListedContainer container{text_field(item, "Id"), {}};
        if (container.id.empty()) continue;
        if (auto names = item.find("Names"); names != item.end() && names->is_array() && !names->empty() &&
                                             names->front().is_string()) {
            container.name = names->front().get<std::string>();
            if (!container.name.empty() && container.name.front() == '/') container.name.erase(0, 1);
        }
        containers.push_back(std::move(container));
    }
    return containers;
}

}  // namespace platbench::engine_api
