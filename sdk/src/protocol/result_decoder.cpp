// The engine's side of the protocol: finding, checking and reading the result
// line in whatever a runner, container or VM console printed.
//
// Everything here treats its input as hostile: every size is bounded before it is
// used, the JSON's nesting is capped while it is parsed, every field's type is
// checked, and nothing throws out of decode_runner_output().
#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <string_view>

#include "platbench/runner_protocol.hpp"
#include "util/bounded_json.hpp"
#include "platbench/hash.hpp"

namespace platbench {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxOutputBytes = 16u << 20;
constexpr std::size_t kMaxMetrics = 10000;
constexpr std::size_t kMaxListEntries = 10000;  // warnings, info, params
constexpr std::size_t kMaxStringBytes = 64u << 10;
constexpr int kMaxJsonDepth = 32;
// Earlier marker lines tried when the last one is damaged (a console that
// echoed the line twice and cut the second copy).
constexpr int kMaxCandidateLines = 8;

// Thrown inside this file only; always caught before decode_runner_output returns.
struct SchemaError {
    std::string message;
};

[[noreturn]] void schema_fail(std::string message) { throw SchemaError{std::move(message)}; }

// ---- finding the line -------------------------------------------------------

bool at_line_start(std::string_view text, std::size_t pos) {
    // A serial console ends lines with "\r\n" and may emit a lone '\r' first.
    while (pos > 0 && text[pos - 1] == '\r') --pos;
    return pos == 0 || text[pos - 1] == '\n';
}

std::string_view line_at(std::string_view text, std::size_t pos) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

// Marker lines, last first.
std::vector<std::string_view> candidate_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    const std::string_view marker = kResultMarker;
    std::size_t pos = text.size();
    while (static_cast<int>(lines.size()) < kMaxCandidateLines && pos > 0) {
        pos = text.rfind(marker, pos - 1);
        if (pos == std::string_view::npos) break;
        if (at_line_start(text, pos)) lines.push_back(line_at(text, pos));
    }
    return lines;
}

// ---- checking the frame -----------------------------------------------------

bool parse_size(std::string_view text, std::size_t& value) {
    if (text.empty() || text.size() > 12) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size();
}

