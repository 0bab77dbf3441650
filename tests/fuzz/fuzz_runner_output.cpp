// libFuzzer harness: any bytes as what a runner, a container or a VM console
// printed on stdout, into the engine's result-line decoder.
//
// The decoder's promises: it never throws, and a failure always says why. And
// what it accepted survives the runner's encoding: encoding the report and
// decoding that line again gives the same report (the engine stores exactly
// what the runner meant).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "protocol/runner_protocol.hpp"

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz_runner_output: %s\n", what.c_str());
    std::abort();  // libFuzzer saves the input that got here
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string output(reinterpret_cast<const char*>(data), size);
    std::string failure;
    // noexcept in effect: an exception escaping here ends the process, and libFuzzer saves the input.
    const std::optional<platbench::RunnerReport> report = platbench::decode_runner_output(output, failure);
    if (!report) {
        if (failure.empty()) fail("the decoder refused the output without saying why");
        return 0;
    }
    if (!failure.empty()) fail("the decoder accepted the output but set a failure: " + failure);

    const std::string line = platbench::encode_result_line(*report);
    std::string second_failure;
    const std::optional<platbench::RunnerReport> second = platbench::decode_runner_output(line, second_failure);
    if (!second) fail("a decoded report, encoded again, does not decode: " + second_failure + "\nline: " + line);
    const nlohmann::json first_json = platbench::to_json(*report);
    const nlohmann::json second_json = platbench::to_json(*second);
    if (first_json != second_json)
        fail("a decoded report changes when encoded and decoded again:\n  " + first_json.dump() + "\n  " +
             second_json.dump());
    return 0;
}
