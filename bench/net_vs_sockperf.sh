#!/usr/bin/env bash
# Compares platbench's net workload (mode=udp_rr) with sockperf's UDP ping-pong on loopback.
#
# Runs, alternately (sockperf first in odd pairs, net first in even pairs), PAIRS
# pairs of:
#   sockperf `sockperf server -i 127.0.0.1 -p PORT` and
#            `sockperf ping-pong -i 127.0.0.1 -p PORT -t SECONDS -m SIZE --full-rtt`
#   net      `platbench-runner --serve net --listen 127.0.0.1 --ready-file F` and
#            `platbench-runner --workload net --peer ADDRESS:PORT --param mode=udp_rr
#             --param runtime=SECONDS --param request_size=SIZE --param response_size=SIZE`
# one datagram in flight, SIZE bytes each way (sockperf's -m counts its own
# header, net's sizes count its 16-byte header: both are the whole UDP payload),
# and prints per pair and as the median over the pairs the ratios net/sockperf of:
#   mean     mean round trip
#   p50      median round trip
#   rate     transactions (round trips) per second
# Targets: mean and p50 within 5% (<= 1.05), rate >= 0.95.
#
# Round trips on both sides: sockperf reports half the round trip ("latency")
# unless given --full-rtt, which it is here; net's lat_* are whole round trips,
# send of the request to receipt of the response, by CLOCK_MONOTONIC. sockperf's
# rate is ReceivedMessages over RunTime of its "[Valid Duration]" line (after its
# own warm-up); net's is transactions_per_s, after a ramp of RAMP seconds.
#
# Both servers are pinned with `taskset -c SERVER_CPUS` and both clients with
# `taskset -c CLIENT_CPUS` (default: servers on CPU 1, clients on CPU 0).
#
# Usage: bench/net_vs_sockperf.sh [-r PAIRS] [-t SECONDS] [-m SIZE] [-s CPUS] [-c CPUS] [BUILD_DIR]
#   BUILD_DIR    platbench build tree (default ./build)
#   -r PAIRS     A/B pairs (default 3)
#   -t SECONDS   measured time of each run (default 5)
#   -m SIZE      bytes of each datagram, 16 to 65507 (default 64)
#   -s CPUS      CPUs of both servers, a taskset list (default 1)
#   -c CPUS      CPUs of both clients, a taskset list (default 0)
set -euo pipefail

pairs=3
seconds=5
size=64
server_cpus=1
client_cpus=0
# net's unmeasured start; sockperf has its own warm-up.
ramp=1

die() { echo "net_vs_sockperf: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while getopts "r:t:m:s:c:h" opt; do
    case "$opt" in
        r) pairs=$OPTARG ;;
        t) seconds=$OPTARG ;;
        m) size=$OPTARG ;;
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
[[ $size =~ ^[1-9][0-9]*$ ]] && ((size >= 16 && size <= 65507)) || die "-m needs 16 to 65507 bytes, not '$size'"
command -v sockperf >/dev/null || die "sockperf not found (Debian package: sockperf)"
command -v taskset >/dev/null || die "taskset not found (Debian package: util-linux)"
command -v python3 >/dev/null || die "python3 not found (Debian package: python3)"
runner="$build/bin/platbench-runner"
plugins="$build/lib/platbench/plugins"
[[ -x $runner ]] || die "$runner not found: build the targets platbench-runner and workload_net first"
[[ -f $plugins/workload_net.so ]] || die "$plugins/workload_net.so not found: build the target workload_net"
taskset -c "$server_cpus" true 2>/dev/null || die "-s $server_cpus: not CPUs this machine lets us use"
taskset -c "$client_cpus" true 2>/dev/null || die "-c $client_cpus: not CPUs this machine lets us use"

work=$(mktemp -d "${TMPDIR:-/tmp}/net-vs-sockperf.XXXXXX")
server=""
stop_server() {
    if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    server=""
}
cleanup() {
    stop_server
    rm -rf "$work"
}
trap cleanup EXIT

