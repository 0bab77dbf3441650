#!/usr/bin/env bash
# What the slurm executor costs on a Slurm cluster, measured two ways:
#
# 1. Scheduling overhead per cell: a one-cell experiment (native x echo, a run of
#    a few milliseconds) run ROUNDS times; per run, the time from its job's
#    submission to its result stored by the head, as the head records it
#    (info.slurm_submit_to_ingest_seconds), minus the run's own duration. Printed
#    next to the same runner submitted by hand with sbatch and followed with
#    scontrol every 0.1 s until it ends (the reference: Slurm's own submit-to-end
#    time), and their ratio.
# 2. Throughput: a CELLS-cell matrix of runs sleeping SLEEP seconds on both
#    nodes; squeue is sampled every 0.1 s while it runs, and the utilisation is
#    the share of samples in which both nodes run one of its jobs.
#
# Usage: bench/slurm_overhead.sh [-r ROUNDS] [-n CELLS] [-s SLEEP] [-b BUILD_DIR]
# Needs sqlite3 and bc.
# Uses the cluster named by SLURM_CONF (two nodes n1, n2 expected); without one,
# starts a local two-node cluster with scripts/slurm-local-cluster.sh (root).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=10 CELLS=100 SLEEP=0.5 BUILD=build
while getopts "r:n:s:b:" option; do
  case $option in
    r) ROUNDS=$OPTARG ;; n) CELLS=$OPTARG ;; s) SLEEP=$OPTARG ;; b) BUILD=$OPTARG ;;
    *) echo "usage: $0 [-r ROUNDS] [-n CELLS] [-s SLEEP] [-b BUILD_DIR]" >&2; exit 2 ;;
  esac
done
PLATBENCH=$(realpath "$BUILD/bin/platbench")
RUNNER=$(realpath "$BUILD/bin/platbench-runner")
TEST_PLUGINS=$(realpath "$BUILD/tests/plugins")
work=$(mktemp -d /tmp/platbench-slurm-bench-XXXXXX)
chmod 0755 "$work"  # the cluster's daemons and jobs run as other users
started_cluster=""
cleanup() {
  [ -n "$started_cluster" ] && scripts/slurm-local-cluster.sh stop "$work/cluster" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${SLURM_CONF:-}" ]; then
  scripts/slurm-local-cluster.sh start "$work/cluster" >/dev/null
  export SLURM_CONF=$work/cluster/slurm.conf
  started_cluster=1
fi

median() { sort -g | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
summary() { sort -g | awk '{v[NR]=$1; s+=$1} END {printf "median %.3f s, min %.3f s, max %.3f s (n=%d)", (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2), v[1], v[NR], NR}'; }

experiment() {  # name, slurm settings, workload settings
  cat <<EOF
experiment: $1
executor: slurm
repetitions: 1
order: sequential
plugin_path: [$TEST_PLUGINS]
slurm:
  poll_interval: 0.2s
$2
platforms:
  - plugin: native
workloads:
  - plugin: echo
$3
EOF
}

echo "== scheduling overhead per cell, $ROUNDS rounds"
experiment overhead "  nodes: n1" "    value: 1" >"$work/overhead.yaml"
: >"$work/platbench.txt"
for round in $(seq 1 "$ROUNDS"); do
  "$PLATBENCH" run "$work/overhead.yaml" --output "$work/overhead-$round" -q >/dev/null
  sqlite3 "$work/overhead-$round/results.db" \
    "select json_extract(info_json, '$.slurm_submit_to_ingest_seconds') - duration_seconds from runs" >>"$work/platbench.txt"
done
: >"$work/sbatch.txt"
printf '#!/bin/sh\nexec %s --workload echo --plugin-dir %s >/dev/null\n' "$RUNNER" "$TEST_PLUGINS" >"$work/plain.sh"
for round in $(seq 1 "$ROUNDS"); do
  start=$(date +%s.%N)
  job=$(sbatch --parsable --exclusive --nodelist=n1 --output=/dev/null "$work/plain.sh")
  until scontrol show job -o "$job" | grep -Eq 'JobState=(COMPLETED|FAILED|CANCELLED)'; do sleep 0.1; done
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l >>"$work/sbatch.txt"
done
platbench_median=$(median <"$work/platbench.txt")
sbatch_median=$(median <"$work/sbatch.txt")
echo "platbench (submit to result stored, minus the run): $(summary <"$work/platbench.txt")"
echo "sbatch + scontrol of the runner (submit to end):     $(summary <"$work/sbatch.txt")"
printf 'ratio of medians, platbench / sbatch by hand: %.2f\n' "$(echo "$platbench_median / $sbatch_median" | bc -l)"

echo "== $CELLS cells of ${SLEEP} s on both nodes"
values=$(seq -s, 1 "$CELLS")
experiment throughput "  nodes: n[1-2]" "    sleep: ${SLEEP}s
    value: [$values]" >"$work/throughput.yaml"
: >"$work/samples.txt"
start=$(date +%s.%N)
"$PLATBENCH" run "$work/throughput.yaml" --output "$work/throughput" -q >/dev/null &
head_pid=$!
while kill -0 "$head_pid" 2>/dev/null; do
  # Nodes running a job of this experiment right now, one line per sample.
  squeue -h -t R -n platbench-throughput-native -o %N | sort -u | paste -sd, >>"$work/samples.txt" || true
  sleep 0.1
done
wait "$head_pid"
end=$(date +%s.%N)
ok=$(sqlite3 "$work/throughput/results.db" "select count(*) from runs where status = 'ok'")
busy_seconds=$(sqlite3 "$work/throughput/results.db" "select sum(duration_seconds) from runs")
# Samples from the first to the last with a job running: the matrix's own span.
awk 'NF { last = NR; if (!first) first = NR } { line[NR] = $0 }
     END { for (i = first; i <= last; i++) { n++; if (line[i] ~ /n1/ && line[i] ~ /n2/) both++; if (line[i] != "") any++ }
           printf "utilisation: both nodes busy in %.1f%% of %d samples, at least one in %.1f%%\n", 100*both/n, n, 100*any/n }' \
  "$work/samples.txt"
printf 'wall %.1f s for %d ok runs (%.2f runs/s); runs themselves %.1f s in all, %.1f s per node\n' \
  "$(echo "$end - $start" | bc -l)" "$ok" "$(echo "$ok / ($end - $start)" | bc -l)" "$busy_seconds" \
  "$(echo "$busy_seconds / 2" | bc -l)"
