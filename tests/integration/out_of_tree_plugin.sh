#!/usr/bin/env bash
# Builds examples/skeleton_workload against the build tree's CMake package, then
# checks that platbench lists it, validates an experiment using it, and runs it.
set -euo pipefail
source_dir=$1 build_dir=$2 work=$3
platbench="$build_dir/bin/platbench"

rm -rf "$work" && mkdir -p "$work"
cmake -S "$source_dir/examples/skeleton_workload" -B "$work/build" -Dplatbench_DIR="$build_dir" >/dev/null
cmake --build "$work/build" >/dev/null
test -f "$work/build/plugins/workload_skeleton.so"

"$platbench" plugins skeleton --plugin-path "$work/build/plugins" | tee "$work/plugins.txt"
grep -q "skeleton (workload plugin)" "$work/plugins.txt"
grep -q "iterations (count, iterations)  default: 10M" "$work/plugins.txt"

cat > "$work/experiment.yaml" <<YAML
experiment: skeleton-check
repetitions: 2
timeout: 60s
plugin_path: build/plugins
platforms:
  - plugin: native
workloads:
  - plugin: skeleton
    iterations: [100k, 200k]
    chunk: 1k
YAML
"$platbench" validate "$work/experiment.yaml" | tee "$work/validate.txt"
grep -q "native/skeleton/iterations:100k" "$work/validate.txt"
grep -q "native/skeleton/iterations:200k" "$work/validate.txt"

# A plugin's own validate() hook is applied before anything runs.
sed 's/chunk: 1k/chunk: 3k/' "$work/experiment.yaml" > "$work/bad.yaml"
if "$platbench" validate "$work/bad.yaml" 2> "$work/bad.txt"; then
  echo "expected the skeleton's validate() to reject chunk 3k" >&2; exit 1
fi
grep -q "multiple of chunk" "$work/bad.txt"

"$platbench" run "$work/experiment.yaml" --output "$work/results" --quiet | tee "$work/run.txt"
grep -q "4 ok, 0 failed, 0 skipped" "$work/run.txt"
"$platbench" export "$work/results" --format csv > "$work/results.csv"
test "$(grep -c ',sqrt_rate,' "$work/results.csv")" -eq 4
echo "out-of-tree plugin: OK"
