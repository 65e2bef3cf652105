#!/usr/bin/python3
"""Independent golden values for toolkit-dem, written with PyTorch only (not with the toolkit).

The published INF-LLaVA module (`SpatialEmbed`, as docs describe it) and the paper's equations (§4.3, eq. 18-27)
are implemented here from scratch with slicing for the crops, then run on fixed random inputs and weights.

Regenerate (Debian: apt-get install python3-torch python3-numpy):
    /usr/bin/python3 toolkit-dem/src/test/python/make_dem_goldens.py toolkit-dem/src/test/resources/golden
Written with PyTorch 1.13.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

out = sys.argv[1] if len(sys.argv) > 1 else "golden"
os.makedirs(out, exist_ok=True)
torch.manual_seed(20240717)
torch.set_default_dtype(torch.float32)


def save_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        b = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def save_npy(name, t):
    np.save(f"{out}/{name}.npy", np.ascontiguousarray(t.detach().numpy().astype(np.float32)))


# ---- crops written straight from eq. (13) and (17) with slicing --------------------------------------------
def crop_local(m, n_w, n_h):
    """(B, H, W, d) -> (B*N, h, w, d): contiguous blocks, k = n_w*row + col."""
    b, hh, ww, d = m.shape
    h, w = hh // n_h, ww // n_w
    return torch.stack([m[:, r * h:(r + 1) * h, c * w:(c + 1) * w] for r in range(n_h) for c in range(n_w)], 1) \
        .reshape(b * n_w * n_h, h, w, d)


def crop_global(m, n_w, n_h):
    """(B, H, W, d) -> (B*N, h, w, d): strided samples m[:, i::n_h, j::n_w], k = n_w*i + j."""
    b, hh, ww, d = m.shape
    return torch.stack([m[:, i::n_h, j::n_w] for i in range(n_h) for j in range(n_w)], 1) \
        .reshape(b * n_w * n_h, hh // n_h, ww // n_w, d)


def recombine_local(subs, n_w, n_h):
    bn, h, w, d = subs.shape
    b = bn // (n_w * n_h)
    subs = subs.reshape(b, n_h * n_w, h, w, d)
    rows = [torch.cat([subs[:, r * n_w + c] for c in range(n_w)], 2) for r in range(n_h)]
    return torch.cat(rows, 1)


def recombine_global(subs, n_w, n_h):
    bn, h, w, d = subs.shape
    b = bn // (n_w * n_h)
    subs = subs.reshape(b, n_h * n_w, h, w, d)
    m = torch.zeros(b, h * n_h, w * n_w, d)
    for i in range(n_h):
        for j in range(n_w):
            m[:, i::n_h, j::n_w] = subs[:, n_w * i + j]
    return m


CROP = {"local": (crop_local, recombine_local), "global": (crop_global, recombine_global)}


# ---- the published SpatialEmbed ---------------------------------------------------------------------------
class MultiHeadedAttention(nn.Module):
    def __init__(self, h, d):
        super().__init__()
        self.h, self.d_k = h, d // h
        self.linears = nn.ModuleList([nn.Linear(d, d) for _ in range(4)])
        self.ln = nn.LayerNorm(d)

    def forward(self, query, key, value):  # (n, T, d) each
        n = query.size(0)
        q, k, v = [l(x).view(n, -1, self.h, self.d_k).transpose(1, 2)
                   for l, x in zip(self.linears, (query, key, value))]
        p = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.d_k), dim=-1)
        x = (p @ v).transpose(1, 2).contiguous().view(n, -1, self.h * self.d_k)
        return self.ln(self.linears[-1](x) + query)


class SpatialEmbed(nn.Module):
    def __init__(self, d, heads, n_w, n_h):
        super().__init__()
        self.n_w, self.n_h = n_w, n_h
        self.attention = MultiHeadedAttention(heads, d)
        self.ffn_crop = nn.Sequential(nn.Linear(d, d // 16), nn.GELU(), nn.Linear(d // 16, d // 2))
        self.ffn_stride = nn.Sequential(nn.Linear(d, d // 16), nn.GELU(), nn.Linear(d // 16, d // 2))
        self.ln_fuse = nn.LayerNorm(d)

    def attend(self, q_map, kv_map, kind):
        crop, recombine = CROP[kind]
        q = crop(q_map, self.n_w, self.n_h)
        kv = crop(kv_map, self.n_w, self.n_h)
        n, h, w, d = q.shape
        o = self.attention(q.reshape(n, h * w, d), kv.reshape(n, h * w, d), kv.reshape(n, h * w, d))
        return recombine(o.reshape(n, h, w, d), self.n_w, self.n_h)

    def forward(self, local_map, global_map, low_res):
        a = self.attend(global_map, local_map, "local")   # global as query, contiguous blocks
        b = self.attend(local_map, global_map, "global")  # local as query, strided samples
        fused = self.ln_fuse(torch.cat([self.ffn_crop(b), self.ffn_stride(a)], -1) + a + b)
        hh, ww = fused.shape[1] // self.n_h, fused.shape[2] // self.n_w
        pooled = F.interpolate(fused.permute(0, 3, 1, 2), size=(hh, ww), mode="bilinear", align_corners=False)
        pooled = pooled.permute(0, 2, 3, 1)
        return (pooled + low_res) / 2


# ---- the paper's equations ----------------------------------------------------------------------------------
class PaperAttention(nn.Module):
    """Eq. (20)-(21): softmax((Q Wq)(K Wk)^T / sqrt(d)) (K Wv), window by window; W stored as nn.Linear (out, in)."""

    def __init__(self, d):
        super().__init__()
        self.linears = nn.ModuleList([nn.Linear(d, d, bias=False) for _ in range(3)])

    def forward(self, q_map, kv_map, kind, n_w, n_h):
        crop, recombine = CROP[kind]
        q = crop(q_map, n_w, n_h)
        kv = crop(kv_map, n_w, n_h)
        n, h, w, d = q.shape
        q, kv = q.reshape(n, h * w, d), kv.reshape(n, h * w, d)
        a = torch.softmax(self.linears[0](q) @ self.linears[1](kv).transpose(1, 2) / math.sqrt(d), -1)
        return recombine((a @ self.linears[2](kv)).reshape(n, h, w, d), n_w, n_h)


class PaperDEM(nn.Module):
    def __init__(self, d, n_w, n_h, fusion="linear_concat", variant="full", pairing="equations"):
        super().__init__()
        self.n_w, self.n_h, self.fusion, self.variant = n_w, n_h, fusion, variant
        # eq. 18-19 / 22-23 literally: global-as-query uses C_glo; section 1: C_loc.
        self.glo_kind, self.loc_kind = ("global", "local") if pairing == "equations" else ("local", "global")
        if variant in ("full", "global_only"):
            self.attention_global = PaperAttention(d)
        if variant in ("full", "local_only"):
            self.attention_local = PaperAttention(d)
        if variant == "full":
            if fusion == "linear_concat":
                self.fuse_global = nn.Linear(d, d // 2, bias=False)
                self.fuse_local = nn.Linear(d, d // 2, bias=False)
            elif fusion == "conv3x3":
                self.fuse_conv = nn.Conv2d(2 * d, d, 3, padding=1)
            elif fusion == "weighted_add":
                self.fuse_weights = nn.Parameter(torch.tensor([0.7, -0.3]))
            elif fusion == "reference_bottleneck":
                self.ffn_crop = nn.Sequential(nn.Linear(d, d // 16), nn.GELU(), nn.Linear(d // 16, d // 2))
                self.ffn_stride = nn.Sequential(nn.Linear(d, d // 16), nn.GELU(), nn.Linear(d // 16, d // 2))
                self.ln_fuse = nn.LayerNorm(d)

    def fuse(self, a, b):
        f = self.fusion
        if f == "linear_concat":
            return torch.cat([self.fuse_global(a), self.fuse_local(b)], -1)   # eq. 26-27
        if f == "conv3x3":
            return self.fuse_conv(torch.cat([a, b], -1).permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
        if f == "multiply":
            return a * b
        if f == "weighted_add":
            return self.fuse_weights[0] * a + self.fuse_weights[1] * b
        if f == "maxpool":
            return torch.maximum(a, b)
        if f == "add":
            return a + b
        return self.ln_fuse(torch.cat([self.ffn_crop(b), self.ffn_stride(a)], -1) + a + b)

    def forward(self, local_map, global_map, low_res):
        v = self.variant
        if v == "local_crop_only":
            m = local_map
        elif v == "global_crop_only":
            m = global_map
        elif v == "add_no_dem":
            m = local_map + global_map
        else:
            a = self.attention_global(global_map, local_map, self.glo_kind, self.n_w, self.n_h) \
                if v in ("full", "global_only") else None
            b = self.attention_local(local_map, global_map, self.loc_kind, self.n_w, self.n_h) \
                if v in ("full", "local_only") else None
            m = self.fuse(a, b) if v == "full" else (a if a is not None else b)
        pooled = F.avg_pool2d(m.permute(0, 3, 1, 2), (self.n_h, self.n_w)).permute(0, 2, 3, 1)
        return pooled + low_res


def randomise_norms(module):
    for mod in module.modules():
        if isinstance(mod, nn.LayerNorm):
            with torch.no_grad():
                mod.weight.copy_(1 + 0.2 * torch.randn_like(mod.weight))
                mod.bias.copy_(0.1 * torch.randn_like(mod.bias))


def run_case(name, model, n_w, n_h, h, w, d, prefix):
    n = n_w * n_h
    local_subs = torch.randn(n, h, w, d)
    global_subs = torch.randn(n, h, w, d)
    low = torch.randn(h, w, d)
    with torch.no_grad():
        y = model(recombine_local(local_subs, n_w, n_h), recombine_global(global_subs, n_w, n_h), low[None])[0]
    save_npy(f"{name}_local", local_subs)
    save_npy(f"{name}_global", global_subs)
    save_npy(f"{name}_lowres", low)
    save_npy(f"{name}_out", y)
    save_safetensors(f"{out}/{name}_weights.safetensors",
                     {prefix + k: v for k, v in model.state_dict().items()})


# REFERENCE at d = 64, 3x3 grid of 4x4 tokens, 8 heads; keys saved with the full model's "model." prefix.
ref = SpatialEmbed(64, 8, 3, 3)
randomise_norms(ref)
run_case("reference", ref, 3, 3, 4, 4, 64, "model.spatial_embed.")

# PAPER at d = 32 on a non-square 3x2 grid of 4x5-token sub-features (map 8 x 15).
cases = {"paper": dict()}
for f in ["conv3x3", "multiply", "weighted_add", "maxpool", "add", "reference_bottleneck"]:
    cases[f"paper_fusion_{f}"] = dict(fusion=f)
for v in ["global_only", "local_only", "local_crop_only", "global_crop_only", "add_no_dem"]:
    cases[f"paper_variant_{v}"] = dict(variant=v)
cases["paper_pairing_section1"] = dict(pairing="section1")
for name, kw in cases.items():
    m = PaperDEM(32, 3, 2, **kw)
    randomise_norms(m)
    run_case(name, m, 3, 2, 4, 5, 32, "spatial_embed.")

# Parameter count of the published module at d = 1024.
full = SpatialEmbed(1024, 8, 3, 3)
with open(f"{out}/counts.json", "w") as f:
    json.dump({"reference_1024": sum(p.numel() for p in full.parameters()), "torch": torch.__version__}, f)
print("wrote", len(os.listdir(out)), "files;", "reference params at d=1024:", sum(p.numel() for p in full.parameters()))
