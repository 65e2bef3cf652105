#!/usr/bin/env python3
"""Runs Java notebooks on a Jupyter kernel and reports, per notebook, the first failing cell.

Usage: python3 notebooks/tools/run_notebooks.py [--kernel NAME] [--out DIR] [--label TEXT] [--timeout S]
           [--expect NAME=TYPE,TYPE] NOTEBOOK.ipynb...

Each notebook runs top to bottom in a fresh kernel (the kernel spec NAME, default "java", found the usual Jupyter
way: $JUPYTER_DATA_DIR/kernels first), in the notebook's own directory, with a limit per cell (--timeout, default
600 s); the executed copy goes to DIR (default target/notebooks), the kernel's stderr to DIR/NAME.kernel.log.
A notebook fails at its first cell that
  - raises an error (compile error, exception, failed magic), or
  - shows an object the kernel could not render: a text/plain value that is only "Class@hash" (a chart or table
    without its renderer) or a bare UUID (the id a display(...) call returns, shown as a cell's value).
--expect makes a notebook fail that shows none of a MIME type (the smoke notebook: image/png and text/html).
It prints one line per notebook ("ok", with the output types it saw, or "FAILED at cell N: ...") and exits 1 when
any notebook failed. Used by .ci/run and notebooks/tools/ijava-check.sh.
"""
import argparse
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

UNRENDERED = re.compile(r"^[\w.$]+@[0-9a-f]{4,}$")
DISPLAY_ID = re.compile(r"^'?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'?$")


def first_line(text, limit=160):
    text = (text or "").strip().splitlines()
    line = text[0] if text else ""
    return line if len(line) <= limit else line[:limit] + "..."


def strip_ansi(s):
    return re.sub(r"\x1b\[[0-9;]*m", "", s)


def cell_problem(cell):
    """The first problem in an executed code cell's outputs, or None."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            tb = [strip_ansi(t) for t in out.get("traceback", []) if strip_ansi(t).strip()]
            detail = out.get("evalue") or (tb[-1] if tb else "")
            name = out.get("ename", "error")
            # the lines of the kernel's message that name the problem, not the whole trace
            msg = "; ".join(first_line(t) for t in tb[:3]) if not detail else first_line(detail)
            return f"{name}: {msg}"
        if out.get("output_type") in ("execute_result", "display_data"):
            data = out.get("data", {})
            text = data.get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            if set(data) == {"text/plain"}:
                t = text.strip()
                if UNRENDERED.match(t):
                    return f"unrendered object shown as text: {t}"
                if DISPLAY_ID.match(t):
                    return f"a display id shown as the cell's value: {t}"
    return None


def run(path, kernel, out_dir, timeout):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, allow_errors=False,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    crash = None
    os.makedirs(out_dir, exist_ok=True)
    log = os.path.join(out_dir, os.path.splitext(os.path.basename(path))[0] + ".kernel.log")
    try:
        with open(log, "wb") as stderr:  # the kernel's own log lines, kept out of this script's output
            client.execute(stderr=stderr)
    except CellExecutionError:
        pass  # the failing cell's error output is in nb; found below
    except (CellTimeoutError, DeadKernelError, RuntimeError) as e:
        crash = f"{type(e).__name__}: {first_line(str(e))}"
    nbformat.write(nb, os.path.join(out_dir, os.path.basename(path)))
    kinds = set()
    code_index = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code_index += 1
        for out in cell.get("outputs", []):
            kinds.update(out.get("data", {}).keys())
        problem = cell_problem(cell)
        if problem:
            src = first_line(cell.source, 80)
            return False, f"FAILED at cell {index} (code cell {code_index}, '{src}'): {problem}", kinds
    if crash:
        return False, f"FAILED: {crash}", kinds
    return True, "ok", kinds


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="java")
    ap.add_argument("--out", default="target/notebooks")
    ap.add_argument("--label", default="")
    ap.add_argument("--timeout", type=int, default=600, help="seconds a cell may run (default 600, as CI)")
    ap.add_argument("--expect", action="append", default=[], metavar="NAME=TYPE,TYPE",
                    help="a notebook (file name) must show these output types, e.g. 00-kernel-smoke.ipynb=image/png")
    ap.add_argument("notebooks", nargs="+")
    args = ap.parse_args()
    failed = 0
    label = f"[{args.label}] " if args.label else ""
    for path in args.notebooks:
        start = time.time()
        ok, message, kinds = run(path, args.kernel, args.out, args.timeout)
        for want in args.expect:
            name, _, types = want.partition("=")
            missing = sorted(set(types.split(",")) - kinds) if os.path.basename(path) == name else []
            if ok and missing:
                ok, message = False, f"FAILED: no {', '.join(missing)} output"
        failed += 0 if ok else 1
        rich = ", ".join(sorted(k for k in kinds if k != "text/plain")) or "text only"
        print(f"{label}notebook {path}: {message} ({time.time() - start:.0f} s; {rich})", flush=True)
    print(f"{label}notebooks: {len(args.notebooks) - failed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
