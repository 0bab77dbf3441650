// The bundle: platbench-runner + workload plugins + the programs they declare
// (PluginDescriptor::programs, at /usr/bin/<name>) + every shared library these
// need (resolved like the dynamic loader does) + the loader itself, laid out as a
// root-filesystem tree. Docker images, VM initramfs and SIF images are made from
// exactly these bytes, so every platform runs the same measuring binary.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "platbench/platform.hpp"

namespace platbench {

// What a bundle carries of platbench's own: the runner and the workload plugins
// it will be asked to load. Only these plugins (and the programs they declare)
// go in, so an experiment of `stream` runs does not ship fio and its libraries
// into every image and VM.
struct BundleSources {
    std::filesystem::path runner;                         // platbench-runner executable
    std::vector<std::filesystem::path> workload_plugins;  // plugin files; file names must differ
};

// Every workload plugin in host_runner.plugin_dir (platform_*.so left out), for
// tests and tools that want a bundle able to run any workload of that directory.
// Throws std::runtime_error when the directory is missing or holds none.
BundleSources all_workloads_of(const HostRunner& host_runner);

// Builds (or reuses) the bundle under `cache_dir/bundles/<content-hash>/`: the
// tree in its root/ (Bundle::root), a manifest bundle.json beside it (outside the hash).
// The tree is assembled in a staging directory, hashed, and renamed into place
// atomically, so a concurrent or interrupted build never leaves a half tree.
// A fingerprint of the source files (paths, sizes, mtimes) finds an unchanged
// bundle without copying anything. Throws std::runtime_error saying what is missing.
Bundle build_bundle(const BundleSources& sources, const std::filesystem::path& cache_dir);
Bundle build_bundle(const HostRunner& host_runner, const std::filesystem::path& cache_dir);  // all_workloads_of

// What a build did, for diagnostics and tests.
struct BundleBuildInfo {
    bool reused = false;            // an identical bundle was already in the cache
    std::size_t files_copied = 0;   // 0 when the quick fingerprint check found the bundle
    // Worth telling the user, on every build or reuse: a declared program that
    // is not on PATH and was left out ("program 'fio' ... is not on PATH ...").
    std::vector<std::string> notes;
};
Bundle build_bundle(const BundleSources& sources, const std::filesystem::path& cache_dir, BundleBuildInfo& info);
Bundle build_bundle(const HostRunner& host_runner, const std::filesystem::path& cache_dir, BundleBuildInfo& info);

// $PLATBENCH_CACHE_DIR, else $XDG_CACHE_HOME/platbench, else ~/.cache/platbench.
std::filesystem::path default_cache_dir();

}  // namespace platbench
