#!/usr/bin/env bash
# Compares platbench's stream workload with likwid-bench on the same arrays.
#
# For Copy and Triad (ordinary stores) and Triad with non-temporal stores, runs
# likwid-bench and `platbench-runner --workload stream` alternately (A/B/A/B),
# with the same per-array element count and all CPUs, and prints each pair's
# ratio platbench/likwid and the median ratio. Both count as STREAM does
# (bytes loaded + bytes stored, 1 MB = 10^6 bytes). likwid reports the mean rate
# over its run, platbench (like STREAM) its best iteration; so that the verdict
# compares like with like it uses platbench's mean rate (bytes / average time),
# and the best-iteration ratio is printed beside it.
#
# Usage: bench/stream_vs_likwid.sh [-n ELEMENTS] [-r PAIRS] [-t THREADS] [-L] [BUILD_DIR]
#   BUILD_DIR    platbench build tree (default ./build)
#   -n ELEMENTS  doubles per array (default 40000000: 320 MB per array, well past
#                the caches of most machines; raise it on CPUs with huge L3)
#   -r PAIRS     A/B pairs per kernel (default 7: single pairs vary by several per cent)
#   -t THREADS   threads for both (default: all CPUs this shell may use)
#   -L           run likwid-bench only (checks that side without the runner)
set -euo pipefail

elements=40000000
pairs=7
threads=""
likwid_only=0

die() { echo "stream_vs_likwid: $*" >&2; exit 1; }

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while getopts "n:r:t:Lh" opt; do
    case "$opt" in
        n) elements=$OPTARG ;;
        r) pairs=$OPTARG ;;
        t) threads=$OPTARG ;;
        L) likwid_only=1 ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
build=${1:-./build}
threads=${threads:-$(nproc)}

is_positive_integer() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
is_positive_integer "$elements" || die "-n needs a positive whole number of elements, not '$elements'"
is_positive_integer "$pairs" || die "-r needs a positive whole number of pairs, not '$pairs'"
is_positive_integer "$threads" || die "-t needs a positive whole number of threads, not '$threads'"

command -v likwid-bench >/dev/null || die "likwid-bench not found (Debian package: likwid)"
command -v python3 >/dev/null || die "python3 not found"
runner="$build/bin/platbench-runner"
plugin_dir="$build/lib/platbench/plugins"
if ((!likwid_only)); then
    [[ -x $runner ]] || die "no runner at $runner: build platbench first or pass its build directory"
    [[ -d $plugin_dir ]] || die "no plugin directory at $plugin_dir"
fi

# The widest likwid kernels this CPU runs, matching the ISA platbench dispatches to.
cpu_flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has_flag() { [[ $cpu_flags == *" $1 "* ]]; }
if has_flag avx512f; then
    copy_test=copy_avx512 triad_test=stream_avx512_fma triad_nt_test=stream_mem_avx512
elif has_flag avx2 && has_flag fma; then
    copy_test=copy_avx triad_test=stream_avx_fma triad_nt_test=stream_mem_avx_fma
elif has_flag avx; then
    copy_test=copy_avx triad_test=stream_avx triad_nt_test=stream_mem_avx
else
    copy_test=copy_sse triad_test=stream_sse triad_nt_test=stream_mem_sse
fi

# One likwid work group per socket, so each socket's threads touch their own
# memory (as platbench's threads do); one group when the threads do not split evenly.
sockets=$(lscpu -p=SOCKET 2>/dev/null | grep -v '^#' | sort -u | wc -l)
((sockets >= 1)) || sockets=1
if ((sockets > 1 && threads % sockets == 0 && threads >= sockets)); then
    groups=$sockets
else
    groups=1
fi

# likwid_bench TEST STREAMS ELEMENTS -> "MBYTES_PER_S ELEMENTS_USED"
# likwid sizes count every array of the test together; it may round the length
# down to whole unrolled loops per thread, so the length it used is read back.
likwid_bench() {
    local test=$1 streams=$2 n=$3 args=() g out rate size
    local group_bytes=$((streams * 8 * n / groups)) group_threads=$((threads / groups))
    if ((groups == 1)); then
        args=(-w "S0:${group_bytes}B:${threads}")
    else
        for ((g = 0; g < groups; g++)); do args+=(-w "S$g:${group_bytes}B:${group_threads}"); done
    fi
    out=$(likwid-bench -t "$test" "${args[@]}" 2>&1) || die "likwid-bench -t $test ${args[*]} failed: $out"
    rate=$(awk '/^MByte\/s:/ {print $2; exit}' <<<"$out")
    size=$(awk '/^Size \(Byte\):/ {print $3; exit}' <<<"$out")
    [[ -n $rate && -n $size ]] || die "no 'MByte/s:' or 'Size (Byte):' in likwid-bench output: $out"
    echo "$rate $((size / (streams * 8)))"
}

