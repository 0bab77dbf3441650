// The platform plugin interface: where the runner runs (host process, container, VM).
//
// A platform never measures anything itself. It starts platbench-runner with the
// arguments the engine gives it, under the resource settings of the experiment,
// and hands back what the runner printed. The engine parses that output, and
// computes the platform's overhead the same way for every platform: the wall time
// of Platform::run() on the engine's clock less the runner's own lifetime from its
// result line.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "platbench/params.hpp"

namespace platbench {

// libvirt's open() answer, for a platform: usable, "not for me here" (skip the
// platform's runs, say why), or present but broken (fail its runs, say why).
enum class Availability { Available, Declined, Broken };

// What the reader must know before trusting a platform's figures, said with every
// result of its runs: the summary notes it, the validity checks warn, the figures
// mark the platform.
struct Caveat {
    enum class Kind {
        Emulation,  // the CPU is emulated (QEMU's TCG): not the performance of the real platform
    };
    Kind kind = Kind::Emulation;
    std::string text;  // one sentence: what and why ("TCG: QEMU emulates the CPU; ...")
};

struct ProbeResult {
    Availability availability = Availability::Available;
    std::string reason;                           // why declined / broken; what to do next
    std::map<std::string, std::string> metadata;  // versions, drivers: recorded with every run
    std::vector<Caveat> caveats;                  // recorded with every run
};

// "emulation": a caveat kind as results spell it.
const char* caveat_kind_name(Caveat::Kind kind);

// The self-contained root-filesystem tree of runner + workload plugins + their
// shared libraries. Platforms ship exactly these bytes into images and VMs.
struct Bundle {
    std::filesystem::path root;          // host directory holding the tree
    std::string content_hash;            // hex SHA-256 over every path and byte in the tree
    std::string runner_path;             // inside the tree: "/usr/bin/platbench-runner"
    std::string plugin_dir;              // inside the tree: "/usr/lib/platbench/plugins"
};

// Where the runner lives on the host, for platforms that run it directly (native).
struct HostRunner {
    std::filesystem::path runner;        // platbench-runner executable
    std::filesystem::path plugin_dir;    // directory of the workload plugin to load
};

// A network path between the runner (inside the platform) and a peer on the host,
// made by open_network() for one run and removed by close_network().
struct NetworkPath {
    std::string name;                  // the platform's handle: a namespace, a network, a bridge
    std::string peer_address;          // host-side IPv4 address the peer listens on, reachable from inside
    // Recorded with the run under the platform metadata, and part of the
    // fingerprint: "network" (the setting), "network_interfaces" ("veth, bridge"),
    // "network_mtu", "network_nat" ("no"), "network_vhost" ("no") ...
    std::map<std::string, std::string> metadata;
};

// Context for open_network(): the run's settings and labels, as for run().
struct NetworkPathRequest {
    const ParamValues& settings;
    std::map<std::string, std::string> labels;
};

// The runner's command line, which a platform builds from this request:
//
//   <runner> <runner_args...> --plugin-dir <dir> [--work-dir <dir>]
//
// <runner> is host_runner.runner on the host, or bundle->runner_path inside an
// image or VM made from the bundle; <dir> is host_runner.plugin_dir, or
// bundle->plugin_dir. runner_args are the engine's ("--workload NAME --param
// NAME=VALUE ..."), passed on unchanged and in order. The workload's directory is
// request.work_dir on the host: run the runner there (its working directory), or,
// where the platform mounts it elsewhere (a container's /work), pass
// "--work-dir <that path>". Without either the runner uses its working directory.
//
// The runner prints its result as one line on stdout (platbench/runner_protocol.hpp),
// diagnostics on stderr, and exits 0 (the workload succeeded), 1 (the workload
// failed; the result line says why), 2 (bad arguments or parameters) or 3 (the
// workload plugin is missing or does not load). Hand back both streams and the
// exit status as they were: the engine decodes them (platform_outcome_of()).
struct PlatformRunRequest {
    const ParamValues& settings;                  // the platform's table, defaults filled in
    const HostRunner& host_runner;
    const Bundle* bundle;                         // null unless the descriptor asked for it
    // Runner arguments after the executable and before "--plugin-dir": the
    // platform appends "--plugin-dir <dir>" valid where the runner runs.
    std::vector<std::string> runner_args;
    std::filesystem::path work_dir;               // host directory the workload may use
    std::chrono::duration<double> timeout;        // kill the run after this long
    std::map<std::string, std::string> labels;    // identify platbench's objects: "platbench.run" = ...
    const std::atomic<bool>& cancel;              // Ctrl-C: stop the run now, clean up
    // The path open_network() made for this run (its workload has a peer), or null:
    // attach the runner to it (a container's network, a VM's NIC, a namespace).
    const NetworkPath* network = nullptr;
};

struct PlatformRunOutcome {
    bool started = false;           // false: the platform could not start the runner at all
    std::string failure;            // why it could not start / what went wrong in the platform
    int exit_code = -1;             // runner's exit status, when it exited
    int term_signal = 0;            // signal that ended the runner, when it was killed
    bool timed_out = false;
    bool cancelled = false;
    std::string stdout_text;        // what the runner printed (capped); untrusted
    std::string stderr_text;        // diagnostics (capped); untrusted
    // Ignored: the engine computes every run's overhead itself (see the top of this
    // file), so that platforms compare. Kept only so that platforms that still set
    // it build; it goes with the next change of the plugin ABI.
    double overhead_seconds = 0;
    std::map<std::string, std::string> metadata;  // facts about this run on this platform
};

// Context for prepare(): builds images, checks limits, once per experiment.
struct PlatformPrepareRequest {
    const ParamValues& settings;
    const Bundle* bundle;
};

class Platform {
public:
    virtual ~Platform() = default;

