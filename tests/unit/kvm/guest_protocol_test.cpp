// The guest protocol: the request round-trips to the guest init's parser, and the
// host's decoder takes only a well-formed report from the (untrusted) guest.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

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

TEST_CASE("a network run's NIC address reaches the guest init, and only a well-formed one") {
    RunRequest request;
    request.runner = "/usr/bin/platbench-runner";
    request.address = "10.249.7.2/24";
    std::string problem;
    const std::optional<RunRequest> parsed = parse_request(encode_request(request), problem);
    REQUIRE_MESSAGE(parsed, problem);
    CHECK(parsed->address == "10.249.7.2/24");
    request.address.clear();
    CHECK(parse_request(encode_request(request), problem)->address.empty());
    for (const char* bad : {"10.249.7.2", "10.249.7.300/24", "10.249.7.2/24x", "10.249.7.2/0", "eth0", "1.2.3.4/24 up"}) {
        CAPTURE(bad);
        CHECK_FALSE(is_ipv4_with_prefix(bad));
        CHECK_FALSE(parse_request(std::string(kRequestMagic) + "\nrunner 3\nabc\naddress " + bad + "\nend\n", problem));
    }
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

namespace {

// What each byte of a report is: 'h' the header line, 'k' a record's keyword,
// 'p' a payload's content, 'o' the rest (numbers, spaces, newlines).
std::string byte_kinds(const std::string& report) {
    std::string kinds(report.size(), 'o');
    std::size_t at = report.find('\n') + 1;
    std::fill(kinds.begin(), kinds.begin() + static_cast<std::ptrdiff_t>(at), 'h');
    while (at < report.size()) {
        const std::size_t end = report.find('\n', at);
        const std::size_t space = std::min(report.find(' ', at), end);
        std::fill(kinds.begin() + static_cast<std::ptrdiff_t>(at), kinds.begin() + static_cast<std::ptrdiff_t>(space), 'k');
        const std::string keyword = report.substr(at, space - at);
        at = end + 1;
        if (keyword == "kernel" || keyword == "stdout" || keyword == "stderr") {
            const std::size_t length = std::stoul(report.substr(space + 1, end - space - 1));
            std::fill(kinds.begin() + static_cast<std::ptrdiff_t>(at),
                      kinds.begin() + static_cast<std::ptrdiff_t>(at + length), 'p');
            at += length + 1;
        }
    }
    return kinds;
}

}  // namespace

TEST_CASE("random bytes and random damage never crash the decoder, and damage is accepted only inside payloads") {
    std::mt19937 random(42);
    const std::string valid = full_report();
    const std::string kinds = byte_kinds(valid);
    REQUIRE(kinds.find('p') != std::string::npos);
    const GuestReport original = decode_guest_report(valid);
    REQUIRE(original.complete);
    std::map<std::string, int> rounds_of;  // how many rounds each kind of damage got
    for (int round = 0; round < 3000; ++round) {
        CAPTURE(round);
        if (round % 3 == 0) {
            // Noise instead of a report: never taken for one.
            std::string noise(random() % 200, '\0');
            for (char& c : noise) c = static_cast<char>(random() % 256);
            const GuestReport report = decode_guest_report(noise);
            CHECK_FALSE(report.opened);
            CHECK_FALSE(report.complete);
            ++rounds_of["noise"];
            continue;
        }
        std::string bytes = valid;
        std::set<char> hit;
        const int damage = 1 + static_cast<int>(random() % 4);
        for (int i = 0; i < damage; ++i) {
            const std::size_t at = random() % bytes.size();
            char replacement = static_cast<char>(random() % 256);
            if (replacement == valid[at]) replacement = static_cast<char>(replacement ^ 0x20);  // really damage it
            bytes[at] = replacement;
            hit.insert(kinds[at]);
        }
        const GuestReport report = decode_guest_report(bytes);
        if (hit.count('h') != 0) {
            CHECK_FALSE(report.opened);  // a damaged header is never the guest init's
            ++rounds_of["header"];
        } else if (hit.count('k') != 0) {
            CHECK((!report.problem.empty() || !report.complete));  // no unknown record is taken
            ++rounds_of["keyword"];
        } else if (hit == std::set<char>{'p'}) {
            // Payloads may hold anything: taken whole, byte for byte as damaged.
            CHECK(report.problem.empty());
            CHECK(report.complete);
            CHECK(*report.stdout_text == bytes.substr(valid.find(*original.stdout_text), original.stdout_text->size()));
            CHECK(*report.stderr_text == bytes.substr(valid.find(*original.stderr_text), original.stderr_text->size()));
            CHECK(*report.kernel == bytes.substr(valid.find(*original.kernel), original.kernel->size()));
            ++rounds_of["payload"];
        } else {
            // Numbers, spaces, newlines (and maybe payload bytes too): a value may legitimately
            // change ("exit 0 0 1.5" -> "1.7"), so such damage is either refused, or taken with
            // its exit record and every payload where it was sent (a damaged length never
            // shifts what a payload holds).
            const auto sent = [&](const std::optional<std::string>& payload) {
                return bytes.substr(valid.find(*payload), payload->size());
            };
            const bool refused = !report.problem.empty() || !report.complete;
            const bool taken_intact = report.complete && report.problem.empty() &&
                                      (report.exit.has_value() || report.init_error.has_value()) &&
                                      report.stdout_text == sent(original.stdout_text) &&
                                      report.stderr_text == sent(original.stderr_text) &&
                                      report.kernel == sent(original.kernel);
            CHECK((refused || taken_intact));
            ++rounds_of["frame"];
            ++rounds_of[refused ? "frame refused" : "frame taken"];
        }
    }
    // Each kind of damage was tried often enough to mean something.
    for (const char* kind : {"noise", "header", "keyword", "payload", "frame", "frame refused"}) {
        CAPTURE(kind);
        CHECK(rounds_of[kind] >= 50);
    }
}
