// The workload plugin interface: what runs and measures inside a platform.
//
// A workload plugin is loaded twice: by the engine on the host (for its parameter
// table and validate()), and by platbench-runner wherever the platform runs it
// (for run()). run() must therefore not depend on anything of the host.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "platbench/environment.hpp"
#include "platbench/params.hpp"

namespace platbench {

struct Metric {
    std::string name;    // snake_case, stable across versions: "triad_best_rate"
    double value = 0;
    std::string unit;    // "MB/s", "s", "IOPS", ...
    Better better = Better::None;
};

// The workload's metric table (PluginDescriptor::metrics), as the parameter table
// is for parameters: every metric the workload may report, what it means and
// what it is for. The engine records it with each experiment, so that analysis
// of a stored database needs no plugin.
enum MetricRole : std::uint32_t {
    kMetricDetail = 0,
    // What the workload measures, as a mean over runs: a rate, a typical latency.
    // The validity checks (noise, page cache, node variation) judge central
    // metrics only, never extremes, spreads or CPU accounting, which vary from
    // run to run by nature.
    kMetricCentral = 1u << 0,
    // The few metrics that answer "how much does the platform cost?" at a glance:
    // the end of a run and the report lead with these (STREAM's Copy and Triad,
    // block I/O's IOPS and p99 latency per direction). A headline metric a run
    // does not report (a write job's reads) is left out.
    kMetricHeadline = 1u << 1,
};

struct MetricSpec {
    std::string name;                      // as the workload reports it: "triad_best_rate"
    std::string unit;                      // "MB/s"
    Better better = Better::None;
    std::uint32_t roles = kMetricDetail;   // MetricRole flags
    std::string help;                      // one line
};
using MetricTable = std::vector<MetricSpec>;

struct WorkloadResult {
    std::vector<Metric> metrics;
    // Stored with the run and shown as validity findings. A warning may start with
    // the name of its check, "page-cache: ..." (lowercase words joined by '-'),
    // which groups it with other findings of that check; else it is "workload".
    std::vector<std::string> warnings;
    std::map<std::string, std::string> info;      // extra facts: "threads_used", "kernel_isa", ...
};

// Everything run() gets. New fields are added at the end; plugins built against an
// older header keep working within the same ABI version.
struct WorkloadRunRequest {
    const ParamValues& params;                    // every parameter of the table, defaults filled in
    const ObservedEnvironment& environment;       // what the runner saw
    std::filesystem::path work_dir;               // scratch space for I/O workloads
    const std::atomic<bool>& stop_requested;      // set on SIGTERM/SIGINT: return or throw soon
    std::function<void(std::string_view)> log;    // diagnostics (stderr), never results
    // kWorkloadNetworkPeer: "address:port" of the peer the engine started for this
    // run (this workload's serve(), outside the platform), reachable over the
    // platform's network path; empty otherwise.
    std::string peer;
};

// What serve() gets: the peer side of a network workload, run by the engine on
// the host (outside the platform) for one run, stopped after it.
struct WorkloadServeRequest {
    const ParamValues& params;                    // the run's parameters, defaults filled in
    std::string listen_address;                   // IPv4 address to listen on: loopback or a bridge's
    const std::atomic<bool>& stop_requested;      // set on SIGTERM/SIGINT: close and return
    // Call once, when the peer accepts connections, with its "address:port".
    std::function<void(const std::string&)> ready;
    std::function<void(std::string_view)> log;    // diagnostics (stderr)
};

// Thrown by a workload for an expected failure ("array does not fit in memory",
// "validation failed"); the run is recorded as failed with this message.
class WorkloadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown by a workload that cannot run on this host at all, through no fault of
// its own or of the platform ("fio is not installed on this host: apt install fio"):
// the run is recorded as skipped with this message, like a declined platform.
// The message should say what to do next.
class WorkloadUnavailable : public WorkloadError {
public:
    using WorkloadError::WorkloadError;
};

class Workload {
public:
    virtual ~Workload() = default;

    // Optional. Cross-parameter checks at validation time, on the host, before
    // anything runs. Each string is one error ("array_size and array_bytes are exclusive").
    virtual std::vector<std::string> validate(const ParamValues& /*params*/) const { return {}; }

    // Required. Runs the workload once and returns its metrics; throws WorkloadError on failure,
    // WorkloadUnavailable when it cannot run on this host at all (the run is skipped).
    virtual WorkloadResult run(const WorkloadRunRequest& request) = 0;

    // Required with kWorkloadNetworkPeer, else never called. Serves the clients of
    // run() on request.listen_address until stop_requested; throws WorkloadError
    // when it cannot (the address is taken, the parameters are wrong).
    virtual void serve(const WorkloadServeRequest& /*request*/) {
        throw WorkloadError("this workload has no peer to serve");
    }
};

}  // namespace platbench
