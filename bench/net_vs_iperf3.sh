#!/usr/bin/env bash
# Compares platbench's net workload (mode=tcp_stream) with iperf3 on loopback.
#
# Runs, alternately (iperf3 first in odd pairs, net first in even pairs), PAIRS
# pairs of:
#   iperf3   `iperf3 -s -B 127.0.0.1 -p PORT -1` and
#            `iperf3 -c 127.0.0.1 -p PORT -t SECONDS -O RAMP -l SIZE -P PARALLEL -J`
#   net      `platbench-runner --serve net --listen 127.0.0.1 --ready-file F` and
#            `platbench-runner --workload net --peer ADDRESS:PORT --param mode=tcp_stream
#             --param runtime=SECONDS --param ramp_time=RAMP --param message_size=SIZE --param parallel=PARALLEL`
# the same send size (iperf3's -l, net's message_size), streams, runtime and
# unmeasured ramp (iperf3's -O), and prints per pair and as the median over the
# pairs the throughput of each (sender side: iperf3's sum_sent, net's
# throughput_gbit, both bytes sent in the measured time) and the ratio net/iperf3.
# Target: ratio >= 0.95.
#
# Both servers are pinned with `taskset -c SERVER_CPUS` and both clients with
# `taskset -c CLIENT_CPUS` (default: servers on CPU 1, clients on CPU 0), so
# that each pair of processes competes for the same CPUs in the same way.
#
# Usage: bench/net_vs_iperf3.sh [-r PAIRS] [-t SECONDS] [-l SIZE] [-P PARALLEL] [-s CPUS] [-c CPUS] [BUILD_DIR]
#   BUILD_DIR    platbench build tree (default ./build)
#   -r PAIRS     A/B pairs (default 3)
#   -t SECONDS   measured time of each run (default 5)
#   -l SIZE      bytes per send, in iperf3's syntax: 128K, 1M, 1400 (default 128K)
#   -P PARALLEL  streams at once (default 1)
#   -s CPUS      CPUs of both servers, a taskset list (default 1)
#   -c CPUS      CPUs of both clients, a taskset list (default 0)
set -euo pipefail

pairs=3
seconds=5
size=128K
parallel=1
server_cpus=1
client_cpus=0
# Not measured, by either: TCP opens its window.
ramp=1

die() { echo "net_vs_iperf3: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while getopts "r:t:l:P:s:c:h" opt; do
    case "$opt" in
        r) pairs=$OPTARG ;;
        t) seconds=$OPTARG ;;
        l) size=$OPTARG ;;
        P) parallel=$OPTARG ;;
        s) server_cpus=$OPTARG ;;
        c) client_cpus=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
build=${1:-./build}

[[ $pairs =~ ^[1-9][0-9]*$ ]] || die "-r needs a positive whole number of pairs, not '$pairs'"
[[ $seconds =~ ^[1-9][0-9]*$ ]] || die "-t needs a positive whole number of seconds, not '$seconds'"
[[ $parallel =~ ^[1-9][0-9]*$ ]] || die "-P needs a positive whole number of streams, not '$parallel'"
[[ $size =~ ^([1-9][0-9]*)([KM]?)$ ]] || die "-l needs a size such as 128K, 1M or 1400, not '$size'"
case ${BASH_REMATCH[2]} in
    K) net_size="${BASH_REMATCH[1]}KiB" ;;
    M) net_size="${BASH_REMATCH[1]}MiB" ;;
    *) net_size="${BASH_REMATCH[1]}" ;;
esac
command -v iperf3 >/dev/null || die "iperf3 not found (Debian package: iperf3)"
command -v taskset >/dev/null || die "taskset not found (Debian package: util-linux)"
command -v python3 >/dev/null || die "python3 not found (Debian package: python3)"
runner="$build/bin/platbench-runner"
plugins="$build/lib/platbench/plugins"
[[ -x $runner ]] || die "$runner not found: build the targets platbench-runner and workload_net first"
[[ -f $plugins/workload_net.so ]] || die "$plugins/workload_net.so not found: build the target workload_net"
taskset -c "$server_cpus" true 2>/dev/null || die "-s $server_cpus: not CPUs this machine lets us use"
taskset -c "$client_cpus" true 2>/dev/null || die "-c $client_cpus: not CPUs this machine lets us use"

