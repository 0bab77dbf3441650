#!/usr/bin/env bash
# What a VM costs before and after the workload: the kvm platform's boot to
# runner start, shutdown and whole overhead per run, and the initramfs it makes
# from the bundle (written once, then reused while the bundle is unchanged).
#
# Runs a tiny stream (the workload hardly matters here) R times on the kvm
# platform with a fresh image directory, so the first experiment writes the
# initramfs exactly as for a changed bundle; then one more experiment with the
# same bundle, which must find it cached. Prints the median and range of each
# figure platbench recorded per run: libvirt's create, boot to runner start
# (and how much of it the guest's own uptime accounts for), shutdown, and the
# whole overhead per run. There is no reference tool for a VM boot: the guest's
# uptime is the yardstick for what happens inside the guest.
#
# Usage: bench/kvm_boot.sh [-r RUNS] [-a ACCEL] [BUILD_DIR]
#   BUILD_DIR  platbench build tree (default ./build)
#   -r RUNS    VM runs (default 5)
#   -a ACCEL   tcg (default) or kvm; kvm gets a 30 s boot timeout, so a host where
#              KVM guests hang says so quickly
# Needs libvirtd at qemu:///system (scripts/setup.sh starts it), python3 and sqlite3.
set -euo pipefail

runs=5
accel=tcg

die() { echo "kvm_boot: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while getopts "r:a:h" opt; do
    case "$opt" in
        r) runs=$OPTARG ;;
        a) accel=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
build=${1:-./build}

[[ $runs =~ ^[1-9][0-9]*$ ]] || die "-r needs a positive whole number of runs, not '$runs'"
[[ $accel == tcg || $accel == kvm ]] || die "-a needs tcg or kvm, not '$accel'"
platbench="$build/bin/platbench"
[[ -x $platbench ]] || die "no platbench at $platbench: build it first or pass its build directory"
command -v python3 >/dev/null || die "python3 not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/platbench-kvm-bench-XXXXXX")
images=$(mktemp -d /var/tmp/platbench-kvm-bench-images-XXXXXX)
chmod 755 "$images"   # QEMU may run as another user
trap 'rm -rf "$work" "$images"' EXIT

cat >"$work/boot.yaml" <<YAML
experiment: kvm-boot
repetitions: $runs
warmup: 0
timeout: 10m
output: $work/results
platforms:
  - plugin: kvm
    accel: $accel
    boot_timeout: $([[ $accel == kvm ]] && echo 30 || echo 120)
    image_dir: $images
workloads:
  - plugin: stream
    array_size: 100K
    ntimes: 2
YAML

echo "kvm platform, accel $accel, $runs runs of a tiny stream, fresh image directory, then one more experiment"
"$platbench" run --quiet "$work/boot.yaml" >/dev/null 2>"$work/run.log" || true
sed -i "s/^repetitions: .*/repetitions: 1/" "$work/boot.yaml"
"$platbench" run --quiet "$work/boot.yaml" >/dev/null 2>>"$work/run.log" || true

python3 - "$work/results/results.db" <<'PY'
import json, sqlite3, statistics, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT status, reason, overhead_seconds, platform_metadata_json FROM runs "
                  "WHERE experiment_id = (SELECT MIN(experiment_id) FROM runs) ORDER BY id").fetchall()
second = db.execute("SELECT platform_metadata_json FROM runs WHERE experiment_id = (SELECT MAX(experiment_id) FROM runs) "
                    "AND status = 'ok'").fetchall()
failed = [(status, reason) for status, reason, _, _ in rows if status != "ok"]
for status, reason in failed:
    print(f"  run {status}: {reason}")
ok = [(overhead, json.loads(meta)) for status, _, overhead, meta in rows if status == "ok"]
if not ok:
    print("  no run succeeded")
    sys.exit(1)

def show(label, values, unit="s"):
    values = [v for v in values if v is not None]
    if values:
        print(f"  {label:<38} median {statistics.median(values):7.3f} {unit}   min {min(values):7.3f}   max {max(values):7.3f}   (n={len(values)})")

meta = [m for _, m in ok]
print(f"  guest kernel {meta[0].get('guest_kernel', '?')}, boot kernel form {meta[0].get('boot_kernel', '?')}, "
      f"{meta[0].get('vcpus', '?')} vCPUs, {meta[0].get('hypervisor', '?')}, libvirt {meta[0].get('libvirt_version', '?')}")
show("create (libvirt starts QEMU)", [float(m["create_seconds"]) for m in meta])
show("boot to runner start", [float(m["boot_seconds"]) for m in meta])
show("  of which inside the guest (uptime)", [float(m["guest_uptime_at_runner_start_seconds"]) for m in meta])
show("shutdown (report to domain gone)", [float(m["shutdown_seconds"]) for m in meta])
show("overhead per run (all but the runner)", [o for o, _ in ok])
print(f"  initramfs, first experiment (new bundle): {meta[0].get('initramfs', '?')}")
if second:
    print(f"  initramfs, next experiment (same bundle):  {json.loads(second[0][0]).get('initramfs', '?')}")
PY
initramfs=$(ls "$images"/initramfs-*.cpio 2>/dev/null | head -1)
[[ -n $initramfs ]] && echo "  initramfs size $(($(stat -c %s "$initramfs") / 1048576)) MiB"
exit 0
