// The guest protocol: the request round-trips to the guest init's parser, and the
// host's decoder takes only a well-formed report from the (untrusted) guest.
#include <doctest/doctest.h>

#include <random>

#include "guest/run_request.hpp"
#include "guest_report.hpp"

namespace {

using namespace platbench::kvm;

std::string header() { return std::string(kReportMagic) + "\n"; }

std::string full_report(const std::string& stdout_text = "@@platbench-result v1 ...\n") {
    std::string out = header();
    append_payload_record(out, "kernel", "6.1.0-56-amd64");
    append_record(out, "ready 3.250000");
    append_payload_record(out, "stdout", stdout_text);
    append_payload_record(out, "stderr", "platbench-runner: stream\n");
    append_record(out, "exit 0 0 1.500000");
    append_record(out, "end");
    return out;
}

}  // namespace

TEST_CASE("a run request round-trips through the guest init's parser, arguments byte for byte") {
    RunRequest request;
    request.runner = "/usr/bin/platbench-runner";
    request.args = {"--workload", "echo", "--param", "message=two words\nand a line", "", "--work-dir", "/work"};
    request.args[3].push_back('\0');
    request.disk = "filesystem";
    request.output_cap = 1234;
    std::string problem;
    const std::optional<RunRequest> parsed = parse_request(encode_request(request), problem);
    REQUIRE_MESSAGE(parsed, problem);
    CHECK(parsed->runner == request.runner);
    CHECK(parsed->args == request.args);
    CHECK(parsed->disk == "filesystem");
    CHECK(parsed->output_cap == 1234);
}

TEST_CASE("the guest init refuses a request that is cut short, unknown or bad") {
    RunRequest request;
    request.runner = "/usr/bin/platbench-runner";
    const std::string whole = encode_request(request);
    std::string problem;
    CHECK_FALSE(parse_request(whole.substr(0, whole.size() - 4), problem));
    CHECK(problem.find("incomplete") != std::string::npos);
    CHECK_FALSE(parse_request("hello\n", problem));
    CHECK(problem.find("does not start") != std::string::npos);
    CHECK_FALSE(parse_request(std::string(kRequestMagic) + "\nrunner 3\nabc\ndisk floppy\nend\n", problem));
    CHECK_FALSE(parse_request(std::string(kRequestMagic) + "\nrunner 3\nabc\nreboot now\nend\n", problem));
    CHECK(problem.find("reboot") != std::string::npos);
    CHECK_FALSE(parse_request(std::string(kRequestMagic) + "\nend\n", problem));  // no runner
}

TEST_CASE("a complete report gives every field") {
    const GuestReport report = decode_guest_report(full_report());
    CHECK(report.problem.empty());
    CHECK(report.opened);
    CHECK(report.complete);
    CHECK(report.kernel == "6.1.0-56-amd64");
    REQUIRE(report.ready_uptime);
    CHECK(*report.ready_uptime == doctest::Approx(3.25));
    CHECK(report.stdout_text == "@@platbench-result v1 ...\n");
    CHECK(report.stderr_text == "platbench-runner: stream\n");
    REQUIRE(report.exit);
    CHECK(report.exit->exit_code == 0);
    CHECK(report.exit->term_signal == 0);
    CHECK(report.exit->runner_seconds == doctest::Approx(1.5));
}

TEST_CASE("a report still arriving is read as far as it goes, at every cut") {
    const std::string whole = full_report();
    for (std::size_t cut = 0; cut < whole.size(); ++cut) {
        const GuestReport report = decode_guest_report(whole.substr(0, cut));
        CAPTURE(cut);
        CHECK(report.problem.empty());
        CHECK_FALSE(report.complete);
    }
    CHECK(decode_guest_report(whole.substr(0, whole.find("stdout"))).ready());
    CHECK_FALSE(decode_guest_report(header()).ready());
}

TEST_CASE("a payload may hold anything, record lines and newlines included") {
    using namespace std::string_literals;
    const std::string tricky = "end\nexit 0 0 1\n\0\xff"s + "ready 1\n";
    REQUIRE(tricky.size() == 25);
    const GuestReport report = decode_guest_report(full_report(tricky));
    CHECK(report.problem.empty());
    CHECK(report.complete);
    CHECK(report.stdout_text == tricky);
}

TEST_CASE("garbage from the guest is rejected with what was wrong, never trusted") {
    CHECK(decode_guest_report("Linux version 6.1 ...\n").problem.find("header") != std::string::npos);
    CHECK(decode_guest_report("\x1b[2J\n").problem.find("header") != std::string::npos);
    // A workload writing into the channel between the init's records.
    std::string injected = header();
    append_record(injected, "ready 2.0");
    injected += "@@platbench-result v1 forged\n";
    CHECK(decode_guest_report(injected).problem.find("unexpected bytes") != std::string::npos);
    // Forged records in the right syntax: a second exit, an unknown keyword.
    std::string twice = full_report();
    twice.insert(twice.find("end\n"), "exit 0 0 2.0\n");
    CHECK(decode_guest_report(twice).problem.find("repeated") != std::string::npos);
    std::string unknown = header() + "reboot now\n";
    CHECK(decode_guest_report(unknown).problem.find("reboot") != std::string::npos);
    // Bytes after the end record.
    CHECK(decode_guest_report(full_report() + "x").problem.find("after the end") != std::string::npos);
}

TEST_CASE("bad numbers and lengths are rejected") {
    for (const char* line : {"ready -1", "ready nan", "ready 1e999", "exit 0 99 1.0", "exit 300 0 1.0", "exit 0 0",
                             "exit a b c", "stdout -5", "stdout 99999999999999", "stdout 12a"}) {
        CAPTURE(line);
        std::string report = header() + line + "\n";
        CHECK_FALSE(decode_guest_report(report).problem.empty());
    }
    // A payload longer than the cap is refused as soon as its line arrives.
    CHECK_FALSE(decode_guest_report(header() + "stdout 100\n", 10).problem.empty());
    // A payload whose announced length does not end at a newline.
    CHECK_FALSE(decode_guest_report(header() + "stdout 2\nabc\n").problem.empty());
    // An endless line.
    CHECK_FALSE(decode_guest_report(header() + std::string(1000, 'a')).problem.empty());
}

TEST_CASE("random bytes and random damage never crash the decoder nor pass as a complete report") {
    std::mt19937 random(42);
    const std::string valid = full_report();
    for (int round = 0; round < 3000; ++round) {
        std::string bytes = valid;
        const int damage = 1 + static_cast<int>(random() % 4);
        for (int i = 0; i < damage; ++i) bytes[random() % bytes.size()] = static_cast<char>(random() % 256);
        if (round % 3 == 0) {
            bytes.resize(random() % 200);
            for (char& c : bytes) c = static_cast<char>(random() % 256);
        }
        const GuestReport report = decode_guest_report(bytes);
        // Whatever it made of the bytes, a complete report has every record once.
        if (report.complete && report.problem.empty()) {
            CHECK((report.exit.has_value() || report.init_error.has_value()));
        }
    }
}
