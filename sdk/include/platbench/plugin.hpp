// The plugin ABI: how a shared library declares itself to platbench.
//
// A plugin exports exactly three C symbols:
//   platbench_abi_version  a std::uint32_t constant, checked before anything else;
//   platbench_abi_digest   a std::uint64_t constant: the digest of the public headers
//                          the plugin was compiled against (abi_digest.hpp, made by
//                          the build from these headers), checked next;
//   platbench_plugin       a function returning the plugin's PluginDescriptor.
// Use PLATBENCH_PLUGIN(make_descriptor) at the end of this file rather than
// writing them by hand. The descriptor uses C++ standard-library types, so a
// plugin must be built with the same compiler family and standard library as
// platbench (g++ / libstdc++). The ABI version changes whenever these headers do
// in a way that breaks existing plugins; the digest changes with any change to a
// declaration in them (a struct's members, a signature), so a plugin built against
// other headers is refused even when someone forgot to change the version.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/config.hpp>  // BOOST_SYMBOL_EXPORT

#include "platbench/abi_digest.hpp"
#include "platbench/params.hpp"
#include "platbench/platform.hpp"
#include "platbench/workload.hpp"

namespace platbench {

// 2: PluginDescriptor::programs.
// 3: PluginDescriptor::metrics (the metric table).
// 4: traits the core used to infer from plugin names: kWorkloadBlockIo,
//    kPlatformVirtualMachine, kPlatformBaseline, PluginDescriptor::fingerprint_metadata,
//    ParamSpec::fingerprint, ProbeResult::caveats.
// 5: platbench_abi_digest (the loader compares the headers' digest too).
// 6: RunInterpretation::status is a RunStatus (run_status.hpp), no longer text.
// 7: ParamSpec rows by designated initialisers: integer bounds min/max as integers,
//    real_min/real_max for Real and Duration; make_param and in_fingerprint removed.
// 8: PluginDescriptor::program_files.
// 9: network paths: kWorkloadNetworkPeer, Workload::serve(), WorkloadRunRequest::peer,
//    Platform::open_network()/close_network(), PlatformRunRequest::network.
inline constexpr std::uint32_t kAbiVersion = 9;

inline constexpr const char* kAbiVersionSymbol = "platbench_abi_version";
inline constexpr const char* kAbiDigestSymbol = "platbench_abi_digest";
inline constexpr const char* kDescriptorSymbol = "platbench_plugin";

enum class PluginKind { Workload, Platform };

// Capability flags (fio's FIO_* idea): facts the engine needs before it runs anything.
enum PluginFlags : std::uint32_t {
    kNoFlags = 0,
    // Platform: runs the runner from the bundle (container image, VM initramfs),
    // so the engine must build the bundle before prepare().
    kPlatformNeedsBundle = 1u << 0,
    // Workload: does I/O in its work_dir; the engine creates one per run.
    kWorkloadUsesWorkDir = 1u << 1,
    // Workload: block I/O whose parameters `direct`, `file_size` and `jobs` mean
    // what blockio's do. The page-cache checks judge its runs (buffered I/O on
    // less data than twice the RAM; faster than the baseline), and the report
    // draws its latency percentiles.
    kWorkloadBlockIo = 1u << 2,
    // Platform: each run is a virtual machine of its own. `cpus` and `memory` size
    // the VM rather than limit a process (the runner sees the VM's whole RAM and no
    // CPU quota), and `cpuset` pins vCPUs that are numbered afresh inside; the
    // resource checks compare accordingly.
    kPlatformVirtualMachine = 1u << 3,
    // Platform: bare metal, what the others are compared with when an experiment
    // names no `baseline:` (its first instance of such a plugin).
    kPlatformBaseline = 1u << 4,
    // Workload: talks over the network to a peer outside the platform. For each
    // run the engine asks the platform for a network path (open_network), starts
    // the peer (the workload's serve(), in `platbench-runner --serve` on the host)
    // on the path's host side, passes its address to run() (request.peer), then
    // stops the peer and closes the path.
    kWorkloadNetworkPeer = 1u << 5,
};

struct PluginDescriptor {
    std::uint32_t abi_version = kAbiVersion;  // must equal platbench_abi_version
    PluginKind kind = PluginKind::Workload;
    std::string name;                          // [a-z][a-z0-9_]*, unique among loaded plugins
    std::string description;                   // one line
    std::uint32_t flags = kNoFlags;
    ParamTable params;                         // the one parameter table
    // Exactly one factory, matching kind, must be set.
    std::unique_ptr<Workload> (*create_workload)() = nullptr;
    std::unique_ptr<Platform> (*create_platform)() = nullptr;
    // Workload: external programs run() executes ("fio"), by file name. The bundle
    // ships each one (found on PATH when the bundle is built) with its shared
    // libraries at /usr/bin/<name>, so it runs inside every platform; one missing
    // on the host is left out with a note, and run() should then throw
    // WorkloadUnavailable so the run is skipped, not failed.
    std::vector<std::string> programs;
    // Workload: its metric table (platbench/workload.hpp). A workload without one
    // has its metrics judged by their better direction alone.
    MetricTable metrics;
    // Platform: the keys of its probe's and runs' metadata that identify the
    // platform's software ("docker_server_version", "accel"): `platbench compare`
    // says when two experiments differ in one. (Its settings that do are flagged
    // in the parameter table: ParamSpec::fingerprint.)
    std::vector<std::string> fingerprint_metadata;
    // Workload: files and directories the programs read at run time beyond their
    // shared libraries (an MPI runtime's components and help texts), by absolute
    // host path. The bundle ships each at the same path, a directory with all it
    // holds, and the shared libraries of every ELF file among them; a path missing
    // on the host is left out with a note.
    std::vector<std::string> program_files;
};

}  // namespace platbench

// Declares the exported symbols of a plugin. `make_descriptor` is the name of a
// function `platbench::PluginDescriptor make_descriptor()` defined in the plugin.
#define PLATBENCH_PLUGIN(make_descriptor)                                                 \
    extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t platbench_abi_version;            \
    extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t platbench_abi_version =           \
        ::platbench::kAbiVersion;                                                         \
    extern "C" BOOST_SYMBOL_EXPORT const std::uint64_t platbench_abi_digest;             \
    extern "C" BOOST_SYMBOL_EXPORT const std::uint64_t platbench_abi_digest =            \
        ::platbench::kAbiDigest;                                                          \
    extern "C" BOOST_SYMBOL_EXPORT const ::platbench::PluginDescriptor* platbench_plugin(); \
    extern "C" BOOST_SYMBOL_EXPORT const ::platbench::PluginDescriptor* platbench_plugin() { \
        static const ::platbench::PluginDescriptor descriptor = make_descriptor();        \
        return &descriptor;                                                               \
    }