# platbench_stream KERNEL STREAMS ELEMENTS NONTEMPORAL -> "BEST_MB/s MEAN_MB/s" of KERNEL
platbench_stream() {
    local kernel=$1 streams=$2 n=$3 nontemporal=$4 out
    local args=(--plugin-dir "$plugin_dir" --workload stream --param "array_size=$n" --param "threads=$threads")
    [[ $nontemporal == true ]] && args+=(--param nontemporal=true)
    out=$("$runner" "${args[@]}" --format json) || die "platbench-runner ${args[*]} failed: $out"
    python3 -c '
import json, sys
kernel, bytes_moved = sys.argv[1], float(sys.argv[2])
try:
    result = json.loads(sys.stdin.read())
except ValueError as e:
    sys.exit("runner output is not JSON: %s" % e)
if not isinstance(result, dict) or result.get("ok") is not True:
    sys.exit("runner reported failure: %s" % (result.get("error") if isinstance(result, dict) else result))
values = {m.get("name"): m.get("value") for m in result.get("metrics") or [] if isinstance(m, dict)}
best, avg_time = values.get(kernel + "_best_rate"), values.get(kernel + "_avg_time")
if not isinstance(best, (int, float)) or not isinstance(avg_time, (int, float)) or avg_time <= 0:
    sys.exit("no %s_best_rate / %s_avg_time in the runner output" % (kernel, kernel))
print(best, bytes_moved / avg_time / 1e6)
' "$kernel" "$((streams * 8 * n))" <<<"$out" || die "could not read $kernel rates from the runner"
}

# compare LABEL LIKWID_TEST STREAMS KERNEL NONTEMPORAL TARGET
compare() {
    local label=$1 test=$2 streams=$3 kernel=$4 nontemporal=$5 target=$6
    local ratios=() p likwid likwid_rate used ours best mean ratio best_ratio
    echo "== $label: likwid-bench -t $test vs platbench stream $kernel (nontemporal=$nontemporal), $threads threads"
    for ((p = 1; p <= pairs; p++)); do
        likwid=$(likwid_bench "$test" "$streams" "$elements")
        read -r likwid_rate used <<<"$likwid"
        if ((used != elements && p == 1)); then
            echo "   likwid rounded the arrays to $used elements; platbench uses the same"
        fi
        if ((likwid_only)); then
            printf '   run %d: likwid %10.1f MB/s (%d elements per array)\n' "$p" "$likwid_rate" "$used"
            continue
        fi
        ours=$(platbench_stream "$kernel" "$streams" "$used" "$nontemporal")
        read -r best mean <<<"$ours"
        ratio=$(python3 -c 'import sys; print("%.3f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$mean" "$likwid_rate")
        best_ratio=$(python3 -c 'import sys; print("%.3f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$best" "$likwid_rate")
        ratios+=("$ratio")
        printf '   pair %d: likwid %10.1f MB/s, platbench mean %10.1f MB/s (best %10.1f), ratio mean %s (best %s)\n' \
            "$p" "$likwid_rate" "$mean" "$best" "$ratio" "$best_ratio"
    done
    ((likwid_only)) && return 0
    python3 -c '
import statistics, sys
label, target, ratios = sys.argv[1], float(sys.argv[2]), [float(r) for r in sys.argv[3:]]
median = statistics.median(ratios)
verdict = "meets" if median >= target else "BELOW"
print("   %s: median ratio (mean rates) %.3f over %d pairs (%s the target %.2f)" % (label, median, len(ratios), verdict, target))
' "$label" "$target" "${ratios[@]}"
}

echo "arrays of $elements doubles, $threads threads, $groups likwid work group(s), build $build"
compare "Copy" "$copy_test" 2 copy false 1.00
compare "Triad" "$triad_test" 3 triad false 1.00
compare "Triad, non-temporal stores" "$triad_nt_test" 3 triad true 0.95
