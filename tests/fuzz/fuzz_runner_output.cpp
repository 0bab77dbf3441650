// libFuzzer harness: any bytes as what a runner, a container or a VM console
// printed on stdout, into the engine's result-line decoder.
//
// The decoder's promises: it never throws, and a failure always says why. And
// what it accepted survives the runner's encoding: encoding the report and
// decoding that line again gives the same report (the engine stores exactly
// what the runner meant).
//
// libFuzzer cannot forge a SHA-256, so nearly every mutated payload would stop
// at the checksum and the JSON and schema checks behind it would see only the
// seeds. Each input is therefore decoded twice: as it is, and with the payload
// of its last result line (or the whole input, when it has none) framed anew
// with the right length and checksum.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "platbench/runner_protocol.hpp"
#include "platbench/hash.hpp"

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz_runner_output: %s\n", what.c_str());
    std::abort();  // libFuzzer saves the input that got here
}

// What follows the four header fields of the last result line, up to its end;
// the whole output when there is no complete header.
std::string payload_of(const std::string& output) {
    const std::size_t marker = output.rfind(platbench::kResultMarker);
    if (marker == std::string::npos) return output;
    std::size_t start = marker;
    for (int field = 0; field < 4; ++field) {
        start = output.find(' ', start);
        if (start == std::string::npos) return output;
        ++start;
    }
    const std::size_t end = output.find('\n', start);
    return output.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string framed(const std::string& payload) {
    return std::string(platbench::kResultMarker) + " v" + std::to_string(platbench::kProtocolVersion) + " " +
           std::to_string(payload.size()) + " " + platbench::sha256_hex(payload) + " " + payload + "\n";
}

void check_decoding(const std::string& output) {
    std::string failure;
    // An exception escaping here ends the process, and libFuzzer saves the input.
    const std::optional<platbench::RunnerReport> report = platbench::decode_runner_output(output, failure);
    if (!report) {
        if (failure.empty()) fail("the decoder refused the output without saying why");
        return;
    }
    if (!failure.empty()) fail("the decoder accepted the output but set a failure: " + failure);

    const std::string line = platbench::encode_result_line(*report);
    std::string second_failure;
    const std::optional<platbench::RunnerReport> second = platbench::decode_runner_output(line, second_failure);
    if (!second) fail("a decoded report, encoded again, does not decode: " + second_failure + "\nline: " + line);
    const nlohmann::json first_json = platbench::to_json(*report);
    const nlohmann::json second_json = platbench::to_json(*second);
    if (first_json != second_json) {
        const auto text = [](const nlohmann::json& j) {
            return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        };
        fail("a decoded report changes when encoded and decoded again:\n  " + text(first_json) + "\n  " +
             text(second_json));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string output(reinterpret_cast<const char*>(data), size);
    check_decoding(output);
    check_decoding(framed(payload_of(output)));
    return 0;
}
