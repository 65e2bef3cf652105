#!/usr/bin/python3
"""The published INF-LLaVA DEM (`SpatialEmbed`) forward at the real size, timed in PyTorch-Python, to set beside
`./infllava bench dem`.

Written from the description in docs (shared reference-implementation notes), not from the toolkit's code: one
multi-head attention module shared by both directions (8 heads, four Linear(d, d) with bias, no mask), output
LayerNorm(out_proj(attn) + raw query); direction A = 3x3 contiguous blocks of the global map attend the same blocks
of the local map, direction B = stride-3 samples of the local map attend the same samples of the global map; fusion
LayerNorm(concat[ffn_crop(B), ffn_stride(A)] + A + B) with Linear(d, d/16) -> GELU -> Linear(d/16, d/2) bottlenecks;
bilinear resize 72x72 -> 24x24 (align_corners=False); mean with the low-resolution features. Windows of one
direction go through the attention as one batch of 9, as the published module does.

Random weights and maps (1, 72, 72, 1024), float32, inference mode, torch.set_num_threads(2); 1 warm-up + 5 timed runs.
Run: /usr/bin/python3 bench/bench_dem.py [channels] [grid] [tokens] [heads]
"""
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("BENCH_TORCH_THREADS", "2")))  # compare.sh also tries 1
torch.manual_seed(0)
D = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
G = int(sys.argv[2]) if len(sys.argv) > 2 else 3
T = int(sys.argv[3]) if len(sys.argv) > 3 else 24
H = int(sys.argv[4]) if len(sys.argv) > 4 else 8
S = G * T


class MultiHeadedAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.linears = nn.ModuleList([nn.Linear(D, D) for _ in range(4)])
        self.ln = nn.LayerNorm(D)

    def forward(self, query, key, value):  # (n, t, D) each
        n = query.shape[0]
        q, k, v = [l(x).view(n, -1, H, D // H).transpose(1, 2) for l, x in zip(self.linears, (query, key, value))]
        a = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(D // H), -1) @ v
        return self.ln(self.linears[3](a.transpose(1, 2).reshape(n, -1, D)) + query)


def blocks(m):  # (B, S, S, D) -> (B*G*G, T*T, D): contiguous T x T blocks, row-major
    b = m.shape[0]
    return m.reshape(b, G, T, G, T, D).permute(0, 1, 3, 2, 4, 5).reshape(b * G * G, T * T, D)


def unblocks(x, b):
    return x.reshape(b, G, G, T, T, D).permute(0, 1, 3, 2, 4, 5).reshape(b, S, S, D)


def strides(m):  # (B, S, S, D) -> (B*G*G, T*T, D): sample (r, c) = m[:, r::G, c::G]
    b = m.shape[0]
    return m.reshape(b, T, G, T, G, D).permute(0, 2, 4, 1, 3, 5).reshape(b * G * G, T * T, D)


def unstrides(x, b):
    return x.reshape(b, G, G, T, T, D).permute(0, 3, 1, 4, 2, 5).reshape(b, S, S, D)


class SpatialEmbed(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = MultiHeadedAttention()
        self.ffn_crop = nn.Sequential(nn.Linear(D, D // 16), nn.GELU(), nn.Linear(D // 16, D // 2))
        self.ffn_stride = nn.Sequential(nn.Linear(D, D // 16), nn.GELU(), nn.Linear(D // 16, D // 2))
        self.ln_fuse = nn.LayerNorm(D)

    def forward(self, local, glob, low):  # maps (B, S, S, D), low (B, T, T, D)
        b = local.shape[0]
        gl, lo = blocks(glob), blocks(local)
        a = unblocks(self.attention(gl, lo, lo), b)
        ls, gs = strides(local), strides(glob)
        c = unstrides(self.attention(ls, gs, gs), b)
        fused = self.ln_fuse(torch.cat([self.ffn_crop(c), self.ffn_stride(a)], -1) + a + c)
        pooled = F.interpolate(fused.permute(0, 3, 1, 2), size=(T, T), mode="bilinear", align_corners=False)
        return (pooled.permute(0, 2, 3, 1) + low) / 2


dem = SpatialEmbed().eval()
local, glob, low = torch.randn(1, S, S, D), torch.randn(1, S, S, D), torch.randn(1, T, T, D)
with torch.inference_mode():
    dem(local, glob, low)
    ts = []
    for _ in range(5):
        t0 = time.perf_counter()
        dem(local, glob, low)
        ts.append(time.perf_counter() - t0)
ts.sort()
print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads: published DEM (SpatialEmbed, {H} heads) on "
      f"(1, {S}, {S}, {D}): median {ts[2]:.3f} s, min {ts[0]:.3f} s, {sum(p.numel() for p in dem.parameters()):,} "
      f"parameters")
