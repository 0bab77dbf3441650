#!/usr/bin/env bash
# One-command set-up for a fresh Debian 12 machine:
#   scripts/setup.sh quick   install what is missing, build the product (not the tests), run configs/quick.yaml
#   scripts/setup.sh test    install what is missing, build, run the whole test suite, then
#                            build again with the sanitizers (clang) and run the unit tests
#                            and the fuzz harnesses' smoke tests there
#   scripts/setup.sh build   install what is missing and build
#   scripts/setup.sh daemons start dockerd, Podman's service and libvirtd when they do
#                            not answer (the daemon fault tests restart them with it)
# Needs root (or sudo) to install packages (apptainer included) and to start the
# Docker, Podman and libvirt daemons when none answers (no systemd is assumed). BUILD_DIR (default: build), JOBS (default: all CPUs) and
# DOCKERD_STORAGE_DRIVER (default: vfs, which works everywhere, nested containers
# and VMs included; overlay2 is faster to create containers), PODMAN_STORAGE_DRIVER
# (default: overlay; vfs where overlay mounts fail) and SANITIZE_BUILD_DIR
# (default: build-sanitize) may be set.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
SANITIZE_BUILD_DIR=${SANITIZE_BUILD_DIR:-build-sanitize}
JOBS=${JOBS:-$(nproc)}

# Everything comes from Debian's archive; nothing is downloaded at build time.
BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config ccache
  libboost-dev libboost-program-options-dev libboost-filesystem-dev
  libyaml-cpp-dev libtbb-dev doctest-dev nlohmann-json3-dev libsqlite3-dev libssl-dev
  liburing-dev libaio-dev libarchive-dev libvirt-dev liblzma-dev
  libopenblas-dev
)
# libopenblas-dev: the `linpack` workload's LU (OpenBLAS, which carries LAPACK).
# hpcc: the `hpcc` workload runs HPC Challenge, the reference of linpack and randomaccess.
# fio: the `fio` workload runs it (and the block I/O tests compare against it).
# docker.io: the `docker` platform's daemon (Engine API 1.41).
# podman runc catatonit: the `podman` platform's service. runc runs its containers
# (crun fails where the host has cgroup v1 beside a cgroup2 mount), and catatonit is
# the init a container with Init asks Podman for (Debian's podman recommends tini,
# which Podman does not take for it).
# qemu-system-x86 ... linux-image-amd64: the `kvm` platform's libvirtd, QEMU, and the
# kernel its VMs boot; e2fsprogs and qemu-utils make the VMs' disks.
# gnuplot-nox: `platbench report` draws its figures with it.
# iproute2: `ip`, with which network paths make their bridges, veths and namespaces.
RUN_PACKAGES=(fio hpcc docker.io podman runc catatonit qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients linux-image-amd64
  e2fsprogs gnuplot-nox iproute2)
# chromium: the report test renders report.html in a real (headless) browser.
# slurmctld slurmd slurm-client munge: the slurm executor's tests start a local
# two-node cluster (scripts/slurm-local-cluster.sh).
# clang, libclang-rt-14-dev: the sanitizer build and its fuzz harnesses (clang's
# AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer runtimes are in the latter).
TEST_PACKAGES=(python3 sqlite3 chromium slurmctld slurmd slurm-client munge clang libclang-rt-14-dev)

log() { printf '==> %s\n' "$*" >&2; }

