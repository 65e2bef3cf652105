#!/usr/bin/env bash
# One short run for the first GPU: prints the device, checks a tiny model's logits and one training step against the
# CPU, times CLIP-L/14-336 x 19 views (fp16), the DEM at 72x72x1024 and prefill/decode of a LLaMA-3-8B-shaped stack,
# and writes one JSON (default target/device-check.json). Under 8 minutes on one GPU.
# Without a GPU (no nvidia-smi, no GPU listed, or no torch 2.7.1+cu128 for scripts/gpu-env.sh) it prints a skip line
# and exits 0, so it can run in CI. Extra arguments go to `infllava device-check` (e.g. --llm-layers 2).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${DEVICE_CHECK_JSON:-$here/target/device-check.json}"
mkdir -p "$(dirname "$out")"

skip() {
  echo "device-check: SKIP: $1"
  exit 0
}

command -v nvidia-smi >/dev/null 2>&1 || skip "no nvidia-smi on PATH (no NVIDIA driver): nothing to check"
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || true)
[ -n "$gpu" ] || skip "nvidia-smi lists no GPU"
env_lines=$("$here/scripts/gpu-env.sh") || skip "a GPU ($gpu) but no torch 2.7.1+cu128 (see the message above, docs/gpu.md)"
eval "$env_lines"
echo "device-check: $gpu; libtorch from $PYTORCH_LIBRARY_PATH"

# Dense fp16/bf16 tensor-core peaks (TFLOP/s, no sparsity) from the vendors' data sheets, for the fraction of peak.
case "$gpu" in
  *H200*|*H100*SXM*|*"H100 80GB HBM3"*) peak=989 ;;
  *H100*PCIe*|*H100*) peak=756 ;;
  *A100*) peak=312 ;;
  *L40S*) peak=362 ;;
  *L4*) peak=121 ;;
  *A10G*|*A10*) peak=125 ;;
  *) peak=0 ;;
esac

"$here/infllava" version >/dev/null   # builds the jar first if needed, outside the time limit
start=$(date +%s)
timeout 480 "$here/infllava" device-check --device gpu --peak-tflops "$peak" --json "$out" "$@"
echo "device-check: done in $(( $(date +%s) - start )) s; report $out"
