#!/usr/bin/env bash
# Questions/s of one evaluation in one process (Evaluator, as `infllava eval`) and on Spark in local mode with 1 and
# 2 executor threads, same random model and POPE file, rounds interleaved (toolkit-spark's SparkEvalBench; numbers in
# docs/benchmarks.md). Usage: bench/spark_eval.sh [questions=32] [max-new-tokens=8] [rounds=3]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$here" && mvn -B -q -DskipTests package -pl toolkit-spark -am)
opens="-XX:+IgnoreUnrecognizedVMOptions -Djdk.reflect.useDirectMethodHandle=false"
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
    java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  opens="$opens --add-opens=java.base/$p=ALL-UNNAMED"
done
t="$here/toolkit-spark/target"
DJL_CACHE_DIR="${DJL_CACHE_DIR:-$here/target/djl-cache}" exec java $opens -Xmx3g -Djava.awt.headless=true \
  -Dai.djl.offline=true -Dlog4j2.configurationFile="$here/toolkit-spark/conf/log4j2.properties" \
  -cp "$t/test-classes:$t/toolkit-spark.jar:$(cat "$t/classpath.txt")" org.infllava.spark.SparkEvalBench "$@"
