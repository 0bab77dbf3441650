// Response parsing: real daemon answers, and malformed ones that must not crash.
#include <doctest/doctest.h>

#include "engine_responses.hpp"

using namespace platbench::engine_api;

namespace {

std::string frame(unsigned char stream, const std::string& payload) {
    std::string out{static_cast<char>(stream), 0, 0, 0};
    const auto size = static_cast<std::uint32_t>(payload.size());
    for (int shift : {24, 16, 8, 0}) out += static_cast<char>((size >> shift) & 0xFF);
    return out + payload;
}

// Shortened from a Docker 20.10 daemon.
const char* kVersion =
    R"({"Version":"20.10.24+dfsg1","ApiVersion":"1.41","MinAPIVersion":"1.12","KernelVersion":"6.1.0-18-amd64","Os":"linux"})";
const char* kInfo =
    R"({"Driver":"overlay2","CgroupVersion":"2","CgroupDriver":"systemd","NCPU":8,"MemoryLimit":true,)"
    R"json("CpuCfsQuota":true,"CPUSet":true,"OperatingSystem":"Debian GNU/Linux 12 (bookworm)"})json";

}  // namespace

TEST_CASE("daemon facts from /version and /info") {
    const DaemonFacts facts = parse_daemon_facts(kVersion, kInfo);
    CHECK(facts.server_version == "20.10.24+dfsg1");
    CHECK(facts.api_version == "1.41");
    CHECK(facts.min_api_version == "1.12");
    CHECK(facts.kernel == "6.1.0-18-amd64");
    CHECK(facts.storage_driver == "overlay2");
    CHECK(facts.cgroup_version == "2");
    CHECK(facts.cgroup_driver == "systemd");
    CHECK(facts.cpus == 8);
    CHECK(facts.operating_system == "Debian GNU/Linux 12 (bookworm)");
    CHECK(facts.memory_limit);
}

TEST_CASE("daemon facts: capabilities the daemon lacks are read, absent ones assumed") {
    const DaemonFacts facts = parse_daemon_facts(kVersion, R"({"Driver":"vfs","MemoryLimit":false})");
    CHECK_FALSE(facts.memory_limit);
    CHECK(facts.cpu_quota);
    CHECK(facts.cpus == 0);
}

TEST_CASE("daemon facts: malformed answers are errors that say which request") {
    CHECK_THROWS_WITH_AS(parse_daemon_facts("{not json", kInfo), doctest::Contains("GET /version"), ResponseError);
    CHECK_THROWS_WITH_AS(parse_daemon_facts(kVersion, "[1,2]"), doctest::Contains("GET /info"), ResponseError);
    CHECK_THROWS_AS(parse_daemon_facts(R"({"Version":"1"})", kInfo), ResponseError);
    CHECK_THROWS_AS(parse_daemon_facts("", ""), ResponseError);
    // Wrong types are treated as missing, not trusted.
    CHECK_THROWS_AS(parse_daemon_facts(R"({"Version":["x"],"ApiVersion":{}})", kInfo), ResponseError);
}

TEST_CASE("API versions compare numerically, part by part") {
    CHECK(compare_api_versions("1.41", "1.41") == 0);
    CHECK(compare_api_versions("1.40", "1.41") < 0);
    CHECK(compare_api_versions("1.100", "1.41") > 0);
    CHECK(compare_api_versions("2", "1.99") > 0);
    CHECK(compare_api_versions("1.41.0", "1.41") == 0);
    CHECK(compare_api_versions("garbage", "1.41") < 0);
}

TEST_CASE("error messages: the daemon's message, Podman's cause, plain text, or the status") {
    CHECK(error_message(404, R"({"message":"No such container: abc"})") == "No such container: abc");
    CHECK(error_message(500, R"({"cause":"oops","response":500})") == "oops");
    CHECK(error_message(502, "Bad Gateway\n") == "Bad Gateway");
    CHECK(error_message(503, "") == "HTTP status 503");
    CHECK(error_message(400, std::string(1000, 'x')).size() < 320);
    CHECK(error_message(400, "line\x1b[31m red") == "line [31m red");  // no terminal escapes pass through
}

TEST_CASE("created container id, and a create answer without one") {
    CHECK(parse_created_id(R"({"Id":"e90e34656806","Warnings":[]})") == "e90e34656806");
    CHECK_THROWS_AS(parse_created_id(R"({"Warnings":[]})"), ResponseError);
    CHECK_THROWS_AS(parse_created_id("<html>"), ResponseError);
}

TEST_CASE("wait result: status code and daemon error") {
    CHECK(parse_wait_result(R"({"StatusCode":0,"Error":null})").status_code == 0);
    const WaitResult failed = parse_wait_result(R"({"StatusCode":137,"Error":{"Message":"boom"}})");
    CHECK(failed.status_code == 137);
    CHECK(failed.error == "boom");
    CHECK_THROWS_AS(parse_wait_result("{}"), ResponseError);
    CHECK_THROWS_AS(parse_wait_result(R"({"StatusCode":"0"})"), ResponseError);
}

TEST_CASE("container state: OOM kill, exit code and lifetime") {
    const ContainerState state = parse_container_state(
        R"({"Id":"x","State":{"Status":"exited","OOMKilled":true,"ExitCode":137,"Error":"",)"
        R"("StartedAt":"2026-11-26T12:00:00.250000000Z","FinishedAt":"2026-11-26T12:00:02.750000000Z"}})");
    CHECK(state.oom_killed);
    CHECK(state.exit_code == 137);
    REQUIRE(state.started_at);
    REQUIRE(state.finished_at);
    CHECK(*state.finished_at - *state.started_at == doctest::Approx(2.5));
}

