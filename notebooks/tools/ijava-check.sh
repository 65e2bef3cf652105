#!/usr/bin/env bash
# Runs every notebook under the real IJava 1.3.0 kernel, twice: on a cold Ivy cache, then on the warm one.
#
#   IJAVA_SRC=/path/to/IJava notebooks/tools/ijava-check.sh [NOTEBOOK.ipynb ...]
#
# IJAVA_SRC: a checkout of https://github.com/SpencerPark/IJava at v1.3.0 (never committed here). The script
#   1. resolves IJava's own dependencies with Maven (notebooks/tools/ijava-deps/pom.xml: jupyter-jvm-basekernel 2.3.0,
#      ivy 2.5.0-rc1, maven-model-builder 3.6.0 and what they bring, gson 2.8.5 among them),
#   2. compiles IJava's sources with javac and packs them with those libraries into one ijava-1.3.0.jar, as IJava's
#      Gradle build does, and
#   3. installs that kernel ("java", argv: java -jar ijava-1.3.0.jar {connection_file}, as IJava's installer writes it)
#      in a temporary Jupyter data directory,
#   4. runs the notebooks (default notebooks/*.ipynb) with notebooks/tools/run_notebooks.py: once with an empty Ivy
#      cache, once more with the cache the first pass left, printing per notebook "ok" or its first failing cell.
# The notebooks load the toolkit with `%maven org.infllava:toolkit-notebook:<version>`: IJava's Ivy looks in Maven
# Central, then in the local Maven repository, so `mvn -B install -DskipTests` must have run first.
#
# Environment:
#   M2_REPO          the local Maven repository holding the notebook artifact (default ~/.m2/repository). IJava
#                    reads ~/.m2/repository only (it does not apply settings.xml's localRepository): the kernel gets
#                    a temporary user.home whose .m2/repository links to M2_REPO and whose .ivy2 is the Ivy cache
#                    under test, so the user's own ~/.ivy2 is neither used nor touched.
#   IJAVA_WORK       the work directory (default: a new one under ${TMPDIR:-/tmp}); kept afterwards for inspection:
#                    out-cold/ and out-warm/ hold the executed notebooks.
#   INFLLAVA_NB_CI   passed to the notebooks (default 1: their small CI sizes; set it empty for full sizes).
#   DJL_CACHE_DIR    where DJL extracts the PyTorch natives (default target/djl-cache of this checkout).
#   NB_CELL_TIMEOUT  seconds a cell may run (default 600, as CI; raise it on a busy machine).
# Exit status: 0 when every notebook passed both times, 1 when one failed, 2 for bad usage.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"

if [ -z "${IJAVA_SRC:-}" ] || [ ! -f "${IJAVA_SRC}/src/main/java/io/github/spencerpark/ijava/IJava.java" ]; then
  echo "ijava-check: set IJAVA_SRC to a checkout of SpencerPark/IJava v1.3.0 (no src/main/java/io/github/spencerpark/ijava/IJava.java under '${IJAVA_SRC:-}')" >&2
  exit 2
