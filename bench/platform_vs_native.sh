#!/usr/bin/env bash
# What a container platform costs: stream Triad in a container against the same
# run on the host, and the fixed cost of one container run.
#
# Runs pairs of one-repetition experiments, each pair holding the same stream
# cell on `native` and on the platform with the same cpuset, and swaps their order
# from pair to pair (A/B, B/A, ...) so drift of the machine does not favour
# either side. Prints each pair's Triad ratio platform/native (best-iteration
# rate, as STREAM reports), their median, the median with the order's own effect
# cancelled (couples of pairs), and the platform's overhead per run (everything
# around the runner's own lifetime: for docker and podman create + start + wait +
# remove, for singularity apptainer's start and exit) as recorded by platbench, with how
# the image was obtained (built/imported, or reused).
#
# Usage: bench/platform_vs_native.sh [-p PLATFORM] [-n ELEMENTS] [-r PAIRS] [-c CPUSET] [BUILD_DIR]
#   BUILD_DIR    platbench build tree (default ./build)
#   -p PLATFORM  docker (default), podman or singularity
#   -n ELEMENTS  doubles per array (default 20000000: 160 MB per array)
#   -r PAIRS     native/platform pairs (default 7)
#   -c CPUSET    CPUs both sides use (default: all CPUs, e.g. 0-1)
# Needs the platform (scripts/setup.sh starts dockerd and Podman's service and
# installs apptainer), python3 and sqlite3. bench/docker_vs_native.sh,
# bench/podman_vs_native.sh and bench/singularity_vs_native.sh call this script.
set -euo pipefail

platform=docker
elements=20000000
pairs=7
cpuset="0-$(($(nproc) - 1))"

die() { echo "platform_vs_native: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while getopts "p:n:r:c:h" opt; do
    case "$opt" in
        p) platform=$OPTARG ;;
        n) elements=$OPTARG ;;
        r) pairs=$OPTARG ;;
        c) cpuset=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
build=${1:-./build}

[[ $platform =~ ^(docker|podman|singularity)$ ]] || die "-p needs docker, podman or singularity, not '$platform'"
[[ $elements =~ ^[1-9][0-9]*$ ]] || die "-n needs a positive whole number of elements, not '$elements'"
[[ $pairs =~ ^[1-9][0-9]*$ ]] || die "-r needs a positive whole number of pairs, not '$pairs'"
[[ $cpuset =~ ^[0-9,-]+$ ]] || die "-c needs a CPU list such as 0-3, not '$cpuset'"
platbench="$build/bin/platbench"
[[ -x $platbench ]] || die "no platbench at $platbench: build it first or pass its build directory"
command -v python3 >/dev/null || die "python3 not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/platbench-$platform-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

write_pair_config() {  # $1 = pair number, $2 = first platform, $3 = second
    cat >"$work/pair-$1.yaml" <<YAML
experiment: $platform-vs-native-$1
repetitions: 1
warmup: 0
timeout: 10m
output: $work/results
platforms:
  - plugin: $2
    cpuset: "$cpuset"
  - plugin: $3
    cpuset: "$cpuset"
workloads:
  - plugin: stream
    array_size: $elements
    ntimes: 10
YAML
}

echo "$platform vs native: stream Triad, $elements doubles per array, cpuset $cpuset, $pairs pairs (order alternates)"
for ((pair = 1; pair <= pairs; pair++)); do
    if ((pair % 2)); then write_pair_config "$pair" native "$platform"; else write_pair_config "$pair" "$platform" native; fi
    "$platbench" run --quiet "$work/pair-$pair.yaml" >/dev/null 2>"$work/pair-$pair.log" ||
        { cat "$work/pair-$pair.log" >&2; die "pair $pair failed"; }
done

python3 - "$work/results/results.db" "$platform" <<'PY'
import sqlite3, statistics, sys
db = sqlite3.connect(sys.argv[1])
name = sys.argv[2]
rows = db.execute("""
    SELECT e.name, r.platform_plugin, r.status, m.value, r.overhead_seconds,
           json_extract(r.platform_metadata_json, '$.image_build')
    FROM runs r JOIN experiments e ON e.id = r.experiment_id
    LEFT JOIN metrics m ON m.run_id = r.id AND m.name = 'triad_best_rate'
    ORDER BY e.id, r.id""").fetchall()
pairs, overheads, images = {}, [], []
for experiment, platform, status, triad, overhead, image in rows:
    if status != "ok" or triad is None:
        sys.exit(f"{experiment}: {platform} run {status}")
    pairs.setdefault(experiment, {})[platform] = triad
    if platform == name:
        overheads.append(overhead)
        images.append(image)
ratios = []
for experiment, rates in pairs.items():
    ratio = rates[name] / rates["native"]
    ratios.append(ratio)
    print(f"  {experiment}: native {rates['native']:10.1f} MB/s  {name} {rates[name]:10.1f} MB/s  "
          f"{name}/native {ratio:.3f}")
print(f"Triad {name}/native: median {statistics.median(ratios):.3f} "
      f"(min {min(ratios):.3f}, max {max(ratios):.3f}, {len(ratios)} pairs)")
# Pairs alternate native-first and platform-first; the geometric mean of each such
# couple cancels whatever the order itself does, and their median is the verdict.
native_first, platform_first = ratios[0::2], ratios[1::2]
if platform_first:
    balanced = [(a * b) ** 0.5 for a, b in zip(native_first, platform_first)]
    print(f"  by order: native first {statistics.median(native_first):.3f}, "
          f"{name} first {statistics.median(platform_first):.3f}; "
          f"order-balanced median {statistics.median(balanced):.3f} ({len(balanced)} couples)")
print(f"{name} overhead per run: median {statistics.median(overheads):.3f} s "
      f"(min {min(overheads):.3f}, max {max(overheads):.3f}); image: "
      + ", ".join(f"{images.count(k)} {k}" for k in sorted(set(images), key=str)))
PY