# A UDP port free on 127.0.0.1 now (the kernel's pick).
free_port() {
    python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# One sockperf run: "mean p50 rate" in $figures. (The servers start in this
# shell, not in a command substitution, so that the exit trap can stop one.)
run_sockperf() {
    local port
    port=$(free_port)
    taskset -c "$server_cpus" sockperf server -i 127.0.0.1 -p "$port" >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 100); do
        ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && break
        sleep 0.05
    done
    figures=$(taskset -c "$client_cpus" sockperf ping-pong -i 127.0.0.1 -p "$port" -t "$seconds" -m "$size" --full-rtt \
        2>&1 | python3 -c '
import re, sys
text = re.sub(r"\x1b\[[0-9;]*m", "", sys.stdin.read())
def find(pattern):
    found = re.search(pattern, text)
    if not found:
        sys.exit("sockperf printed no " + pattern + ":\n" + text)
    return found.groups()
runtime, received = find(r"\[Valid Duration\] RunTime=([0-9.]+) sec; SentMessages=\d+; ReceivedMessages=(\d+)")
mean, = find(r"avg-rtt=([0-9.]+)")
p50, = find(r"percentile 50\.000 =\s*([0-9.]+)")
print(mean, p50, int(received) / float(runtime))')
    stop_server
}

# One net run: "mean p50 rate" in $figures.
run_net() {
    local ready="$work/ready"
    rm -f "$ready"
    taskset -c "$server_cpus" "$runner" --plugin-dir "$plugins" --serve net --listen 127.0.0.1 --ready-file "$ready" \
        >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 100); do [[ -s $ready ]] && break; sleep 0.05; done
    [[ -s $ready ]] || die "the net peer did not start (run $runner --serve net --listen 127.0.0.1 by hand to see why)"
    figures=$(taskset -c "$client_cpus" "$runner" --plugin-dir "$plugins" --workload net --peer "$(cat "$ready")" \
        --format json --param mode=udp_rr --param runtime="$seconds" --param ramp_time="$ramp" \
        --param request_size="$size" --param response_size="$size" 2>/dev/null |
        python3 -c '
import json, sys
report = json.load(sys.stdin)
if not report["ok"]:
    sys.exit("net failed: " + report["error"])
m = {x["name"]: x["value"] for x in report["metrics"]}
print(m["lat_mean"], m["lat_p50"], m["transactions_per_s"])')
    stop_server
}

echo "loopback 127.0.0.1, UDP, $size bytes each way, one in flight, ${seconds} s; round trips in us;" \
     "servers on CPUs $server_cpus, clients on CPUs $client_cpus (taskset)"
printf '%-5s %10s %10s %10s %10s %12s %12s %8s %8s %8s\n' pair sp_mean net_mean sp_p50 net_p50 sp_rate net_rate \
    mean p50 rate
ratios=()
for ((pair = 1; pair <= pairs; ++pair)); do
    if ((pair % 2 == 1)); then
        run_sockperf; s=$figures
        run_net; n=$figures
    else
        run_net; n=$figures
        run_sockperf; s=$figures
    fi
    read -r s_mean s_p50 s_rate <<<"$s"
    read -r n_mean n_p50 n_rate <<<"$n"
    ratio=$(python3 -c 'import sys; a = list(map(float, sys.argv[1:]))
print("%.3f %.3f %.3f" % (a[3] / a[0], a[4] / a[1], a[5] / a[2]))' $s_mean $s_p50 $s_rate $n_mean $n_p50 $n_rate)
    ratios+=("$ratio")
    printf '%-5s %10.2f %10.2f %10.2f %10.2f %12.0f %12.0f %8s %8s %8s\n' "$pair" "$s_mean" "$n_mean" "$s_p50" "$n_p50" \
        "$s_rate" "$n_rate" $ratio
done
python3 -c '
import statistics, sys
rows = [list(map(float, r.split())) for r in sys.argv[1:]]
med = [statistics.median(col) for col in zip(*rows)]
ok = med[0] <= 1.05 and med[1] <= 1.05 and med[2] >= 0.95
print("%-5s %10s %10s %10s %10s %12s %12s %8.3f %8.3f %8.3f  %s" % ("med", "", "", "", "", "", "", med[0], med[1], med[2],
      "meets targets" if ok else "BELOW TARGET"))' "${ratios[@]}"
