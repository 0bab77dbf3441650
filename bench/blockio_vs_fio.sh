#!/usr/bin/env bash
# Compares platbench's blockio workload with fio on the same jobs.
#
# For each case below, runs fio and `platbench-runner --workload blockio`
# alternately (A/B/A/B, PAIRS pairs), time-based, on 1 GiB files in DIR, and
# prints per pair and as the median over the pairs the ratios blockio/fio of:
#   rate     IOPS (small blocks) or bandwidth (1 MiB blocks), reads + writes
#   lat      mean latency (submission to completion; mixed jobs: weighted by I/Os)
#   cpu/io   CPU time (user + system) per I/O; fio: (usr_cpu + sys_cpu)% x job_runtime / total I/Os
# Targets: rate >= 0.97, lat within 5% (<= 1.05), cpu/io <= 1.00.
#
# One 1 GiB file in DIR is laid out once. As root (with losetup), it is attached
# as a loop device with direct I/O and both tools run on that device: the same
# bytes, nothing laid out between runs. Otherwise fio runs on the file and blockio
# lays out its own job file beside it before each run (outside what it measures).
# The order alternates (fio first in odd pairs, blockio first in even pairs), and
# both runs start with a ramp that is not counted.
# Both use their defaults for random offsets and write data: a random map (each
# block once per pass before any is visited again) and write buffers refreshed
# per I/O (fio's scramble_buffers, blockio's per-write stamps). On the shared loop
# device, which fio's layout wrote, blockio runs with layout=false: nothing is
# laid out between runs (as root; otherwise blockio lays out its own job file).
# Each uses its default memory for I/O buffers: fio 4 KiB pages (mem=malloc),
# blockio transparent huge pages for 2 MiB or more of buffers where the kernel
# allows them (fewer pages to pin per direct I/O). -b passes huge_pages=false to
# blockio, to compare the two on the same kind of memory.
#
# Usage: bench/blockio_vs_fio.sh [-r PAIRS] [-t SECONDS] [-c TEXT] [BUILD_DIR] [DIR]
#   BUILD_DIR    platbench build tree (default ./build)
#   DIR          directory for the files, on the storage to measure (default /var/tmp)
#   -r PAIRS     A/B pairs per case (default 3)
#   -t SECONDS   runtime of each run (default 5)
#   -c TEXT      only the cases whose name contains TEXT (e.g. -c randrw)
#   -b           blockio's buffers on 4 KiB pages, as fio's (huge_pages=false)
set -euo pipefail

pairs=3
seconds=5
# Not measured, by either: lets the writeback of blockio's fresh layout settle.
ramp=1

die() { echo "blockio_vs_fio: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

only=""
huge_pages=true
while getopts "r:t:c:bh" opt; do
    case "$opt" in
        r) pairs=$OPTARG ;;
        t) seconds=$OPTARG ;;
        c) only=$OPTARG ;;
        b) huge_pages=false ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
build=${1:-./build}
dir=${2:-/var/tmp}

[[ $pairs =~ ^[1-9][0-9]*$ ]] || die "-r needs a positive whole number of pairs, not '$pairs'"
[[ $seconds =~ ^[1-9][0-9]*$ ]] || die "-t needs a positive whole number of seconds, not '$seconds'"
command -v fio >/dev/null || die "fio not found (Debian package: fio)"
command -v python3 >/dev/null || die "python3 not found (Debian package: python3)"
runner="$build/bin/platbench-runner"
plugins="$build/lib/platbench/plugins"
[[ -x $runner ]] || die "$runner not found: build the targets platbench-runner and workload_blockio first"
[[ -f $plugins/workload_blockio.so ]] || die "$plugins/workload_blockio.so not found: build the target workload_blockio"
[[ -d $dir ]] || die "$dir is not a directory"

work=$(mktemp -d "$dir/blockio-vs-fio.XXXXXX")
loop=""
cleanup() {
    [[ -n $loop ]] && losetup -d "$loop"
    rm -rf "$work"
}
trap cleanup EXIT
fio_file="$work/fio.dat"

# name|pattern|block size|iodepth|engine|rwmixread|rate measure (iops|bw)
cases=(
    "4k randread qd1 psync|randread|4k|1|psync|50|iops"
    "4k randread qd32 libaio|randread|4k|32|libaio|50|iops"
    "4k randread qd32 io_uring|randread|4k|32|io_uring|50|iops"
    "4k randwrite qd32 io_uring|randwrite|4k|32|io_uring|50|iops"
    "1M read qd8 libaio|read|1m|8|libaio|50|bw"
    "1M write qd8 libaio|write|1m|8|libaio|50|bw"
    "16k randrw 70/30 qd8 io_uring|randrw|16k|8|io_uring|70|iops"
)

fio --name=layout --filename="$fio_file" --size=1g --rw=write --bs=1m --direct=1 --ioengine=psync \
    --output-format=terse >/dev/null || die "fio could not lay out $fio_file"

