#!/usr/bin/env bash
# Fuzzes every parser's @FuzzTest for a bounded time (docs/reliability.md) and fails on a finding.
#   scripts/fuzz.sh [seconds-per-target] [target ...]     targets: module:Class#method (default: all below)
# Environment: FUZZ_SEED (libFuzzer's -seed, default 1; "random" for a new one each run), FUZZ_RUNS (at most this many
# inputs per target, default unlimited), FUZZ_FRESH=1 (start from the committed corpus only: the generated corpus of
# earlier local runs, <module>/.cifuzz-corpus, is deleted first, as in a fresh clone). With a fixed seed, a runs cap
# and a fresh corpus a run nearly repeats a local run with the same settings (not byte for byte: class loading and
# timing feed the coverage, so two runs of one target can part after a few thousand inputs).
# A finding is written by Jazzer into the target's inputs directory under src/test/resources, where it becomes a
# regression input of `mvn verify` once the parser is fixed. Inputs executed per target go to target/fuzz-summary.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(
    toolkit-crop:IoFuzzTest#safetensors
    toolkit-crop:IoFuzzTest#npy
    toolkit-crop:IoFuzzTest#image
    toolkit-train:TrainInputsFuzzTest#shardedIndex
    toolkit-train:TrainInputsFuzzTest#modelConfig
    toolkit-train:TrainInputsFuzzTest#tokenizer
    toolkit-train:TrainInputsFuzzTest#llavaRows
    toolkit-train:TrainInputsFuzzTest#runConfig
    toolkit-train:TrainInputsFuzzTest#checkpointManifest
    toolkit-eval:BenchmarkFuzzTest#pope
    toolkit-eval:BenchmarkFuzzTest#scienceQa
    toolkit-eval:BenchmarkFuzzTest#mmBench
    toolkit-eval:BenchmarkFuzzTest#seedBench
    toolkit-eval:BenchmarkFuzzTest#vqa
    notebooks/kernel:CellMagicFuzzTest#cellMagics
  )
fi
mkdir -p target
summary=target/fuzz-summary.txt
: > "$summary"
# Build and install once (test jars included: the targets share a helper in toolkit-crop's); each target then runs
# only its own fuzz test in its own module against the installed upstream modules, with no per-target reactor build.
# FUZZ_NO_INSTALL=1 skips it when the caller has just installed this checkout (.ci/run does).
if [ -z "${FUZZ_NO_INSTALL:-}" ]; then
  mvn -B -q -DskipTests install || exit 1
fi
seed="${FUZZ_SEED:-1}"
extra=()
n=2
if [ "$seed" != random ]; then extra+=("-Djazzer.internal.arg.$n=-seed=$seed"); n=$((n + 1)); fi
if [ -n "${FUZZ_RUNS:-}" ]; then extra+=("-Djazzer.internal.arg.$n=-runs=$FUZZ_RUNS"); n=$((n + 1)); fi
failed=0
for t in "${targets[@]}"; do
  module="${t%%:*}"
  test="${t#*:}"
  [ -n "${FUZZ_FRESH:-}" ] && rm -rf "$module/.cifuzz-corpus"
  log="target/fuzz-$(echo "$test" | tr '#' '-').log"
  start=$(date +%s)
  # One input running over 10 s is a finding (libFuzzer's -timeout); so is any exception but the parser's own.
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" mvn -B -o -pl "$module" test -Dtest="$test" \
      -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.hooks=true -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-timeout=10 \
      "${extra[@]}" > "$log" 2>&1
  rc=$?
  runs=$(grep -aoE 'Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  if [ $rc -eq 0 ]; then status=ok; else status=FINDING; failed=$((failed + 1)); fi
  line="$test: $status, ${runs:-?} inputs (seed $seed) in ${seconds} s ($(( $(date +%s) - start )) s with the build)"
  echo "$line" | tee -a "$summary"
  if [ $rc -ne 0 ]; then
    grep -aE 'Caused by|FuzzTestFinding|Test unit written|ERROR\]  ' "$log" | head -8
  fi
done
echo "fuzzing: ${#targets[@]} targets, $failed with findings (logs in target/fuzz-*.log)"
[ "$failed" -eq 0 ]
