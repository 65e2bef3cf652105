#!/usr/bin/env bash
# Kills `infllava train` with SIGKILL at random moments (half of them inside checkpoint writes) and resumes it each
# time; every resumed run must end with the uninterrupted run's loss curve and weights, bit for bit
# (toolkit-cli CrashConsistencyTest, docs/reliability.md).
#   scripts/crash-consistency.sh [trials] [seed]      default: 20 SIGKILLs
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-20}"
seed="${2:-18}"
mvn -B -q -pl toolkit-cli -am test -Dtest=CrashConsistencyTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dinfllava.crash.trials="$trials" -Dinfllava.crash.seed="$seed"
grep -h 'crash consistency:' toolkit-cli/target/surefire-reports/*CrashConsistencyTest*-output.txt 2>/dev/null || true