# fio_target: what fio opens; blockio_target: the blockio parameter naming the same place.
fio_target=$fio_file
blockio_target=(directory="$work")
if [[ $(id -u) -eq 0 ]] && command -v losetup >/dev/null && loop=$(losetup --find --show --direct-io=on "$fio_file"); then
    fio_target=$loop
    blockio_target=(device="$loop" layout=false)
    echo "both on $loop (loop device over $fio_file, direct I/O)"
else
    loop=""
    echo "fio on $fio_file, blockio on its own file in $work (run as root for one shared loop device)"
fi

# Prints "rate lat_mean_us cpu_per_io_us" of one fio run.
run_fio() {
    local pattern=$1 bs=$2 depth=$3 engine=$4 mix=$5 measure=$6
    fio --name=job --filename="$fio_target" --size=1g --rw="$pattern" --rwmixread="$mix" --bs="$bs" \
        --iodepth="$depth" --ioengine="$engine" --direct=1 --time_based --runtime="$seconds" --ramp_time="$ramp" \
        --randrepeat=0 --output-format=json |
        python3 -c '
import json, sys
job = json.load(sys.stdin)["jobs"][0]
measure = sys.argv[1]
ios = sum(job[d]["total_ios"] for d in ("read", "write"))
rate = sum(job[d]["iops"] if measure == "iops" else job[d]["bw_bytes"] for d in ("read", "write"))
lat = sum(job[d]["lat_ns"]["mean"] * job[d]["total_ios"] for d in ("read", "write")) / ios / 1e3
cpu = (job["usr_cpu"] + job["sys_cpu"]) / 100 * job["job_runtime"] / 1e3 / ios * 1e6
print(rate, lat, cpu)' "$measure"
}

# The same for one blockio run.
run_blockio() {
    local pattern=$1 bs=$2 depth=$3 engine=$4 mix=$5 measure=$6
    local size=${bs%[km]} unit=${bs: -1}
    local -a params=(pattern="$pattern" block_size="$size${unit^^}iB" iodepth="$depth" engine="$engine"
                     file_size=1GiB direct=true huge_pages="$huge_pages" runtime="$seconds" ramp_time="$ramp" "${blockio_target[@]}")
    [[ $pattern == randrw ]] && params+=(rwmixread="$mix")
    local -a args=()
    for p in "${params[@]}"; do args+=(--param "$p"); done
    "$runner" --plugin-dir "$plugins" --workload blockio --format json "${args[@]}" 2>/dev/null |
        python3 -c '
import json, sys
report = json.load(sys.stdin)
if not report["ok"]:
    sys.exit("blockio failed: " + report["error"])
m = {x["name"]: x["value"] for x in report["metrics"]}
measure = sys.argv[1]
dirs = [d for d in ("read", "write") if d + "_ios" in m]
ios = sum(m[d + "_ios"] for d in dirs)
rate = sum(m[d + "_iops"] if measure == "iops" else m[d + "_bw_mb"] * 1e6 for d in dirs)
lat = sum(m[d + "_lat_mean"] * m[d + "_ios"] for d in dirs) / ios
print(rate, lat, m["cpu_per_io_us"])' "$measure"
}

printf '%-32s %-5s %14s %14s %8s %8s %8s\n' case pair fio_rate blockio_rate rate lat cpu/io
for spec in "${cases[@]}"; do
    IFS='|' read -r name pattern bs depth engine mix measure <<<"$spec"
    [[ $name == *"$only"* ]] || continue
    ratios=()
    for ((pair = 1; pair <= pairs; ++pair)); do
        if ((pair % 2 == 1)); then
            read -r f_rate f_lat f_cpu < <(run_fio "$pattern" "$bs" "$depth" "$engine" "$mix" "$measure")
            read -r b_rate b_lat b_cpu < <(run_blockio "$pattern" "$bs" "$depth" "$engine" "$mix" "$measure")
        else
            read -r b_rate b_lat b_cpu < <(run_blockio "$pattern" "$bs" "$depth" "$engine" "$mix" "$measure")
            read -r f_rate f_lat f_cpu < <(run_fio "$pattern" "$bs" "$depth" "$engine" "$mix" "$measure")
        fi
        ratio=$(python3 -c 'import sys; a = list(map(float, sys.argv[1:]))
print("%.3f %.3f %.3f" % (a[3] / a[0], a[4] / a[1], a[5] / a[2]))' \
            "$f_rate" "$f_lat" "$f_cpu" "$b_rate" "$b_lat" "$b_cpu")
        ratios+=("$ratio")
        printf '%-32s %-5s %14.0f %14.0f %8s %8s %8s\n' "$name" "$pair" "$f_rate" "$b_rate" $ratio
    done
    python3 -c '
import statistics, sys
name, rows = sys.argv[1], [list(map(float, r.split())) for r in sys.argv[2:]]
med = [statistics.median(col) for col in zip(*rows)]
ok = med[0] >= 0.97 and med[1] <= 1.05 and med[2] <= 1.0
print("%-32s %-5s %14s %14s %8.3f %8.3f %8.3f  %s" % (name, "med", "", "", med[0], med[1], med[2],
      "meets targets" if ok else "BELOW TARGET"))' "$name" "${ratios[@]}"
done
