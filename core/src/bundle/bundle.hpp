// The bundle: platbench-runner + workload plugins + every shared library they
// need (resolved like the dynamic loader does) + the loader itself, laid out as a
// root-filesystem tree. Docker images, VM initramfs and SIF images are made from
// exactly these bytes, so every platform runs the same measuring binary.
#pragma once

#include <filesystem>

#include "platbench/platform.hpp"

namespace platbench {

// Builds (or reuses) the bundle under `cache_dir/bundles/<content-hash>/`.
// The tree is assembled in a staging directory, hashed, and renamed into place
// atomically, so a concurrent or interrupted build never leaves a half tree.
Bundle build_bundle(const HostRunner& host_runner, const std::filesystem::path& cache_dir);

// $PLATBENCH_CACHE_DIR, else $XDG_CACHE_HOME/platbench, else ~/.cache/platbench.
std::filesystem::path default_cache_dir();

}  // namespace platbench