TEST_CASE("container state: never started, and malformed descriptions") {
    const ContainerState created =
        parse_container_state(R"({"State":{"StartedAt":"0001-01-01T00:00:00Z","FinishedAt":"0001-01-01T00:00:00Z"}})");
    CHECK_FALSE(created.started_at);
    CHECK_FALSE(created.oom_killed);
    CHECK_THROWS_AS(parse_container_state(R"({"State":"running"})"), ResponseError);
    CHECK_THROWS_AS(parse_container_state(R"({"Id":"x"})"), ResponseError);
    CHECK_THROWS_AS(parse_container_state(R"({"State":{)"), ResponseError);
}

TEST_CASE("RFC 3339 times: UTC, offsets, fractions, anything else is rejected") {
    CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == doctest::Approx(0.0));
    CHECK(parse_rfc3339("1970-01-01T00:00:01.5Z") == doctest::Approx(1.5));
    CHECK(parse_rfc3339("2026-11-26T12:00:00Z") == doctest::Approx(1795694400.0));
    CHECK(parse_rfc3339("2026-11-26T13:30:00+01:30") == doctest::Approx(1795694400.0));
    CHECK(parse_rfc3339("2026-11-26T10:00:00-02:00") == doctest::Approx(1795694400.0));
    CHECK_FALSE(parse_rfc3339(""));
    CHECK_FALSE(parse_rfc3339("2026-11-26 12:00:00Z"));
    CHECK_FALSE(parse_rfc3339("2026-11-26T12:00:00"));
    CHECK_FALSE(parse_rfc3339("2026-11-26T12:00:00Zjunk"));
    CHECK_FALSE(parse_rfc3339("2026-1x-26T12:00:00Z"));
    CHECK_FALSE(parse_rfc3339("2026-11-26T12:00:00+01"));
}

TEST_CASE("logs: frames are split into stdout and stderr in order") {
    const std::string stream = frame(1, "result ") + frame(2, "note\n") + frame(1, "line\n") + frame(0, "stdin?");
    const DemuxedLogs logs = demultiplex_logs(stream, 1 << 20);
    CHECK(logs.stdout_text == "result line\n");
    CHECK(logs.stderr_text == "note\n");
    CHECK_FALSE(logs.truncated);
    CHECK(demultiplex_logs("", 10).stdout_text.empty());
}

TEST_CASE("logs: a cut frame keeps what arrived, a cut header ends the stream, caps hold") {
    std::string stream = frame(1, "0123456789");
    const DemuxedLogs cut = demultiplex_logs(stream.substr(0, stream.size() - 4), 100);
    CHECK(cut.stdout_text == "012345");
    CHECK(cut.truncated);

    const DemuxedLogs header_only = demultiplex_logs(frame(2, "ok") + std::string("\x01\x00\x00", 3), 100);
    CHECK(header_only.stderr_text == "ok");
    CHECK(header_only.truncated);

    const DemuxedLogs capped = demultiplex_logs(frame(1, "abcdef") + frame(1, "ghij"), 8);
    CHECK(capped.stdout_text == "abcdefgh");
    CHECK(capped.truncated);

    // A frame claiming 4 GiB in a short stream is just cut.
    const DemuxedLogs huge = demultiplex_logs(std::string("\x01\x00\x00\x00\xff\xff\xff\xff", 8) + "tiny", 100);
    CHECK(huge.stdout_text == "tiny");
    CHECK(huge.truncated);
}

TEST_CASE("image import progress: the first error, wherever it is") {
    CHECK_FALSE(progress_error(R"({"status":"sha256:abc"})" "\n"));
    CHECK(progress_error(R"({"status":"Importing"})" "\n" R"({"errorDetail":{"message":"no space"},"error":"no space"})")
              .value_or("") == "no space");
    CHECK_FALSE(progress_error("garbage\n{]\n"));
    CHECK_FALSE(progress_error(""));
}

TEST_CASE("list answers: ids from arrays, names from the volume list, null means none") {
    CHECK(string_fields(R"([{"Id":"a"},{"Id":"b"},{"Names":["/x"]},7])", "Id") == std::vector<std::string>{"a", "b"});
    CHECK(string_fields(R"({"Volumes":[{"Name":"v1"}],"Warnings":null})", "Name", "Volumes") ==
          std::vector<std::string>{"v1"});
    CHECK(string_fields(R"({"Volumes":null})", "Name", "Volumes").empty());
    CHECK_THROWS_AS(string_fields(R"({"Id":"a"})", "Id"), ResponseError);
    CHECK_THROWS_AS(string_fields("[", "Id"), ResponseError);
}

TEST_CASE("listed containers: id and first name without the leading '/', odd items skipped") {
    const auto listed = listed_containers(
        R"([{"Id":"abc","Names":["/platbench-e1-r0-42-0","/alias"]},{"Id":"def"},{"Names":["/no-id"]},7,)"
        R"({"Id":"ghi","Names":[3]}])");
    REQUIRE(listed.size() == 3);
    CHECK(listed[0].id == "abc");
    CHECK(listed[0].name == "platbench-e1-r0-42-0");
    CHECK(listed[1].name.empty());
    CHECK(listed[2].id == "ghi");
    CHECK(listed[2].name.empty());
    CHECK_THROWS_AS(listed_containers(R"({"Id":"abc"})"), ResponseError);
    CHECK_THROWS_AS(listed_containers("not json"), ResponseError);
}