work=$(mktemp -d "${TMPDIR:-/tmp}/net-vs-iperf3.XXXXXX")
server=""
cleanup() {
    if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# A TCP port free on 127.0.0.1 now (the kernel's pick).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something listens on TCP 127.0.0.1:$1 (ss, not a connection:
# iperf3 -1 would count a probe as its one test).
wait_listening() {
    local port=$1
    for _ in $(seq 100); do
        ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
        sleep 0.05
    done
    die "no server listens on 127.0.0.1:$port after 5 s"
}

# One iperf3 run: its Gbit/s in $gbit. (The servers start in this shell, not in a
# command substitution, so that the exit trap can stop one left running.)
run_iperf3() {
    local port
    port=$(free_port)
    taskset -c "$server_cpus" iperf3 -s -B 127.0.0.1 -p "$port" -1 >/dev/null 2>&1 &
    server=$!
    wait_listening "$port"
    gbit=$(taskset -c "$client_cpus" iperf3 -c 127.0.0.1 -p "$port" -t "$seconds" -O "$ramp" -l "$size" -P "$parallel" -J |
        python3 -c '
import json, sys
report = json.load(sys.stdin)
if "error" in report:
    sys.exit("iperf3 failed: " + report["error"])
print(report["end"]["sum_sent"]["bits_per_second"] / 1e9)')
    wait "$server" || true
    server=""
}

# One net run: its Gbit/s in $gbit.
run_net() {
    local ready="$work/ready"
    rm -f "$ready"
    taskset -c "$server_cpus" "$runner" --plugin-dir "$plugins" --serve net --listen 127.0.0.1 --ready-file "$ready" \
        >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 100); do [[ -s $ready ]] && break; sleep 0.05; done
    [[ -s $ready ]] || die "the net peer did not start (run $runner --serve net --listen 127.0.0.1 by hand to see why)"
    gbit=$(taskset -c "$client_cpus" "$runner" --plugin-dir "$plugins" --workload net --peer "$(cat "$ready")" --format json \
        --param mode=tcp_stream --param runtime="$seconds" --param ramp_time="$ramp" --param message_size="$net_size" \
        --param parallel="$parallel" 2>/dev/null |
        python3 -c '
import json, sys
report = json.load(sys.stdin)
if not report["ok"]:
    sys.exit("net failed: " + report["error"])
print({m["name"]: m["value"] for m in report["metrics"]}["throughput_gbit"])')
    kill "$server"
    wait "$server" || true
    server=""
}

echo "loopback 127.0.0.1, send size $size, $parallel stream(s), ${seconds} s after a ${ramp} s ramp;" \
     "servers on CPUs $server_cpus, clients on CPUs $client_cpus (taskset)"
printf '%-5s %14s %14s %8s\n' pair iperf3_gbit net_gbit ratio
ratios=()
for ((pair = 1; pair <= pairs; ++pair)); do
    if ((pair % 2 == 1)); then
        run_iperf3; i=$gbit
        run_net; n=$gbit
    else
        run_net; n=$gbit
        run_iperf3; i=$gbit
    fi
    ratio=$(python3 -c 'import sys; print("%.3f" % (float(sys.argv[2]) / float(sys.argv[1])))' "$i" "$n")
    ratios+=("$ratio")
    printf '%-5s %14.2f %14.2f %8s\n' "$pair" "$i" "$n" "$ratio"
done
python3 -c '
import statistics, sys
med = statistics.median(map(float, sys.argv[1:]))
print("%-5s %14s %14s %8.3f  %s" % ("med", "", "", med, "meets targets" if med >= 0.95 else "BELOW TARGET"))' "${ratios[@]}"
