// The plugin ABI: how a shared library declares itself to platbench.
//
// A plugin exports exactly two C symbols:
//   platbench_abi_version  a std::uint32_t constant, checked before anything else;
//   platbench_plugin       a function returning the plugin's PluginDescriptor.
// Use PLATBENCH_WORKLOAD_PLUGIN / PLATBENCH_PLATFORM_PLUGIN below rather than
// writing them by hand. The descriptor uses C++ standard-library types, so a
// plugin must be built with the same compiler family and standard library as
// platbench (g++ / libstdc++); the ABI version changes whenever these headers do
// in a way that breaks existing plugins.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/config.hpp>  // BOOST_SYMBOL_EXPORT

#include "platbench/params.hpp"
#include "platbench/platform.hpp"
#include "platbench/workload.hpp"

namespace platbench {

// 2: PluginDescriptor::programs.
// 3: PluginDescriptor::metrics (the metric table).
inline constexpr std::uint32_t kAbiVersion = 3;

inline constexpr const char* kAbiVersionSymbol = "platbench_abi_version";
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
};

}  // namespace platbench

// Declares the exported symbols of a plugin. `make_descriptor` is the name of a
// function `platbench::PluginDescriptor make_descriptor()` defined in the plugin.
#define PLATBENCH_PLUGIN(make_descriptor)                                                 \
    extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t platbench_abi_version;            \
    extern "C" BOOST_SYMBOL_EXPORT const std::uint32_t platbench_abi_version =           \
        ::platbench::kAbiVersion;                                                         \
    extern "C" BOOST_SYMBOL_EXPORT const ::platbench::PluginDescriptor* platbench_plugin(); \
    extern "C" BOOST_SYMBOL_EXPORT const ::platbench::PluginDescriptor* platbench_plugin() { \
        static const ::platbench::PluginDescriptor descriptor = make_descriptor();        \
        return &descriptor;                                                               \
    }
