// The decoder never throws and never accepts damaged data, whatever it is fed.
// Deterministic seeds: a failure reproduces.
#include <doctest/doctest.h>

#include <random>

#include "platbench/runner_protocol.hpp"
#include "platbench/hash.hpp"

namespace {

using platbench::RunnerReport;

RunnerReport fuzz_report() {
    RunnerReport report;
    report.ok = true;
    report.workload = "echo";
    report.params = {{"value", 3.5}, {"message", "hi"}};
    report.metrics = {{"echo_value", 3.5, "units", platbench::Better::Higher},
                      {"echo_time", 0.25, "s", platbench::Better::Lower}};
    report.warnings = {"w1"};
    report.info = {{"k", "v"}};
    report.environment = {{"online_cpus", 4}, {"affinity", {0, 1, 2, 3}}};
    report.duration_seconds = 0.5;
    return report;
}

// Decodes and returns whether it succeeded; any exception fails the test.
bool decodes(const std::string& text, RunnerReport* out = nullptr) {
    std::string failure;
    std::optional<RunnerReport> report;
    CHECK_NOTHROW(report = platbench::decode_runner_output(text, failure));
    if (!report) {
        CHECK_FALSE(failure.empty());
        return false;
    }
    if (out != nullptr) *out = *report;
    return true;
}

std::string mutate(std::string text, std::mt19937& random) {
    std::uniform_int_distribution<int> kind(0, 3);
    std::uniform_int_distribution<int> byte(0, 255);
    const int mutations = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < mutations && !text.empty(); ++i) {
        std::uniform_int_distribution<std::size_t> at(0, text.size() - 1);
        switch (kind(random)) {
            case 0: text[at(random)] = static_cast<char>(byte(random)); break;                 // flip
            case 1: text.erase(at(random), 1 + random() % 8); break;                          // drop
            case 2: text.insert(at(random), 1, static_cast<char>(byte(random))); break;        // insert
            case 3: text.resize(at(random)); break;                                           // truncate
        }
    }
    return text;
}

}  // namespace

TEST_CASE("fuzz: random bytes never crash the decoder") {
    std::mt19937 random(20240611);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int round = 0; round < 2000; ++round) {
        std::string text(random() % 512, '\0');
        for (char& c : text) c = static_cast<char>(byte(random));
        if (round % 3 == 0) text.insert(random() % (text.size() + 1), "\n@@platbench-result v1 ");
        CHECK_FALSE(decodes(text));
    }
}

TEST_CASE("fuzz: damaged copies of a valid line are refused or decode to the original") {
    const RunnerReport original = fuzz_report();
    const std::string line = platbench::encode_result_line(original);
    const std::string payload_json = platbench::to_json(original).dump();
    std::mt19937 random(4242);
    for (int round = 0; round < 5000; ++round) {
        const std::string damaged = mutate(line, random);
        RunnerReport decoded;
        // Whatever passes passed its checksum: it is the original, byte for byte.
        if (decodes(damaged, &decoded)) CHECK(platbench::to_json(decoded).dump() == payload_json);
    }
    // And every change of a single byte of the frame (marker, version, length,
    // checksum, payload) is refused: only the newline after it may go.
    const std::size_t framed = line.size() - 1;
    REQUIRE(line[framed] == '\n');
    for (std::size_t at = 0; at < framed; ++at) {
        for (const char replacement : {'0', 'x', ' ', '\n', '\x80'}) {
            if (line[at] == replacement) continue;
            std::string damaged = line;
            damaged[at] = replacement;
            CAPTURE(at);
            CHECK_FALSE(decodes(damaged));
        }
    }
}

TEST_CASE("fuzz: every truncation of a valid line is refused with a reason") {
    const std::string line = platbench::encode_result_line(fuzz_report());
    for (std::size_t length = 0; length + 1 < line.size(); ++length) {
        std::string failure;
        CHECK_FALSE(platbench::decode_runner_output(line.substr(0, length), failure).has_value());
        CHECK_FALSE(failure.empty());
    }
    CHECK(decodes(line.substr(0, line.size() - 1)));  // only the newline missing: still whole
}

TEST_CASE("fuzz: well-framed random JSON-like payloads never crash the schema checks") {
    const std::string alphabet = "{}[]\":,0123456789.-eE truefalsnl\\u";
    const std::string valid = platbench::to_json(fuzz_report()).dump();
    std::mt19937 random(777);
    int accepted = 0, refused = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string payload = valid;
        const int edits = 1 + static_cast<int>(random() % 4);
        for (int i = 0; i < edits; ++i) {
            payload[random() % payload.size()] = alphabet[random() % alphabet.size()];
        }
        const std::string line = std::string(platbench::kResultMarker) + " v1 " + std::to_string(payload.size()) +
                                 " " + platbench::sha256_hex(payload) + " " + payload + "\n";
        // Either result is fine (decodes() checks that a refusal says why); it must not throw or crash.
        (decodes(line) ? accepted : refused) += 1;
    }
    // Both outcomes were exercised: the edits reached the schema checks, not only the parser.
    CHECK(accepted >= 50);
    CHECK(refused >= 50);
}
