// The result line: encoding, decoding every kind of damage, and bounds.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "platbench/runner_protocol.hpp"
#include "platbench/hash.hpp"

namespace {

using nlohmann::json;
using platbench::RunnerReport;

RunnerReport sample_report() {
    RunnerReport report;
    report.ok = true;
    report.workload = "stream";
    report.params = {{"array_size", 80000000}, {"threads", 4}, {"validate", true}, {"kernel", "tbb"}};
    report.metrics = {{"triad_best_rate", 23456.5, "MB/s", platbench::Better::Higher},
                      {"triad_avg_time", 0.0125, "s", platbench::Better::Lower},
                      {"iterations", 10, "", platbench::Better::None}};
    report.warnings = {"array smaller than 4x the last-level cache"};
    report.info = {{"threads_used", "4"}};
    report.environment = {{"online_cpus", 8}};
    report.duration_seconds = 1.75;
    return report;
}

// A correctly framed line around any payload, valid JSON or not.
std::string frame(const std::string& payload) {
    return std::string(platbench::kResultMarker) + " v1 " + std::to_string(payload.size()) + " " +
           platbench::sha256_hex(payload) + " " + payload + "\n";
}

std::string decode_failure(const std::string& text) {
    std::string failure;
    const auto report = platbench::decode_runner_output(text, failure);
    CHECK_FALSE(report.has_value());
    CHECK_FALSE(failure.empty());
    return failure;
}

RunnerReport decode_ok(const std::string& text) {
    std::string failure;
    const auto report = platbench::decode_runner_output(text, failure);
    INFO("failure: ", failure);
    REQUIRE(report.has_value());
    CHECK(failure.empty());
    return *report;
}

void check_same(const RunnerReport& a, const RunnerReport& b) {
    CHECK(a.ok == b.ok);
    CHECK(a.error == b.error);
    CHECK(a.workload == b.workload);
    CHECK(a.params == b.params);
    REQUIRE(a.metrics.size() == b.metrics.size());
    for (std::size_t i = 0; i < a.metrics.size(); ++i) {
        CHECK(a.metrics[i].name == b.metrics[i].name);
        CHECK(a.metrics[i].value == b.metrics[i].value);
        CHECK(a.metrics[i].unit == b.metrics[i].unit);
        CHECK(a.metrics[i].better == b.metrics[i].better);
    }
    CHECK(a.warnings == b.warnings);
    CHECK(a.info == b.info);
    CHECK(a.environment == b.environment);
    CHECK(a.duration_seconds == b.duration_seconds);
}

// The sample report as JSON with one change applied, framed.
template <typename Change>
std::string framed_with(Change change) {
    json payload = platbench::to_json(sample_report());
    change(payload);
    return frame(payload.dump());
}

}  // namespace

TEST_CASE("to_json(ObservedEnvironment) writes every field, absent optionals as null") {
    platbench::ObservedEnvironment env;
    env.online_cpus = 8;
    env.affinity = {0, 1, 2, 3};
    env.memory_total_bytes = 16ull << 30;
    env.memory_available_bytes = 12ull << 30;
    env.cgroup_version = "v2";
    env.kernel = "6.1.0";
    env.hostname = "bench1";
    env.cpu_model = "Xeon";
    env.virtualization = "none";
    env.container = "docker";
    json j = platbench::to_json(env);
    for (const char* key : {"online_cpus", "affinity", "cpu_quota", "memory_total_bytes", "memory_available_bytes",
                            "memory_limit_bytes", "cgroup_version", "kernel", "hostname", "cpu_model",
                            "virtualization", "container"}) {
        CHECK_MESSAGE(j.contains(key), key);
    }
    CHECK(j["cpu_quota"].is_null());
    CHECK(j["memory_limit_bytes"].is_null());
    CHECK(j["affinity"] == json({0, 1, 2, 3}));
    CHECK(j["usable_cpus"] == 4);

    env.cpu_quota = 1.5;
    env.memory_limit_bytes = 1ull << 30;
    j = platbench::to_json(env);
    CHECK(j["cpu_quota"] == 1.5);
    CHECK(j["memory_limit_bytes"] == (1ull << 30));
    CHECK(j["usable_cpus"] == 2);
    CHECK(j["usable_memory_bytes"] == (1ull << 30));
}

