#!/usr/bin/env bash
# Finds an installed libtorch 2.7.1 built for CUDA 12.8 (the torch/lib directory of a pip-installed torch 2.7.1+cu128)
# and prints the exports that make DJL 0.36 use it offline:
#   eval "$(scripts/gpu-env.sh)"      # then ./infllava ... --device gpu
# DJL checks PYTORCH_LIBRARY_PATH before any natives jar, and takes its JNI bridge for that flavour from the
# pytorch-jni 2.7.1-0.36.0 jar already on the class path (jnilib/linux-x86_64/cu128/libdjl_torch.so): nothing is
# downloaded. Search order: $TORCH_LIB (a torch/lib directory), then the torch package of each python3* on PATH, then
# the usual site-packages locations. Exit 1, with the reason on stderr, when none is 2.7.1+cu128.
# See docs/gpu.md.
set -euo pipefail

want_version=2.7.1
want_flavor=cu128

candidates=()
[ -n "${TORCH_LIB:-}" ] && candidates+=("$TORCH_LIB")
for py in $( (compgen -c python3 2>/dev/null; echo /usr/bin/python3) | grep -E '(^|/)python3(\.[0-9]+)?$' | sort -u); do
  command -v "$py" >/dev/null 2>&1 || continue
  # find_spec locates the package without importing it (no CUDA initialisation).
  d=$("$py" -c 'import importlib.util as u, os; s = u.find_spec("torch"); print(os.path.join(os.path.dirname(s.origin), "lib") if s and s.origin else "")' 2>/dev/null || true)
  [ -n "$d" ] && candidates+=("$d")
done
for d in /usr/local/lib/python3*/dist-packages/torch/lib /usr/local/lib/python3*/site-packages/torch/lib \
    "$HOME"/.local/lib/python3*/site-packages/torch/lib /opt/conda/lib/python3*/site-packages/torch/lib \
    "$HOME"/*/lib/python3*/site-packages/torch/lib "$HOME"/.venv*/lib/python3*/site-packages/torch/lib; do
  [ -d "$d" ] && candidates+=("$d")
done

rejected=()
for lib in "${candidates[@]}"; do
  [ -f "$lib/libtorch.so" ] || { rejected+=("$lib: no libtorch.so"); continue; }
  version_py="$(dirname "$lib")/version.py"
  version=$(sed -n "s/^__version__ *= *['\"]\([^'\"]*\)['\"].*/\1/p" "$version_py" 2>/dev/null | head -1)
  if [ "$version" != "$want_version+$want_flavor" ]; then
    rejected+=("$lib: torch ${version:-of unknown version}, need $want_version+$want_flavor")
    continue
  fi
  if [ ! -f "$lib/libtorch_cuda.so" ]; then
    rejected+=("$lib: torch $version without libtorch_cuda.so")
    continue
  fi
  echo "# torch $version at $lib"
  echo "export PYTORCH_LIBRARY_PATH='$lib'"
  echo "export PYTORCH_VERSION=$want_version"
  echo "export PYTORCH_FLAVOR=$want_flavor"
  exit 0
done

{
  echo "gpu-env: no torch $want_version+$want_flavor found; install one with"
  echo "  pip install torch==$want_version --index-url https://download.pytorch.org/whl/$want_flavor"
  echo "or point TORCH_LIB at its torch/lib directory."
  for r in "${rejected[@]+"${rejected[@]}"}"; do echo "  rejected $r"; done
} >&2
exit 1
