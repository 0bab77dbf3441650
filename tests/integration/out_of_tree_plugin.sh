#!/usr/bin/env bash
# A plugin author's path, end to end: platbench installed into a prefix
# (cmake --install), then examples/skeleton_workload and examples/skeleton_platform
# built out of tree against it (find_package(platbench), platbench_add_plugin),
# and the installed platbench lists both, validates an experiment using both
# (their validate() hooks applied), and runs it.
set -euo pipefail
source_dir=$1 build_dir=$2 work=$3

rm -rf "$work" && mkdir -p "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
platbench="$work/prefix/bin/platbench"
test -x "$platbench"
test -f "$work/prefix/include/platbench/plugin.hpp"
test -f "$work/prefix/lib/cmake/platbench/PlatbenchPlugin.cmake"

mkdir -p "$work/plugins"
for skeleton in workload platform; do
  cmake -S "$source_dir/examples/skeleton_$skeleton" -B "$work/$skeleton" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
  cmake --build "$work/$skeleton" >/dev/null
  # An author who names no build type gets an optimised plugin.
  grep -q "^CMAKE_BUILD_TYPE:STRING=Release$" "$work/$skeleton/CMakeCache.txt"
  cp "$work/$skeleton"/plugins/*.so "$work/plugins/"
done
test -f "$work/plugins/workload_skeleton.so"
test -f "$work/plugins/platform_skeleton_local.so"
# Only the three ABI symbols are exported.
test "$(nm -D --defined-only "$work/plugins/platform_skeleton_local.so" | grep -c ' [TDBR] platbench_')" -eq 3

"$platbench" plugins skeleton --plugin-path "$work/plugins" | tee "$work/plugins.txt"
grep -q "skeleton (workload plugin)" "$work/plugins.txt"
grep -q "iterations (count, iterations)  default: 10M" "$work/plugins.txt"
"$platbench" plugins skeleton_local --plugin-path "$work/plugins" | tee "$work/platform.txt"
grep -q "skeleton_local (platform plugin)" "$work/platform.txt"
grep -q "platbench compare. says when two experiments differ in niceness" "$work/platform.txt"

cat > "$work/experiment.yaml" <<YAML
experiment: skeleton-check
repetitions: 2
timeout: 60s
plugin_path: plugins
platforms:
  - plugin: native
  - plugin: skeleton_local
    niceness: 5
workloads:
  - plugin: skeleton
    iterations: [100k, 200k]
    chunk: 1k
YAML
"$platbench" validate "$work/experiment.yaml" | tee "$work/validate.txt"
grep -q "native/skeleton/iterations:100k" "$work/validate.txt"
grep -q "skeleton_local/skeleton/iterations:200k" "$work/validate.txt"

# Each plugin's own validate() hook is applied before anything runs.
sed 's/chunk: 1k/chunk: 3k/' "$work/experiment.yaml" > "$work/bad.yaml"
if "$platbench" validate "$work/bad.yaml" 2> "$work/bad.txt"; then
  echo "expected the skeleton workload's validate() to reject chunk 3k" >&2; exit 1
fi
grep -q "multiple of chunk" "$work/bad.txt"
sed 's/niceness: 5/niceness: -5/' "$work/experiment.yaml" > "$work/rude.yaml"
if "$platbench" validate "$work/rude.yaml" 2> "$work/rude.txt"; then
  echo "expected the skeleton platform's validate() to reject niceness -5" >&2; exit 1
fi
grep -q "a negative niceness is not polite" "$work/rude.txt"

"$platbench" run "$work/experiment.yaml" --output "$work/results" --quiet | tee "$work/run.txt"
grep -q "8 ok, 0 failed, 0 skipped" "$work/run.txt"
# Compared with native, the default baseline (bare metal).
grep -q "relative performance against native" "$work/run.txt"
"$platbench" export "$work/results" --format csv > "$work/results.csv"
test "$(grep -c ',sqrt_rate,' "$work/results.csv")" -eq 8
test "$(grep -c ',skeleton_local,.*,sqrt_rate,' "$work/results.csv")" -eq 4
echo "out-of-tree plugins against an installed platbench: OK"