fi
IJAVA_SRC="$(cd "$IJAVA_SRC" && pwd)"
version=$(sed -n "s/^version = '\(.*\)'/\1/p" "$IJAVA_SRC/build.gradle")
[ "$version" = "1.3.0" ] || echo "ijava-check: warning: IJAVA_SRC is IJava '$version', this check is written for 1.3.0" >&2
M2_REPO="${M2_REPO:-$HOME/.m2/repository}"
[ -d "$M2_REPO" ] || { echo "ijava-check: M2_REPO $M2_REPO is not a directory" >&2; exit 2; }
M2_REPO="$(cd "$M2_REPO" && pwd)"
WORK="${IJAVA_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/ijava-check.XXXXXX")}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
export INFLLAVA_NB_CI="${INFLLAVA_NB_CI-1}"
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$ROOT/target/djl-cache}"
if [ $# -gt 0 ]; then notebooks=("$@"); else notebooks=("$ROOT"/notebooks/*.ipynb); fi
echo "ijava-check: IJava $version from $IJAVA_SRC; local Maven repository $M2_REPO; work directory $WORK"

# 1. IJava's dependencies, in Maven's order (gson 2.8.5 first).
mvn -B -q -f "$ROOT/notebooks/tools/ijava-deps/pom.xml" -Dmaven.repo.local="$M2_REPO" \
    dependency:build-classpath -Dmdep.outputFile="$WORK/deps.txt" >/dev/null
deps="$(cat "$WORK/deps.txt")"

# 2. Compile and pack: IJava's classes and resources (with Gradle's @version@/@project@ tokens filled in), then the
#    dependencies' contents; a name already present is kept, as in the first jar of a class path.
rm -rf "$WORK/classes" "$WORK/kernel"
mkdir -p "$WORK/classes" "$WORK/kernel"
find "$IJAVA_SRC/src/main/java" -name '*.java' > "$WORK/sources.txt"
javac -nowarn -encoding UTF-8 --release 11 -cp "$deps" -d "$WORK/classes" @"$WORK/sources.txt" 2>&1 \
  | grep -v '^Note:' || true
[ -f "$WORK/classes/io/github/spencerpark/ijava/IJava.class" ] || { echo "ijava-check: javac failed" >&2; exit 1; }
(cd "$IJAVA_SRC/src/main/resources" && find . -type f) | while read -r f; do
  mkdir -p "$WORK/classes/$(dirname "$f")"
  sed -e "s/@version@/$version/g" -e "s/@project@/IJava/g" "$IJAVA_SRC/src/main/resources/$f" > "$WORK/classes/$f"
done
IFS=':' read -r -a dep_jars <<< "$deps"
for jar in "${dep_jars[@]}"; do
  unzip -q -n "$jar" -d "$WORK/classes"
done
rm -f "$WORK/classes"/META-INF/*.SF "$WORK/classes"/META-INF/*.DSA "$WORK/classes"/META-INF/*.RSA \
      "$WORK/classes/META-INF/MANIFEST.MF"
IJAVA_JAR="$WORK/kernel/ijava-$version.jar"
jar --create --file "$IJAVA_JAR" --main-class io.github.spencerpark.ijava.IJava -C "$WORK/classes" .
echo "ijava-check: built $IJAVA_JAR ($(du -h "$IJAVA_JAR" | cut -f1))"

# 3. The kernel spec, in a Jupyter data directory of its own; user.home points at a home with the Ivy cache.
export JUPYTER_DATA_DIR="$WORK/jupyter"
mkdir -p "$JUPYTER_DATA_DIR/kernels/java" "$WORK/home/.m2"
ln -sfn "$M2_REPO" "$WORK/home/.m2/repository"
/usr/bin/python3 - "$JUPYTER_DATA_DIR/kernels/java/kernel.json" "$IJAVA_JAR" "$WORK/home" <<'PY'
import json, sys
path, jar, home = sys.argv[1:]
json.dump({"argv": ["java", "-Duser.home=" + home, "-jar", jar, "{connection_file}"],
           "display_name": "Java (IJava 1.3.0, ijava-check)", "language": "java", "interrupt_mode": "message",
           "env": {}}, open(path, "w"), indent=2)
PY

# 4. Cold, then warm Ivy cache.
rm -rf "$WORK/home/.ivy2"
status=0
for pass in cold warm; do
  echo "ijava-check: $pass Ivy cache ($WORK/home/.ivy2)"
  /usr/bin/python3 "$ROOT/notebooks/tools/run_notebooks.py" --kernel java --label "IJava $version, $pass" \
      --timeout "${NB_CELL_TIMEOUT:-600}" \
      --out "$WORK/out-$pass" --expect 00-kernel-smoke.ipynb=image/png,text/html "${notebooks[@]}" || status=1
done
echo "ijava-check: $([ $status -eq 0 ] && echo "every notebook passed on a cold and a warm Ivy cache" || echo FAILED); executed copies under $WORK/out-cold and $WORK/out-warm"
exit $status