# ccache (Debian's) keeps compiled objects across builds, a fresh clone's
# included: its key is the compiler, its options and the preprocessed source,
# so an entry is used only for the very same compilation and cannot change a
# result. Paths are hashed relative to the clone (CCACHE_BASEDIR, and the build
# writes paths relative to the sources: CMakeLists.txt), so another clone hits.
# CCACHE_DIR (default ~/.cache/ccache) and PLATBENCH_CCACHE=0 (off) may be set.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-4G}
compiler_launcher() {
  if [ "${PLATBENCH_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null; then
    echo "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache"
  else
    echo "-DCMAKE_CXX_COMPILER_LAUNCHER= -DCMAKE_C_COMPILER_LAUNCHER="
  fi
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else log "need root to run: $*"; exit 1
  fi
}

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  if [ "${#missing[@]}" -eq 0 ]; then
    log "all required packages are installed"
    return
  fi
  log "installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Waits up to $1 seconds for daemon $2 to answer the check $3; says how long it took.
wait_until_up() {
  local seconds=$1 name=$2 check=$3 waited
  for waited in $(seq 1 "$seconds"); do
    if "$check"; then log "$name is up after ${waited}s"; return 0; fi
    sleep 1
  done
  return 1
}

docker_answers() {
  timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# The docker platform needs a daemon; start one when none answers (no systemd is
# assumed). It has no bridge and no NAT: containers run without a network.
ensure_docker_daemon() {
  if docker_answers; then log "a Docker daemon answers"; return; fi
  if [ "$(id -u)" -ne 0 ]; then
    log "no Docker daemon answers and only root can start one here: docker runs will be skipped"
    return
  fi
  local log_file=/var/log/platbench-dockerd.log
  log "starting dockerd (storage driver ${DOCKERD_STORAGE_DRIVER:-vfs}; log: $log_file)"
  # From /: a daemon keeps its working directory for good, and what it starts
  # inherits it (Podman's conmon fails once it is deleted, a removed clone say).
  (cd / && exec setsid dockerd --storage-driver="${DOCKERD_STORAGE_DRIVER:-vfs}" \
    --iptables=false --ip-masq=false --bridge=none) </dev/null >"$log_file" 2>&1 &
  wait_until_up 60 dockerd docker_answers && return
  log "dockerd did not answer within 60 s; docker runs will fail. Last lines of $log_file:"
  tail -n 20 "$log_file" >&2 || true
}

# Podman's Docker-compatible service, where the podman platform looks first. Its
# images and containers live in platbench's own storage, so nothing clashes with
# what a user keeps in Podman's default one.
PODMAN_SOCKET=/run/podman/podman.sock
PODMAN_ROOT=/var/lib/platbench-podman
PODMAN_RUNROOT=/run/platbench-podman

podman_answers() {
  timeout 10 podman --remote --url "unix://$PODMAN_SOCKET" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# The podman platform needs the service; start it when none answers (no systemd is
# assumed): cgroupfs for the cgroups and a file for the events, which would otherwise
# go to systemd and its journal; runc (see RUN_PACKAGES); networks (none is used
# unless a platform asks) in a directory of its own. One storage per driver: Podman
# refuses storage made by another one.
ensure_podman_service() {
  if podman_answers; then log "Podman's service answers"; return; fi
  if [ "$(id -u)" -ne 0 ]; then
    log "Podman's service does not answer and only root can start it here: podman runs will be skipped"
    return
  fi
  local log_file=/var/log/platbench-podman.log driver=${PODMAN_STORAGE_DRIVER:-overlay}
  mkdir -p "$(dirname "$PODMAN_SOCKET")" "$PODMAN_ROOT/networks" "$PODMAN_RUNROOT"
  log "starting podman system service (storage driver $driver; log: $log_file)"
  # From / (see ensure_docker_daemon): conmon fails with "Failed to get working directory" otherwise.
  (cd / && exec setsid podman --root "$PODMAN_ROOT/$driver" --runroot "$PODMAN_RUNROOT" --storage-driver "$driver" \
    --cgroup-manager cgroupfs --events-backend file --runtime runc --network-config-dir "$PODMAN_ROOT/networks" \
    system service --time=0 "unix://$PODMAN_SOCKET") </dev/null >"$log_file" 2>&1 &
  wait_until_up 60 "podman system service" podman_answers && return
  log "Podman's service did not answer within 60 s; podman runs will be skipped. Last lines of $log_file:"
  tail -n 20 "$log_file" >&2 || true
}

libvirt_answers() {
  timeout 10 virsh -c qemu:///system version >/dev/null 2>&1
}

# The kvm platform needs libvirtd (and virtlogd, which keeps QEMU's logs); start
# them when libvirt does not answer.
ensure_libvirt_daemon() {
  if libvirt_answers; then log "libvirtd answers"; return; fi
  if [ "$(id -u)" -ne 0 ]; then
    log "libvirtd does not answer and only root can start it here: kvm runs will be skipped"
    return
  fi
  # libvirtd finds hugetlbfs mounts when it starts: mount one first, for `hugepages: true`.
  if ! grep -q ' hugetlbfs ' /proc/mounts; then
    mkdir -p /dev/hugepages && mount -t hugetlbfs hugetlbfs /dev/hugepages || log "cannot mount hugetlbfs"
  fi
  log "starting virtlogd and libvirtd"
  (cd / && virtlogd -d) || true
  (cd / && libvirtd -d) || true
  wait_until_up 30 libvirtd libvirt_answers && return
  log "libvirtd did not answer within 30 s; kvm runs will be skipped"
}

# The singularity platform needs apptainer, which Debian 12 does not package:
# scripts/install-apptainer.sh installs Debian's own from unstable (nothing when
# apptainer or singularity is already there, as on most HPC systems).
ensure_apptainer() {
  local tool
  for tool in apptainer singularity; do
    if command -v "$tool" >/dev/null && "$tool" --version >/dev/null 2>&1; then log "$tool is installed"; return; fi
  done
  (as_root scripts/install-apptainer.sh) || log "apptainer could not be installed; singularity runs will be skipped"
}

build() {
  log "configuring and building in $BUILD_DIR"
  # shellcheck disable=SC2046  # the launcher options are separate words
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(compiler_launcher) >/dev/null
  cmake --build "$BUILD_DIR" -j "$JOBS" "$@"
}

run_quick() {
  log "running configs/quick.yaml"
  "$BUILD_DIR/bin/platbench" run configs/quick.yaml
}

# Skipped tests note themselves here (tests/support/skip.hpp); the summary counts them.
SKIP_LOG="$PWD/$BUILD_DIR/skipped-tests.log"
JUNIT_FILES=()

# Runs one build tree's ctest, keeping its JUnit report for the summary. The
# status is returned, so that the summary is printed whatever happened.
run_ctest() {
  local tree=$1 junit="$PWD/$1/ctest-junit.xml"
  JUNIT_FILES+=("$junit")
  PLATBENCH_SKIP_LOG="$SKIP_LOG" ctest --test-dir "$tree" --output-on-failure -j "$JOBS" --output-junit "$junit"
}

run_tests() {
  log "running the test suite"
  rm -f "$SKIP_LOG"
  run_ctest "$BUILD_DIR"
}

# The last lines of the test command: the skips by reason, then
# "N passed, N failed, N skipped" over every stage that ran.
summarize_tests() {
  log "summary of the test suite"
  python3 scripts/test-summary.py "$SKIP_LOG" "${JUNIT_FILES[@]}"
}

# The same code built with AddressSanitizer + UndefinedBehaviorSanitizer (clang,
# cmake/PlatbenchSanitize.cmake), without the integration tests: the unit tests and
# a short run of each fuzz harness. The tests that need daemons or take minutes are
# left out by the build tree's CTestCustom.cmake, which says why for each.
sanitizer_build() {
  # shellcheck disable=SC2046  # the launcher options are separate words
  cmake -S . -B "$SANITIZE_BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
    -DPLATBENCH_SANITIZE=ON -DPLATBENCH_FUZZ=ON $(compiler_launcher) && cmake --build "$SANITIZE_BUILD_DIR" -j "$JOBS"
}

# The sanitizer build is made while the product's suite runs, at the lowest CPU
# priority (nice 19): the suite spends much of its time waiting for VMs, containers
# and daemons, and the build takes only the CPU the tests leave. Its output goes to
# a log, shown when it fails.
start_sanitizer_build() {
  mkdir -p "$SANITIZE_BUILD_DIR"
  SANITIZE_BUILD_LOG="$PWD/$SANITIZE_BUILD_DIR/build.log"
  log "building the sanitizer build in $SANITIZE_BUILD_DIR beside the tests (nice 19; log: $SANITIZE_BUILD_LOG)"
  ( renice -n 19 -p "$BASHPID" >/dev/null; sanitizer_build ) >"$SANITIZE_BUILD_LOG" 2>&1 &
  SANITIZE_BUILD_PID=$!
}

finish_sanitizer_build() {
  log "waiting for the sanitizer build"
  if ! wait "$SANITIZE_BUILD_PID"; then
    log "the sanitizer build failed; the end of its log:"
    tail -n 60 "$SANITIZE_BUILD_LOG" >&2
    return 1
  fi
  log "the sanitizer build is done: $(tail -n 1 "$SANITIZE_BUILD_LOG")"
}

sanitizer_tests() {
  log "running the unit tests and the fuzz smoke tests under the sanitizers"
  run_ctest "$SANITIZE_BUILD_DIR"
}

# The whole test command: the product's suite (the sanitizer build made beside it),
# then the sanitizer stage's tests; the summary comes last whatever failed, and the
# exit status says whether all passed.
test_command() {
  local status=0
  build
  start_sanitizer_build
  run_tests || status=$?
  finish_sanitizer_build || status=1
  if [ "$status" -eq 0 ]; then sanitizer_tests || status=$?; fi
  summarize_tests || status=1
  return "$status"
}

case "${1:-}" in
  quick) install_packages "${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}"; ensure_docker_daemon; ensure_podman_service
         ensure_libvirt_daemon; ensure_apptainer; build --target product; run_quick ;;
  test)  install_packages "${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"; ensure_docker_daemon
         ensure_podman_service; ensure_libvirt_daemon; ensure_apptainer; test_command ;;
  build) install_packages "${BUILD_PACKAGES[@]}"; build ;;
  daemons) ensure_docker_daemon; ensure_podman_service; ensure_libvirt_daemon ;;
  *) echo "usage: $0 quick|test|build|daemons" >&2; exit 2 ;;
esac
