#!/usr/bin/env bash
# The engine's own cost, measured with the do-nothing `echo` test workload:
#  1. fixed cost per native run (start the runner, load the plugin, parse, store):
#     (time of a 1+N-run experiment - time of a 1-run experiment) / N
#  2. validating and expanding a 10,000-cell matrix (`platbench validate`).
# Usage: bench/engine_overhead.sh [BUILD_DIR]   (default: build; needs python3)
set -euo pipefail
build=$(realpath "${1:-build}")
platbench="$build/bin/platbench"
echo_plugins="$build/tests/plugins"
[ -f "$echo_plugins/workload_echo.so" ] || { echo "build the tests first (workload_echo.so missing)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

experiment() {  # name repetitions
  cat <<YAML
experiment: $1
repetitions: $2
timeout: 60s
plugin_path: $echo_plugins
platforms:
  - plugin: native
workloads:
  - plugin: echo
    value: 1
YAML
}

# Wall clock read by the shell itself: no process start inside the interval.
seconds() { echo "$EPOCHREALTIME"; }

time_run() {  # file -> wall seconds of one `platbench run`
  local start end
  start=$(seconds)
  "$platbench" run "$1" --output "$work/results-$RANDOM$RANDOM" --quiet >/dev/null
  end=$(seconds)
  python3 -c "print($end - $start)"
}

runs=100
experiment small 1 > "$work/small.yaml"
experiment large $((runs + 1)) > "$work/large.yaml"
per_run=()
for round in 1 2 3 4 5; do
  t_small=$(time_run "$work/small.yaml")
  t_large=$(time_run "$work/large.yaml")
  per_run+=("$(python3 -c "print(($t_large - $t_small) / $runs * 1000)")")
done
python3 - "${per_run[@]}" <<'PY'
import statistics, sys
values = [float(v) for v in sys.argv[1:]]
print(f"fixed cost per native run: median {statistics.median(values):.2f} ms "
      f"(min {min(values):.2f}, max {max(values):.2f}; target < 50 ms)")
PY

# 10,000 cells: 100 values x 100 messages of the echo workload.
python3 - "$echo_plugins" > "$work/matrix.yaml" <<'PY'
import sys
values = ", ".join(str(v) for v in range(1, 101))
messages = ", ".join(f"m{v}" for v in range(1, 101))
print(f"""experiment: matrix10k
plugin_path: {sys.argv[1]}
platforms:
  - plugin: native
workloads:
  - plugin: echo
    value: [{values}]
    message: [{messages}]""")
PY
validate_ms=()
for round in 1 2 3 4 5; do
  start=$(seconds)
  "$platbench" validate "$work/matrix.yaml" > "$work/matrix.txt"
  end=$(seconds)
  validate_ms+=("$(python3 -c "print(($end - $start) * 1000)")")
done
cells=$(grep -c '^  native/echo/' "$work/matrix.txt")
python3 - "$cells" "${validate_ms[@]}" <<'PY'
import statistics, sys
cells, values = sys.argv[1], [float(v) for v in sys.argv[2:]]
print(f"validate + expand {cells} cells (whole process, printing included): median {statistics.median(values):.1f} ms "
      f"(min {min(values):.1f}, max {max(values):.1f}; target < 200 ms)")
PY
