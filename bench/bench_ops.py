#!/usr/bin/python3
"""The operations of `./infllava bench ops`, timed in PyTorch-Python: microseconds per call of the small operations a
tiny vision layer is made of (65 tokens of width 64, 4 heads), one intra-op thread, each result dropped before the
next call, in inference mode (as bench_model.py runs). Median of ROUNDS rounds of CALLS calls after WARMUP_S seconds.
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/bench_ops.py   (Debian python3-torch)
"""
import time

import torch
import torch.nn.functional as F

CALLS = 20000
ROUNDS = 5
WARMUP_S = 1.0

torch.set_num_threads(1)
torch.manual_seed(0)
x, y = torch.randn(1, 65, 64), torch.randn(1, 65, 64)
h = torch.randn(1, 65, 256)
heads = torch.randn(1, 65, 4, 16)
q, kt = torch.randn(1, 4, 65, 16), torch.randn(1, 4, 16, 65)
scores = torch.randn(1, 4, 65, 65)
stacked = torch.randn(1, 12, 65, 16)
w, b = torch.randn(192, 64), torch.randn(192)
gamma, beta = torch.randn(64), torch.randn(64)
wq = torch.randn(64, 64)
half = torch.tensor(0.5)
OPS = [
    ("add (1,65,64) + (1,65,64)", lambda: x + y),
    ("mul (1,65,64) by a 0-d tensor", lambda: x * half),
    ("transpose view (1,4,65,16) -> (1,4,16,65)", lambda: q.transpose(-1, -2)),
    ("slice view x[:, 1:, :]", lambda: x[:, 1:]),
    ("reshape (1,65,4,16) -> (1,65,64), a view", lambda: heads.reshape(1, 65, 64)),
    ("sigmoid (1,65,256)", lambda: torch.sigmoid(h)),
    ("layer_norm (1,65,64)", lambda: F.layer_norm(x, (64,), gamma, beta, 1e-5)),
    ("softmax (1,4,65,65) over the last axis", lambda: torch.softmax(scores, -1)),
    ("linear (1,65,64) -> 192 with bias", lambda: F.linear(x, w, b)),
    ("matmul (1,4,65,16) @ (1,4,16,65)", lambda: q @ kt),
    ("cat 3 x (64,64) on axis 0", lambda: torch.cat([wq, wq, wq], 0)),
    ("split (1,12,65,16) in 3 on axis 1", lambda: stacked.split(4, 1)),
]


def rounds_us(op):
    t = time.perf_counter()
    while time.perf_counter() - t < WARMUP_S:
        for _ in range(1000):
            op()
    us = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        for _ in range(CALLS):
            op()
        us.append((time.perf_counter() - t0) / CALLS * 1e6)
    return sorted(us)


print(f"bench_ops.py: {ROUNDS} rounds of {CALLS} calls, one intra-op thread, inference mode, PyTorch {torch.__version__}")
print(f"{'operation':44s} {'us per call (median)':>20s} {'min':>8s}")
with torch.inference_mode():
    for name, op in OPS:
        us = rounds_us(op)
        print(f"{name:44s} {us[len(us) // 2]:20.2f} {us[0]:8.2f}")
