// The one line platbench-runner prints for its result, and its defensive parser.
//
// Format (a single line on stdout, anywhere among other output):
//   @@platbench-result v1 <payload-bytes> <sha256-hex-of-payload> <json-payload>
// The length and hash detect truncation and corruption (a VM's serial port, a
// killed runner); everything else the runner or a guest prints is ignored.
// Output is untrusted: sizes, types and counts are bounded; no input may crash the engine.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platbench/environment.hpp"
#include "platbench/platform.hpp"
#include "platbench/run_status.hpp"
#include "platbench/workload.hpp"

namespace platbench {

inline constexpr const char* kResultMarker = "@@platbench-result";
inline constexpr int kProtocolVersion = 1;

// What the runner reports about one run.
struct RunnerReport {
    bool ok = false;                              // false: the workload failed; see error
    std::string error;
    // With ok=false: the workload cannot run on this host at all (it threw
    // WorkloadUnavailable: "fio is not installed ..."); the run is skipped, not
    // failed. Optional in the JSON ("unavailable": true), absent means false, so
    // older runners stay readable and the protocol version is unchanged.
    bool unavailable = false;
    std::string workload;
    nlohmann::json params = nlohmann::json::object();       // effective parameters the runner used
    std::vector<Metric> metrics;
    std::vector<std::string> warnings;
    std::map<std::string, std::string> info;
    nlohmann::json environment = nlohmann::json::object();  // ObservedEnvironment as JSON
    double duration_seconds = 0;                  // workload's own run() time
    // The runner process's lifetime from main() to writing the result: what the
    // engine subtracts from the platform run's wall time to get the platform's
    // overhead. Optional in the JSON like `unavailable` (absent from older runners:
    // their runs' overhead is unknown).
    std::optional<double> runner_seconds;
};

nlohmann::json to_json(const ObservedEnvironment& env);
nlohmann::json to_json(const RunnerReport& report);

// The full result line, newline-terminated.
std::string encode_result_line(const RunnerReport& report);

// Finds and checks the result line in `stdout_text`: the last line that starts
// with the marker (an earlier intact copy is used when the last one is damaged).
// Returns the report, or nullopt with `failure` saying exactly what was wrong
// ("no result line ...", "result line truncated: got 812 of 1024 bytes",
// "result line corrupted: checksum mismatch", "result is not valid JSON: ...",
// "metrics[3].value is not a number", "metric x is not a finite number", ...).
// Bounds: 16 MiB of output, 10000 metrics, 64 KiB per string, metric names
// [a-z0-9_]+. Never throws.
std::optional<RunnerReport> decode_runner_output(const std::string& stdout_text, std::string& failure);

// Turns a platform outcome into a report or a failure reason that says what
// happened: timeout, signal, exit code, garbage output; includes the tail of stderr.
// A report with unavailable=true becomes Skipped with the workload's reason.
struct RunInterpretation {
    std::optional<RunnerReport> report;   // set when the runner produced a valid result line
    RunStatus status = RunStatus::Failed;
    std::string reason;                   // for failed and skipped
};
RunInterpretation interpret_outcome(const PlatformRunOutcome& outcome);

}  // namespace platbench
