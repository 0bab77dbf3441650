#!/usr/bin/env bash
# Compares platbench's linpack or randomaccess workload with HPC Challenge (hpcc).
#
# Runs `platbench-runner --workload hpcc` (the real hpcc, one MPI process) and
# `platbench-runner --workload linpack|randomaccess` alternately, the order
# alternating pair by pair (A/B, B/A, ...), on the same problem, and prints each
# pair's ratio platbench/hpcc and the median ratio against the target.
#   linpack:      GFLOP/s of linpack (order N, THREADS OpenBLAS threads) over HPL's
#                 in hpcc (order N, the same threads); both rate (2/3 N^3 + 2 N^2)
#                 over their own factorisation-and-solve time. Target 0.95.
#   randomaccess: GUP/s of randomaccess on one thread over HPCC's SingleRandomAccess
#                 (one thread) on the same table: HPCC sizes it from N (the largest
#                 power of two of 64-bit words up to N^2), and the table size hpcc
#                 reports is given to randomaccess. Target 1.0.
# Which BLAS library hpcc loaded (libblas.so.3's alternative) is printed first.
#
# Usage: bench/hpc_vs_hpcc.sh -w linpack|randomaccess [-n N] [-r PAIRS] [-t THREADS] [BUILD_DIR]
#   -w WORKLOAD  linpack or randomaccess
#   -n N         HPL's order (default 8000: 512 MB of matrix)
#   -r PAIRS     A/B pairs (default 5)
#   -t THREADS   OpenBLAS threads of both HPL and linpack (default: all CPUs this shell
#                may use); randomaccess and HPCC's SingleRandomAccess always use one
#   BUILD_DIR    platbench build tree (default ./build)
set -euo pipefail

workload="" order=8000 pairs=5 threads=""

die() { echo "hpc_vs_hpcc: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while getopts "w:n:r:t:h" opt; do
    case "$opt" in
        w) workload=$OPTARG ;;
        n) order=$OPTARG ;;
        r) pairs=$OPTARG ;;
        t) threads=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
build=${1:-./build}
threads=${threads:-$(nproc)}

is_positive_integer() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
[[ $workload == linpack || $workload == randomaccess ]] || die "-w needs linpack or randomaccess, not '$workload'"
is_positive_integer "$order" || die "-n needs a positive whole order, not '$order'"
is_positive_integer "$pairs" || die "-r needs a positive whole number of pairs, not '$pairs'"
is_positive_integer "$threads" || die "-t needs a positive whole number of threads, not '$threads'"
command -v hpcc >/dev/null || die "hpcc not found (Debian package: hpcc)"
command -v python3 >/dev/null || die "python3 not found"
runner="$build/bin/platbench-runner"
plugin_dir="$build/lib/platbench/plugins"
[[ -x $runner ]] || die "no runner at $runner: build platbench first or pass its build directory"

work=$(mktemp -d "${TMPDIR:-/tmp}/platbench-hpc-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# run_runner WORKLOAD PARAM... -> the runner's JSON report, or dies with it
run_runner() {
    local name=$1 out
    shift
    local args=(--plugin-dir "$plugin_dir" --workload "$name" --work-dir "$work" --format json)
    for param in "$@"; do args+=(--param "$param"); done
    out=$("$runner" "${args[@]}" 2>"$work/stderr") || die "platbench-runner ${args[*]} failed: $out $(tail -5 "$work/stderr")"
    echo "$out"
}

# field JSON NAME -> the metric NAME, or info NAME when it is no metric
field() {
    python3 -c '
import json, sys
report = json.loads(sys.stdin.read())
if not isinstance(report, dict) or report.get("ok") is not True:
    sys.exit("runner reported failure: %s" % (report.get("error") if isinstance(report, dict) else report))
metrics = {m.get("name"): m.get("value") for m in report.get("metrics") or [] if isinstance(m, dict)}
info = report.get("info") or {}
value = metrics.get(sys.argv[1], info.get(sys.argv[1]))
if value is None:
    sys.exit("no %s in the runner report" % sys.argv[1])
print(value)
' "$2" <<<"$1" || die "could not read $2 from the runner report"
}

ratio() { python3 -c 'import sys; print("%.3f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }

echo "hpcc's BLAS: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown); order $order, $pairs pairs, build $build"
if [[ $workload == linpack ]]; then
    metric=gflops unit=GFLOP/s target=0.95
    hpcc_params=("n=$order" "threads=$threads")
    ours_params=("n=$order" "threads=$threads")
    echo "== linpack vs hpcc's HPL: order $order, $threads OpenBLAS threads each"
else
    metric=gups unit=GUP/s target=1.00
    hpcc_params=("n=$order" "threads=1")
    table_bytes=$(field "$(run_runner hpcc "n=$order" threads=1)" table_bytes)
    ours_params=("table_size=$table_bytes" "threads=1")
    echo "== randomaccess vs HPCC's SingleRandomAccess: table of $table_bytes bytes, one thread each"
fi

ratios=()
for ((p = 1; p <= pairs; p++)); do
    if ((p % 2)); then
        theirs=$(field "$(run_runner hpcc "${hpcc_params[@]}")" "$metric")
        ours=$(field "$(run_runner "$workload" "${ours_params[@]}")" "$metric")
    else
        ours=$(field "$(run_runner "$workload" "${ours_params[@]}")" "$metric")
        theirs=$(field "$(run_runner hpcc "${hpcc_params[@]}")" "$metric")
    fi
    r=$(ratio "$ours" "$theirs")
    ratios+=("$r")
    printf '   pair %d: hpcc %10.4f %s, platbench %s %10.4f %s, ratio %s\n' "$p" "$theirs" "$unit" "$workload" "$ours" "$unit" "$r"
done
python3 -c '
import statistics, sys
name, target, ratios = sys.argv[1], float(sys.argv[2]), [float(r) for r in sys.argv[3:]]
median = statistics.median(ratios)
print("   %s/hpcc: median ratio %.3f over %d pairs (%s the target %.2f)"
      % (name, median, len(ratios), "meets" if median >= target else "BELOW", target))
' "$workload" "$target" "${ratios[@]}"
