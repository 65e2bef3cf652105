#!/usr/bin/env bash
# Installs the "IJava layout" kernel spec: the bundled kernel (toolkit-kernel) started the way IJava 1.3.0 starts,
#
#   JUPYTER_DATA_DIR=DIR notebooks/tools/ijava-layout.sh      # writes DIR/kernels/java/kernel.json
#
# with IJava's own dependency set on the system class path (notebooks/tools/ijava-deps/pom.xml:
# jupyter-jvm-basekernel 2.3.0, ivy 2.5.0-rc1, maven-model-builder 3.6.0 and what they bring: gson 2.8.5 first,
# commons-lang3 3.8.1, plexus-utils 3.1.0, maven-model 3.6.0, ...), then the kernel's jar and its own libraries, and
# none of the toolkit: notebooks get it only through `%maven org.infllava:toolkit-notebook:...`, as under IJava. A
# toolkit library that is not relocated and clashes with one of IJava's, or a notebook that uses a transitive library
# directly, then fails here as it would under IJava. .ci/run runs every notebook on it (CI cannot fetch IJava itself;
# notebooks/tools/ijava-check.sh runs the real one). No JVM options, as IJava's kernel.json has none; DJL_CACHE_DIR
# (default target/djl-cache) goes into the spec's env.
#
# Needs notebooks/kernel/target/toolkit-kernel-*.jar (mvn package or install) and Maven for the class paths; extra
# Maven options (e.g. -o, -Dmaven.repo.local=...) come from MVN_ARGS.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
: "${JUPYTER_DATA_DIR:?set JUPYTER_DATA_DIR to the Jupyter data directory to install the kernel spec in}"
OUT="$ROOT/target/ijava-layout"
mkdir -p "$OUT"
read -r -a mvn_args <<< "${MVN_ARGS:-}"
mvn -B -q "${mvn_args[@]}" -f "$ROOT/notebooks/tools/ijava-deps/pom.xml" dependency:build-classpath \
    -Dmdep.outputFile="$OUT/ijava.cp" >/dev/null
mvn -B -q "${mvn_args[@]}" -f "$ROOT/pom.xml" -pl notebooks/kernel dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUT/kernel.cp" >/dev/null
kernel_jar=$(ls "$ROOT"/notebooks/kernel/target/toolkit-kernel-*.jar 2>/dev/null | grep -v -- '-tests.jar' | head -1 || true)
[ -n "$kernel_jar" ] || { echo "ijava-layout: no notebooks/kernel/target/toolkit-kernel-*.jar; run mvn install first" >&2; exit 1; }
cp="$(cat "$OUT/ijava.cp"):$kernel_jar:$(cat "$OUT/kernel.cp")"
case "$cp" in */gson-2.8.5.jar:*) ;; *) echo "ijava-layout: gson 2.8.5 does not lead the class path: $cp" >&2; exit 1 ;; esac
mkdir -p "$JUPYTER_DATA_DIR/kernels/java"
/usr/bin/python3 - "$JUPYTER_DATA_DIR/kernels/java/kernel.json" "$cp" "${DJL_CACHE_DIR:-$ROOT/target/djl-cache}" <<'PY'
import json, sys
path, cp, djl = sys.argv[1:]
json.dump({"argv": ["java", "-cp", cp, "org.infllava.kernel.KernelLauncher", "{connection_file}"],
           "display_name": "Java (toolkit-kernel, IJava layout)", "language": "java", "interrupt_mode": "message",
           "env": {"DJL_CACHE_DIR": djl}}, open(path, "w"), indent=2)
PY
echo "ijava-layout: kernel spec java in $JUPYTER_DATA_DIR/kernels (class path: $(tr ':' '\n' <<< "$cp" | wc -l) jars, gson 2.8.5 first)"
