#!/usr/bin/env python3
"""Dev aid: run a Java notebook's code cells in JShell, without a Jupyter kernel.

Usage: python3 notebooks/tools/run_in_jshell.py notebooks/01-dcm-cropping.ipynb [more.ipynb ...]

Builds nothing: run `mvn -B -q -DskipTests install` first. The class path is toolkit-cli/target/infllava.jar plus
toolkit-cli/target/lib/*.jar. Code cells are fed to `jshell -` in order, with `%` magic lines and the
`Notebooks.setup()` call dropped and stubs of `display(Object)` and IJava's `printf` defined first (the kernel's
rich display is not emulated: the stub prints the class name; an image is also written under $NB_DISPLAY_DIR when
that is set). JShell keeps going after an error, so the output is scanned:
the script exits 1 when JShell reports an error or an exception, and prints the wall time of each notebook.
INFLLAVA_NB_CI is passed through to the notebook (set it to 1 for the small sizes).
"""
import glob
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

STUB = r'''
void printf(String format, Object... args) { System.out.printf(format, args); }
int displayCount = 0;
void display(Object o) {
    displayCount++;
    String dir = System.getenv("NB_DISPLAY_DIR");
    String what = o == null ? "null" : o.getClass().getName();
    try {
        if (dir != null && o instanceof java.awt.image.BufferedImage img) {
            java.io.File f = new java.io.File(dir, "display-" + displayCount + ".png");
            javax.imageio.ImageIO.write(img, "png", f);
            what += " -> " + f;
        } else if (dir != null && o instanceof org.knowm.xchart.internal.chartpart.Chart<?, ?> c) {
            String f = dir + "/display-" + displayCount;
            org.knowm.xchart.BitmapEncoder.saveBitmap(c, f, org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG);
            what += " -> " + f + ".png";
        } else if (o instanceof tech.tablesaw.api.Table t) {
            what += "\n" + t.printAll();
        }
    } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
    }
    System.out.println("[display] " + what);
}
'''

# Notebooks.setup() (toolkit-notebook) talks to a kernel; there is none here, and infllava.jar does not hold it.
SETUP = "org.infllava.notebook.Notebooks.setup("

ERROR = re.compile(r"^(\|\s+)?(Error:|Exception |Caused by:)|Exception in thread|^(\|\s+)?Exception [a-z]+\.", re.M)


def classpath():
    jar = os.path.join(ROOT, "toolkit-cli", "target", "infllava.jar")
    libs = sorted(glob.glob(os.path.join(ROOT, "toolkit-cli", "target", "lib", "*.jar")))
    if not os.path.exists(jar) or not libs:
        sys.exit("build first: mvn -B -q -DskipTests install")
    return os.pathsep.join([jar] + libs)


def script(nb_path):
    nb = json.load(open(nb_path, encoding="utf-8"))
    parts = [STUB]
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        lines = join_continuations([l for l in src.split("\n") if not l.lstrip().startswith("%")
                                    and not l.strip().startswith(SETUP)], nb_path, i)
        parts.append('System.out.println("[cell %d]");' % i)
        parts.append(display_trailing("\n".join(lines)))
    return "\n".join(parts) + "\n/exit\n"


def display_trailing(code):
    """A kernel displays a cell's trailing expression; here it is wrapped in display(...) so the stub sees it."""
    depth, i, end = 0, 0, 0
    while i < len(code):
        c = code[i]
        if code.startswith("//", i):
            j = code.find("\n", i)
            i = len(code) if j < 0 else j
            continue
        if code.startswith("/*", i):
            i = code.find("*/", i) + 2
            continue
        if c in "\"'":
            j = i + 1
            while j < len(code) and code[j] != c:
                j += 2 if code[j] == "\\" else 1
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0 and c == "}":
                end = i + 1
        elif c == ";" and depth == 0:
            end = i + 1
        i += 1
    tail = code[end:]
    body = "\n".join(l for l in tail.split("\n") if not l.strip().startswith("//")).strip()
    if not body or body.startswith(("import ", "//")):
        return code
    return code[:end] + "\ndisplay(" + body + ");"


CONTINUATION = (".", "+ ", "- ", "* ", "? ", ": ", "&&", "||")


def join_continuations(lines, nb_path, cell):
    """JShell reading stdin ends a snippet at the first line that completes one, so a line starting with `.` (a
    chained call) would be cut off; a kernel analyses the whole cell. Join such lines onto the previous one."""
    out = []
    for line in lines:
        if out and line.lstrip().startswith(CONTINUATION):
            if "//" in out[-1]:
                sys.exit("%s cell %d: a line comment precedes a continuation line: %r" % (nb_path, cell, out[-1]))
            out[-1] = out[-1] + " " + line.strip()
        else:
            out.append(line)
    return out


def run(nb_path):
    cmd = ["jshell", "--class-path", classpath(), "-R-Djava.awt.headless=true", "-R-Dai.djl.offline=true",
           "-R-Xmx3g", "--feedback", "concise", "-"]
    t0 = time.time()
    p = subprocess.run(cmd, input=script(nb_path), text=True, capture_output=True, cwd=ROOT)
    wall = time.time() - t0
    out = p.stdout + p.stderr
    errors = [m.group(0) for m in ERROR.finditer(out)]
    return out, wall, p.returncode, errors


def main():
    ok = True
    for nb in sys.argv[1:]:
        out, wall, rc, errors = run(nb)
        sys.stdout.write(out)
        status = "OK" if rc == 0 and not errors else "FAILED (rc %d, %d error lines)" % (rc, len(errors))
        print("== %s: %s in %.1f s (INFLLAVA_NB_CI=%s)" % (nb, status, wall, os.environ.get("INFLLAVA_NB_CI", "")))
        ok &= status == "OK"
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
