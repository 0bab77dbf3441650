#!/usr/bin/env bash
# Fuzzes the parsers of untrusted text with libFuzzer, one harness after the other:
#   config          experiment files into the loader (tests/fuzz/fuzz_experiment_loader.cpp)
#   runner_output   runner/console output into the result-line decoder (tests/fuzz/fuzz_runner_output.cpp)
# Usage: bench/fuzz.sh [--seconds N | --runs N] [--seed S] [--build-dir DIR] [--work-dir DIR] [--no-build] [config|runner_output|all]
#   --seconds N     fuzzing time per harness (default 300), after every seed is replayed
#   --runs N        instead: exactly N inputs after the seeds, with --seed S (default 1): the
#                   same inputs every time, as CTest's smoke tests run them
#   --build-dir     the sanitizer build (default build-sanitize; configured with clang when missing)
#   --work-dir      where each harness's corpus, log and findings go (default BUILD_DIR/fuzz);
#                   WORK_DIR/<harness>/ is emptied at the start of its run
#   --no-build      use the harnesses as built (CTest's smoke tests)
# Each run starts from the seeds in tests/fuzz/corpus/<harness>/ and writes what it
# adds to WORK_DIR/<harness>/corpus, never to the source tree. It prints the
# executions, the corpus and coverage reached, and "no crash, leak or hang", or the
# path of the input that failed (copy it to the seed corpus once the bug is fixed).
# Exit status: 0 when no harness found anything, 1 otherwise, 2 for a usage error.
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/.." && pwd)
seconds=300
runs=
seed=
build_dir=build-sanitize
work_dir=
build=yes
targets=()
usage() { sed -n '5,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --seed) seed=${2:?}; shift 2 ;;
    --build-dir) build_dir=${2:?}; shift 2 ;;
    --work-dir) work_dir=${2:?}; shift 2 ;;
    --no-build) build=no; shift ;;
    config|runner_output) targets+=("$1"); shift ;;
    all) targets+=(config runner_output); shift ;;
    *) usage ;;
  esac
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage
[ -z "$runs" ] || [[ "$runs" =~ ^[1-9][0-9]*$ ]] || usage
[ -z "$seed" ] || [[ "$seed" =~ ^[1-9][0-9]*$ ]] || usage
# How long, or how many inputs: a fixed count with a fixed seed repeats itself exactly
# (a smoke test must not fail on a random new finding; open-ended fuzzing finds them).
# libFuzzer counts the seeds it replays among its runs: a harness's budget adds them.
budget_for() {
  local seeds=$1
  if [ -n "$runs" ]; then
    budget=(-runs="$(( runs + seeds ))" -seed="${seed:-1}")
    budget_text="$runs inputs after the $seeds seeds, seed ${seed:-1}"
  else
    budget=(-max_total_time="$seconds")
    [ -z "$seed" ] || budget+=(-seed="$seed")
    budget_text="$seconds s"
  fi
}
[ "${#targets[@]}" -gt 0 ] || targets=(config runner_output)
build_dir=$(realpath -m "$build_dir")
work_dir=$(realpath -m "${work_dir:-$build_dir/fuzz}")

harness_of() {
  case "$1" in
    config) echo fuzz_experiment_loader ;;
    runner_output) echo fuzz_runner_output ;;
  esac
}

if [ "$build" = yes ]; then
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
      -DPLATBENCH_SANITIZE=ON -DPLATBENCH_FUZZ=ON >/dev/null
  fi
  harnesses=()
  for target in "${targets[@]}"; do harnesses+=("$(harness_of "$target")"); done
  cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" --target "${harnesses[@]}"
fi

# A figure from libFuzzer's final statistics ("stat::<name>: <value>").
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

# UndefinedBehaviorSanitizer prints no stack trace unless asked.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# LeakSanitizer dies scanning dynamic TLS once a plugin has loaded oneTBB: the
# sanitizer build's tests/sanitizers/CTestCustom.cmake.in says why.
export ASAN_OPTIONS=${ASAN_OPTIONS:-intercept_tls_get_addr=0}

found=0
for target in "${targets[@]}"; do
  harness="$build_dir/bin/$(harness_of "$target")"
  [ -x "$harness" ] || { echo "$harness is missing: build it (see --build-dir)" >&2; exit 2; }
  dir="$work_dir/$target"
  rm -rf "$dir"
  mkdir -p "$dir/corpus"
  dictionary=()
  [ -f "$source_dir/tests/fuzz/$target.dict" ] && dictionary=(-dict="$source_dir/tests/fuzz/$target.dict")
  log="$dir/fuzz.log"
  seeds=$(find "$source_dir/tests/fuzz/corpus/$target" -type f | wc -l)
  budget_for "$seeds"
  echo "$target: fuzzing for $budget_text (log: $log)"
  # -timeout: one input taking this long is a hang; -rss_limit_mb: libFuzzer's
  # default, said out loud. New inputs go to the first corpus directory only.
  status=0
  "$harness" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/" "${dictionary[@]}" "$dir/corpus" "$source_dir/tests/fuzz/corpus/$target" \
    >"$log" 2>&1 || status=$?
  executions=$(final_stat number_of_executed_units "$log")
  rate=$(final_stat average_exec_per_sec "$log")
  coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1 || true)
  added=$(find "$dir/corpus" -type f | wc -l)
  echo "$target: ${executions:-?} executions (${rate:-?}/s), corpus $seeds seeds + $added new inputs, ${coverage:-no coverage figures}, peak RSS $(final_stat peak_rss_mb "$log") MB"
  if [ "$status" -eq 0 ]; then
    echo "$target: no crash, leak or hang"
    continue
  fi
  found=1
  finding=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  reason=$(grep -m 1 -E '^==[0-9]+==ERROR|^SUMMARY|deadly signal|ALARM|out-of-memory|fuzz_[a-z_]+: ' "$log" || true)
  echo "$target: FOUND (exit status $status): ${reason:-see the log}"
  echo "$target: input: ${finding:-none written}; reproduce with: $harness ${finding:-<input>}"
  tail -n 40 "$log" >&2
done
exit "$found"