    // Required. Can this platform run here, with these settings?
    virtual ProbeResult probe(const ParamValues& settings) = 0;

    // Optional. Cross-setting checks at validation time; each string is one error.
    virtual std::vector<std::string> validate(const ParamValues& /*settings*/) const { return {}; }

    // Optional. Once per platform instance before its first run (build an image,
    // create a cgroup parent). Throws std::runtime_error: the instance's runs fail.
    virtual void prepare(const PlatformPrepareRequest& /*request*/) {}

    // Required. Run the runner once. Never throws for a failed run: report it in the outcome.
    virtual PlatformRunOutcome run(const PlatformRunRequest& request) = 0;

    // Optional (required to run workloads with kWorkloadNetworkPeer). Makes the
    // network path of one run as the settings ask (`network:`): what it creates
    // stays on this machine and carries platbench's names, so clean() finds it.
    // Throws std::runtime_error saying why it cannot (the run fails).
    virtual NetworkPath open_network(const NetworkPathRequest& /*request*/) {
        throw std::runtime_error("this platform gives its runs no network");
    }
    // Removes what open_network() made; never throws.
    virtual void close_network(const NetworkPath& /*path*/) noexcept {}

    // Optional. Remove leftovers labelled as platbench's (containers, domains,
    // cgroups). Returns one line per object removed.
    virtual std::vector<std::string> clean(bool /*including_images*/) { return {}; }
};

// Resource settings most platforms share. A platform includes those it honours
// in its own table, so the names and meanings stay the same everywhere.
ParamSpec cpuset_param();   // "cpuset": CpuList, CPUs the run may use
ParamSpec cpus_param();     // "cpus": Real, CPU bandwidth limit in CPUs
ParamSpec memory_param();   // "memory": Size, memory limit
// "network": Choice, the path between a network workload's runner and its peer
// on the host (open_network). `help` says what each choice is; the row adds that
// only network workloads use it. Part of the fingerprint.
ParamSpec network_param(std::vector<std::string> choices, std::string default_value, std::string help);

}  // namespace platbench
