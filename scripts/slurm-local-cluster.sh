#!/usr/bin/env bash
# A Slurm cluster on this one machine, for the `slurm` executor's tests and for
# trying it out: munged, slurmctld and two slurmd "nodes" (n1, n2), all on
# loopback, without systemd. Its configuration lives in DIR, never in /etc/slurm,
# so a real cluster's configuration on the machine is not touched.
#
#   scripts/slurm-local-cluster.sh start DIR   write DIR/slurm.conf, start the daemons
#   scripts/slurm-local-cluster.sh stop DIR    stop the daemons started from DIR
#   scripts/slurm-local-cluster.sh status DIR  print sinfo
#
# Clients find the cluster through SLURM_CONF=DIR/slurm.conf (printed by start).
# Needs root, munge and Slurm (Debian 12: slurmctld slurmd slurm-client munge).
# NODE_CPUS (default: all CPUs) and NODE_MEMORY_MB (default 2048) size each node.
set -euo pipefail

log() { printf '==> %s\n' "$*" >&2; }

write_config() {
  local dir=$1 cpus=${NODE_CPUS:-$(nproc)} memory=${NODE_MEMORY_MB:-2048}
  install -d -o slurm -g slurm -m 0755 "$dir" "$dir/state" "$dir/spool" "$dir/log"
  # slurmctld runs as the slurm user: every directory above DIR must let it through.
  if ! runuser -u slurm -- test -w "$dir/state"; then
    log "the slurm user cannot write $dir/state: a directory above it is private (chmod o+x it, or use another DIR)"
    exit 1
  fi
  cat >"$dir/cgroup.conf" <<EOF
CgroupPlugin=autodetect
ConstrainCores=yes
ConstrainRAMSpace=yes
EOF
  # DefMemPerCPU: without it each job takes the whole node's memory. The
  # scheduler settings make jobs start within a second instead of several.
  cat >"$dir/slurm.conf" <<EOF
ClusterName=platbench-local
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
CredType=cred/munge
SlurmUser=slurm
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmctldPidFile=$dir/slurmctld.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdSpoolDir=$dir/spool/%n
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmdLogFile=$dir/log/slurmd-%n.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$((memory / cpus))
SchedulerParameters=batch_sched_delay=0,sched_interval=1,bf_interval=1
# A node whose slurmd was killed (the tests' "node fails") serves again as soon as its
# slurmd registers, instead of staying DOWN until an administrator resumes it.
ReturnToService=2
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmdTimeout=10
InactiveLimit=0
KillWait=5
NodeName=n[1-2] NodeHostname=localhost NodeAddr=127.0.0.1 Port=[6821-6822] CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=n[1-2] Default=YES MaxTime=INFINITE State=UP
EOF
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_munge() {
  if [ -S /run/munge/munge.socket.2 ] && pgrep -x munged >/dev/null; then return; fi
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged
}

# Both nodes answer and take jobs: idle, or still finishing or running jobs of an
# earlier test (mix, alloc, comp); a '*' after the state means not responding.
wait_for_nodes() {
  local dir=$1 i states
  for i in $(seq 1 120); do
    states=$(SLURM_CONF=$dir/slurm.conf timeout 5 sinfo -h -N -o '%t' 2>/dev/null || true)
    if [ "$(grep -c -E '^(idle|mix|alloc|comp)$' <<<"$states")" = 2 ]; then
      log "two nodes up after ${i}x0.5 s"
      return 0
    fi
    sleep 0.5
  done
  log "the nodes did not come up within 60 s (states: $(tr '\n' ' ' <<<"$states")); see $dir/log"
  return 1
}

start() {
  local dir=$1
  write_config "$dir"
  start_munge
  pid_alive "$dir/slurmctld.pid" || /usr/sbin/slurmctld -f "$dir/slurm.conf"
  local node
  for node in n1 n2; do
    pid_alive "$dir/slurmd-$node.pid" || /usr/sbin/slurmd -f "$dir/slurm.conf" -N "$node"
  done
  if ! wait_for_nodes "$dir"; then
    stop "$dir"
    exit 1
  fi
  echo "SLURM_CONF=$dir/slurm.conf"
}

# By pid file, never by name: other Slurm daemons on the machine are not ours.
stop() {
  local dir=$1 pidfile pids=() i
  for pidfile in "$dir"/slurmd-*.pid "$dir/slurmctld.pid"; do
    if pid_alive "$pidfile"; then pids+=("$(cat "$pidfile")"); kill "${pids[-1]}"; fi
  done
  # Wait for them to go: a cluster started next reuses their ports.
  for i in $(seq 1 100); do
    local alive=0 pid
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  log "the daemons did not stop within 10 s: ${pids[*]}"
  return 1
}

[ $# -eq 2 ] || { echo "usage: $0 start|stop|status DIR" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { log "needs root (slurmd runs jobs as their users)"; exit 1; }
dir=$(realpath -m "$2")
case "$1" in
  start) start "$dir" ;;
  stop) stop "$dir" ;;
  status) SLURM_CONF=$dir/slurm.conf sinfo -N ;;
  *) echo "usage: $0 start|stop|status DIR" >&2; exit 2 ;;
esac