TEST_CASE("to_json(RunnerReport) has the documented shape") {
    const json j = platbench::to_json(sample_report());
    CHECK(j["protocol"] == 1);
    CHECK(j["ok"] == true);
    CHECK(j["error"] == "");
    CHECK(j["workload"] == "stream");
    CHECK(j["params"]["array_size"] == 80000000);
    CHECK(j["metrics"][0] == json({{"name", "triad_best_rate"}, {"value", 23456.5}, {"unit", "MB/s"}, {"better", "higher"}}));
    CHECK(j["metrics"][1]["better"] == "lower");
    CHECK(j["metrics"][2]["better"] == "none");
    CHECK(j["warnings"].size() == 1);
    CHECK(j["info"]["threads_used"] == "4");
    CHECK(j["environment"]["online_cpus"] == 8);
    CHECK(j["duration_seconds"] == 1.75);
}

TEST_CASE("a result line is framed with its length and SHA-256, one ASCII line") {
    RunnerReport report = sample_report();
    report.warnings.push_back("Grüße \xff\xfe invalid UTF-8");  // replaced, not fatal
    const std::string line = platbench::encode_result_line(report);
    REQUIRE(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    CHECK(line.starts_with("@@platbench-result v1 "));
    for (char c : line) CHECK(static_cast<unsigned char>(c) < 0x80);
    // "@@platbench-result v1 <len> <sha> <payload>\n"
    const std::size_t length_at = line.find(' ', 19) + 1;
    const std::size_t sha_at = line.find(' ', length_at) + 1;
    const std::size_t payload_at = sha_at + 65;
    const std::string payload = line.substr(payload_at, line.size() - 1 - payload_at);
    CHECK(std::stoul(line.substr(length_at, sha_at - 1 - length_at)) == payload.size());
    CHECK(line.substr(sha_at, 64) == platbench::sha256_hex(payload));
    CHECK(decode_ok(line).warnings.back().starts_with("Grüße"));
}

TEST_CASE("encode then decode gives back the same report") {
    const RunnerReport original = sample_report();
    check_same(decode_ok(platbench::encode_result_line(original)), original);

    RunnerReport failed;
    failed.ok = false;
    failed.error = "array does not fit in memory: needs 3 GiB, 1 GiB usable";
    failed.workload = "stream";
    check_same(decode_ok(platbench::encode_result_line(failed)), failed);
}

TEST_CASE("the result line is found among other output, CRLF line ends included") {
    const std::string line = platbench::encode_result_line(sample_report());
    std::string console = "[    0.000000] Linux version 6.1\r\nbooting...\r\n";
    console += line.substr(0, line.size() - 1) + "\r\n";
    console += "[    2.1] reboot: Power down\r\n";
    CHECK(decode_ok(console).workload == "stream");
    // A marker in the middle of a line is not a result line.
    CHECK(decode_failure("noise " + line).starts_with("no result line"));
}

TEST_CASE("the last result line wins") {
    RunnerReport first = sample_report();
    first.workload = "first";
    RunnerReport second = sample_report();
    second.workload = "second";
    const std::string text = platbench::encode_result_line(first) + "other\n" + platbench::encode_result_line(second);
    CHECK(decode_ok(text).workload == "second");
}

TEST_CASE("an intact earlier copy is used when a console cut the last one") {
    const std::string line = platbench::encode_result_line(sample_report());
    const std::string text = line + line.substr(0, line.size() / 2);
    CHECK(decode_ok(text).workload == "stream");
}

TEST_CASE("no result line, truncation and corruption are each named") {
    CHECK(decode_failure("").starts_with("no result line"));
    CHECK(decode_failure("hello\nworld\n").starts_with("no result line"));

    const std::string line = platbench::encode_result_line(sample_report());
    const std::size_t payload_size = line.size() - 1 - (line.find('{'));
    const std::string cut = line.substr(0, line.size() - 11);
    CHECK(decode_failure(cut) == "result line truncated: got " + std::to_string(payload_size - 10) + " of " +
                                     std::to_string(payload_size) + " bytes");
    CHECK(decode_failure(line.substr(0, 30)) == "result line truncated: it ends inside its header");

    std::string corrupted = line;
    corrupted[line.find("stream")] = 'S';
    CHECK(decode_failure(corrupted) == "result line corrupted: checksum mismatch");
}

TEST_CASE("a different protocol version is refused with what to do") {
    std::string line = platbench::encode_result_line(sample_report());
    line.replace(line.find(" v1 "), 4, " v2 ");
    const std::string failure = decode_failure(line);
    CHECK(failure.find("'v2'") != std::string::npos);
    CHECK(failure.find("same platbench version") != std::string::npos);

    CHECK(decode_failure(framed_with([](json& j) { j["protocol"] = 2; })).find("protocol 2") != std::string::npos);
}

TEST_CASE("a correctly framed payload that is not JSON is refused") {
    CHECK(decode_failure(frame("{\"ok\": tru")).starts_with("result is not valid JSON: "));
    CHECK(decode_failure(frame("[1,2,3]")) == "result is not a JSON object");
    CHECK(decode_failure(frame("{\"value\": 1e999}")).starts_with("result is not valid JSON: "));
}

TEST_CASE("every field's type is checked, naming the field") {
    CHECK(decode_failure(framed_with([](json& j) { j["metrics"][2]["value"] = "fast"; })) ==
          "metrics[2].value is not a number");
    CHECK(decode_failure(framed_with([](json& j) { j["metrics"][0]["value"] = nullptr; })) ==
          "metric triad_best_rate is not a finite number");
    CHECK(decode_failure(framed_with([](json& j) { j["metrics"][0]["name"] = "Triad Rate"; }))
              .starts_with("metrics[0].name 'Triad Rate' is invalid"));
    CHECK(decode_failure(framed_with([](json& j) { j["metrics"][1]["better"] = "up"; }))
              .starts_with("metrics[1].better is 'up'"));
    CHECK(decode_failure(framed_with([](json& j) { j["metrics"][1]["name"] = "triad_best_rate"; })) ==
          "metric triad_best_rate is reported twice");
    CHECK(decode_failure(framed_with([](json& j) { j["metrics"][0].erase("unit"); })) ==
          "result has no 'metrics[0].unit' field");
    CHECK(decode_failure(framed_with([](json& j) { j["ok"] = "yes"; })) == "ok is not a boolean");
    CHECK(decode_failure(framed_with([](json& j) { j.erase("workload"); })) == "result has no 'workload' field");
    CHECK(decode_failure(framed_with([](json& j) { j["metrics"] = json::object(); })) == "metrics is not an array");
    CHECK(decode_failure(framed_with([](json& j) { j["warnings"] = {1}; })) == "warnings[0] is not a string");
    CHECK(decode_failure(framed_with([](json& j) { j["info"]["threads_used"] = 4; })) ==
          "info.threads_used is not a string");
    CHECK(decode_failure(framed_with([](json& j) { j["params"]["nested"] = {1, 2}; })) ==
          "params.nested is not a plain value");
    CHECK(decode_failure(framed_with([](json& j) { j["environment"] = "host"; })) == "environment is not an object");
    CHECK(decode_failure(framed_with([](json& j) { j["duration_seconds"] = -1; })) ==
          "duration_seconds is not a finite, non-negative number");
}

TEST_CASE("sizes and counts are bounded") {
    const std::string line = platbench::encode_result_line(sample_report());
    CHECK(decode_failure(std::string(16u << 20, 'x') + line).starts_with("runner output is larger than 16 MiB"));

    CHECK(decode_failure(framed_with([](json& j) {
              j["metrics"] = json::array();
              for (int i = 0; i < 10001; ++i) j["metrics"].push_back({{"name", "m" + std::to_string(i)}, {"value", i}, {"unit", ""}, {"better", "none"}});
          })).starts_with("metrics has 10001 entries"));
    CHECK(decode_failure(framed_with([](json& j) { j["error"] = std::string(65 * 1024, 'e'); })) ==
          "result.error is longer than 64 KiB");
    CHECK(decode_failure(framed_with([](json& j) { j["environment"]["cpu_model"] = std::string(65 * 1024, 'c'); })) ==
          "result.environment.cpu_model is longer than 64 KiB");
    std::string deep(100, '[');
    deep += std::string(100, ']');
    CHECK(decode_failure(frame("{\"environment\": " + deep + "}")).find("nested deeper") != std::string::npos);

    // At the bounds: accepted.
    RunnerReport many = sample_report();
    many.metrics.clear();
    for (int i = 0; i < 10000; ++i) many.metrics.push_back({"m" + std::to_string(i), double(i), "", platbench::Better::None});
    many.error = std::string(64 * 1024, 'e');
    CHECK(decode_ok(platbench::encode_result_line(many)).metrics.size() == 10000);
}

TEST_CASE("nesting beyond 32 levels is refused, counted outside strings") {
    // The top-level object is level 1, environment level 2, then `arrays` nested arrays.
    const auto with_nested_arrays = [](int arrays) {
        json nested = json::array();
        for (int i = 1; i < arrays; ++i) nested = json::array({nested});
        return framed_with([&](json& j) {
            j["environment"]["nested"] = nested;
            j["error"] = "[[[{{{ \"]]]}}} \\";  // brackets, an escaped quote and a backslash in a string
        });
    };
    CHECK(decode_ok(with_nested_arrays(30)).environment.contains("nested"));
    CHECK(decode_failure(with_nested_arrays(31)) == "result JSON is nested deeper than 32 levels");
}

TEST_CASE("many small arrays and objects decode in linear time") {
    // The parser once searched the enclosing container at the end of each one:
    // 200,000 empty objects took 43 s with g++ -O2 (0.06 s since).
    std::string many = "[{}";
    for (int i = 1; i < 200000; ++i) many += ",{}";
    many += "]";
    std::string payload = platbench::to_json(sample_report()).dump();
    payload.replace(payload.find("\"environment\":{") + 15, 0, "\"many\":" + many + ",");
    const std::string line = frame(payload);
    const auto start = std::chrono::steady_clock::now();
    const RunnerReport decoded = decode_ok(line);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(decoded.environment["many"].size() == 200000);
    CHECK(seconds < 20);
}

TEST_CASE("a non-finite metric or duration is encoded as null and refused by the decoder") {
    RunnerReport report = sample_report();
    report.metrics[1].value = std::numeric_limits<double>::infinity();
    const std::string line = platbench::encode_result_line(report);
    CHECK(line.find("\"value\":null") != std::string::npos);
    CHECK(decode_failure(line) == "metric triad_avg_time is not a finite number");

    report = sample_report();
    report.metrics[0].value = std::nan("");
    CHECK(decode_failure(platbench::encode_result_line(report)) == "metric triad_best_rate is not a finite number");
}

TEST_CASE("an unavailable workload's report round-trips, the field is optional and checked") {
    RunnerReport unavailable;
    unavailable.ok = false;
    unavailable.unavailable = true;
    unavailable.error = "fio is not installed on this host: apt install fio";
    unavailable.workload = "fio";
    const json j = platbench::to_json(unavailable);
    CHECK(j["unavailable"] == true);
    const RunnerReport decoded = decode_ok(platbench::encode_result_line(unavailable));
    check_same(decoded, unavailable);
    CHECK(decoded.unavailable);

    // Written only when set, so every other report reads exactly as before.
    CHECK_FALSE(platbench::to_json(sample_report()).contains("unavailable"));
    CHECK_FALSE(decode_ok(platbench::encode_result_line(sample_report())).unavailable);
    CHECK(decode_failure(framed_with([](json& j) { j["unavailable"] = "yes"; })) == "unavailable is not a boolean");
    CHECK(decode_failure(framed_with([](json& j) { j["unavailable"] = true; })) ==
          "unavailable is true although ok is true");
    CHECK_FALSE(decode_ok(framed_with([](json& j) { j["unavailable"] = false; })).unavailable);
}

TEST_CASE("the runner's own lifetime round-trips when present, is optional and checked") {
    RunnerReport report = sample_report();
    CHECK_FALSE(platbench::to_json(report).contains("runner_seconds"));
    CHECK_FALSE(decode_ok(platbench::encode_result_line(report)).runner_seconds.has_value());

    report.runner_seconds = 1.25;
    CHECK(platbench::to_json(report)["runner_seconds"] == 1.25);
    const RunnerReport decoded = decode_ok(platbench::encode_result_line(report));
    REQUIRE(decoded.runner_seconds.has_value());
    CHECK(*decoded.runner_seconds == 1.25);

    CHECK(decode_failure(framed_with([](json& j) { j["runner_seconds"] = "1"; })) ==
          "runner_seconds is not a number");
    CHECK(decode_failure(framed_with([](json& j) { j["runner_seconds"] = -0.5; })) ==
          "runner_seconds is not a finite, non-negative number");
}