bool is_hex_digest(std::string_view text) {
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::string excerpt(std::string_view text) {
    std::string out;
    for (char c : text.substr(0, 16)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out;
}

// "<marker> v1 <length> <sha256> <payload>": returns the checked payload, or
// nullopt with `failure` set.
std::optional<std::string_view> unframe(std::string_view line, std::string& failure) {
    std::string_view header[4];  // marker, version, length, digest
    std::string_view rest = line;
    for (std::string_view& field : header) {
        const std::size_t space = rest.find(' ');
        if (space == std::string_view::npos) {
            failure = "result line truncated: it ends inside its header";
            return std::nullopt;
        }
        field = rest.substr(0, space);
        rest.remove_prefix(space + 1);
    }
    const std::string expected = "v" + std::to_string(kProtocolVersion);
    if (header[0] != kResultMarker) {
        failure = "result line header is malformed: '" + excerpt(header[0]) + "' is not the marker";
        return std::nullopt;
    }
    if (header[1] != expected) {
        failure = "result line uses protocol '" + excerpt(header[1]) + "', this platbench reads " + expected +
                  "; use the platbench-runner of the same platbench version";
        return std::nullopt;
    }
    std::size_t length = 0;
    if (!parse_size(header[2], length) || length > kMaxOutputBytes) {
        failure = "result line header is malformed: bad payload length '" + excerpt(header[2]) + "'";
        return std::nullopt;
    }
    if (!is_hex_digest(header[3])) {
        failure = "result line header is malformed: bad checksum field";
        return std::nullopt;
    }
    if (rest.size() < length) {
        failure = "result line truncated: got " + std::to_string(rest.size()) + " of " + std::to_string(length) + " bytes";
        return std::nullopt;
    }
    // Bytes after the payload (a console's noise on the same line) are ignored:
    // the checksum decides over exactly the announced bytes.
    const std::string_view payload = rest.substr(0, length);
    if (sha256_hex(payload) != header[3]) {
        failure = "result line corrupted: checksum mismatch";
        return std::nullopt;
    }
    return payload;
}

// ---- parsing and schema -----------------------------------------------------

// The depth is bounded before parsing (util/bounded_json.hpp says why not with
// the parser's callback).
json parse_bounded(std::string_view payload) {
    if (json_nesting_depth(payload) > kMaxJsonDepth)
        schema_fail("result JSON is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    return json::parse(payload.begin(), payload.end());
}

// Every string anywhere in the document (keys too) within kMaxStringBytes.
void check_string_sizes(const json& value, const std::string& where, int depth = 0) {
    if (depth > kMaxJsonDepth) schema_fail(where + " is nested too deeply");
    if (value.is_string()) {
        if (value.get_ref<const std::string&>().size() > kMaxStringBytes) schema_fail(where + " is longer than 64 KiB");
    } else if (value.is_object()) {
        for (const auto& [key, item] : value.items()) {
            if (key.size() > kMaxStringBytes) schema_fail("a key in " + where + " is longer than 64 KiB");
            check_string_sizes(item, where + "." + key.substr(0, 64), depth + 1);
        }
    } else if (value.is_array()) {
        std::size_t index = 0;
        for (const json& item : value) check_string_sizes(item, where + "[" + std::to_string(index++) + "]", depth + 1);
    }
}

const json& field(const json& object, const char* name, const std::string& where = "") {
    auto it = object.find(name);
    if (it == object.end()) schema_fail("result has no '" + where + name + "' field");
    return *it;
}

const std::string& string_field(const json& object, const char* name, const std::string& where = "") {
    const json& value = field(object, name, where);
    if (!value.is_string()) schema_fail(where + name + " is not a string");
    return value.get_ref<const std::string&>();
}

const json& array_field(const json& object, const char* name, std::size_t max_entries) {
    const json& value = field(object, name);
    if (!value.is_array()) schema_fail(std::string(name) + " is not an array");
    if (value.size() > max_entries)
        schema_fail(std::string(name) + " has " + std::to_string(value.size()) + " entries, at most " +
                    std::to_string(max_entries) + " are accepted");
    return value;
}

const json& object_field(const json& object, const char* name) {
    const json& value = field(object, name);
    if (!value.is_object()) schema_fail(std::string(name) + " is not an object");
    return value;
}

bool is_metric_name(const std::string& name) {
    return !name.empty() && name.size() <= 128 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

Better checked_better(const std::string& text, const std::string& where) {
    if (auto better = parse_better(text)) return *better;
    schema_fail(where + ".better is '" + text.substr(0, 32) + "', expected higher, lower or none");
}

Metric parse_metric(const json& item, std::size_t index) {
    const std::string where = "metrics[" + std::to_string(index) + "]";
    if (!item.is_object()) schema_fail(where + " is not an object");
    Metric metric;
    metric.name = string_field(item, "name", where + ".");
    if (!is_metric_name(metric.name))
        schema_fail(where + ".name '" + metric.name.substr(0, 64) + "' is invalid: use [a-z0-9_]+ (at most 128 characters)");
    const json& value = field(item, "value", where + ".");
    if (value.is_null()) schema_fail("metric " + metric.name + " is not a finite number");
    if (!value.is_number()) schema_fail(where + ".value is not a number");
    metric.value = value.get<double>();
    if (!std::isfinite(metric.value)) schema_fail("metric " + metric.name + " is not a finite number");
    metric.unit = string_field(item, "unit", where + ".");
    metric.better = checked_better(string_field(item, "better", where + "."), where);
    return metric;
}

std::vector<Metric> parse_metrics(const json& root) {
    std::vector<Metric> metrics;
    std::set<std::string> seen;
    std::size_t index = 0;
    for (const json& item : array_field(root, "metrics", kMaxMetrics)) {
        Metric metric = parse_metric(item, index++);
        if (!seen.insert(metric.name).second) schema_fail("metric " + metric.name + " is reported twice");
        metrics.push_back(std::move(metric));
    }
    return metrics;
}

std::vector<std::string> parse_warnings(const json& root) {
    std::vector<std::string> warnings;
    std::size_t index = 0;
    for (const json& item : array_field(root, "warnings", kMaxListEntries)) {
        if (!item.is_string()) schema_fail("warnings[" + std::to_string(index) + "] is not a string");
        warnings.push_back(item.get<std::string>());
        ++index;
    }
    return warnings;
}

std::map<std::string, std::string> parse_info(const json& root) {
    const json& info = object_field(root, "info");
    if (info.size() > kMaxListEntries) schema_fail("info has more than " + std::to_string(kMaxListEntries) + " entries");
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : info.items()) {
        if (!value.is_string()) schema_fail("info." + key.substr(0, 64) + " is not a string");
        out[key] = value.get<std::string>();
    }
    return out;
}

json parse_params(const json& root) {
    const json& params = object_field(root, "params");
    if (params.size() > kMaxListEntries) schema_fail("params has more than " + std::to_string(kMaxListEntries) + " entries");
    for (const auto& [key, value] : params.items()) {
        if (!value.is_primitive()) schema_fail("params." + key.substr(0, 64) + " is not a plain value");
        if (value.is_number_float() && !std::isfinite(value.get<double>()))
            schema_fail("params." + key.substr(0, 64) + " is not a finite number");
    }
    return params;
}

RunnerReport parse_report(const json& root) {
    if (!root.is_object()) schema_fail("result is not a JSON object");
    check_string_sizes(root, "result");
    const json& protocol = field(root, "protocol");
    if (!protocol.is_number_integer() || protocol.get<std::int64_t>() != kProtocolVersion)
        schema_fail("result declares protocol " + protocol.dump().substr(0, 32) + ", expected " +
                    std::to_string(kProtocolVersion));
    RunnerReport report;
    const json& ok = field(root, "ok");
    if (!ok.is_boolean()) schema_fail("ok is not a boolean");
    report.ok = ok.get<bool>();
    report.error = string_field(root, "error");
    if (auto unavailable = root.find("unavailable"); unavailable != root.end()) {
        if (!unavailable->is_boolean()) schema_fail("unavailable is not a boolean");
        report.unavailable = unavailable->get<bool>();
        if (report.unavailable && report.ok) schema_fail("unavailable is true although ok is true");
    }
    report.workload = string_field(root, "workload");
    report.params = parse_params(root);
    report.metrics = parse_metrics(root);
    report.warnings = parse_warnings(root);
    report.info = parse_info(root);
    report.environment = object_field(root, "environment");
    const json& duration = field(root, "duration_seconds");
    if (!duration.is_number()) schema_fail("duration_seconds is not a number");
    report.duration_seconds = duration.get<double>();
    if (!std::isfinite(report.duration_seconds) || report.duration_seconds < 0)
        schema_fail("duration_seconds is not a finite, non-negative number");
    if (auto runner_seconds = root.find("runner_seconds"); runner_seconds != root.end()) {
        if (!runner_seconds->is_number()) schema_fail("runner_seconds is not a number");
        report.runner_seconds = runner_seconds->get<double>();
        if (!std::isfinite(*report.runner_seconds) || *report.runner_seconds < 0)
            schema_fail("runner_seconds is not a finite, non-negative number");
    }
    return report;
}

std::optional<RunnerReport> decode_line(std::string_view line, std::string& failure) {
    std::optional<std::string_view> payload = unframe(line, failure);
    if (!payload) return std::nullopt;
    try {
        return parse_report(parse_bounded(*payload));
    } catch (const SchemaError& e) {
        failure = e.message;
    } catch (const json::exception& e) {
        failure = std::string("result is not valid JSON: ") + e.what();
    } catch (const std::exception& e) {
        failure = std::string("result could not be read: ") + e.what();
    }
    return std::nullopt;
}

}  // namespace

std::optional<RunnerReport> decode_runner_output(const std::string& stdout_text, std::string& failure) {
    try {
        failure.clear();
        if (stdout_text.size() > kMaxOutputBytes) {
            failure = "runner output is larger than 16 MiB (" + std::to_string(stdout_text.size()) +
                      " bytes); a workload must not print results on stdout";
            return std::nullopt;
        }
        const std::vector<std::string_view> lines = candidate_lines(stdout_text);
        if (lines.empty()) {
            failure = "no result line in the runner's output (" + std::to_string(stdout_text.size()) + " bytes on stdout)";
            return std::nullopt;
        }
        // The last line's failure is the one reported; an earlier intact copy still wins.
        std::string last_failure;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            std::string line_failure;
            if (auto report = decode_line(lines[i], line_failure)) return report;
            if (i == 0) last_failure = std::move(line_failure);
        }
        failure = std::move(last_failure);
    } catch (const std::exception& e) {  // bad_alloc on absurd input: a failure, not a crash
        failure = std::string("result could not be read: ") + e.what();
    }
    return std::nullopt;
}

}  // namespace platbench
