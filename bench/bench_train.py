#!/usr/bin/python3
"""One training step of examples/tiny-cpu.json, written in PyTorch-Python, to set beside `./infllava bench train`.

Same shapes: batch 8; per sample 19 views of 28x28 (9 local, 9 global, 1 low-res) through a frozen random CLIP tower
(d 32, patch 4, hidden_states[-2] = after layer 1 of 2), the PAPER DEM (one head, eq. 18-27, C_glo windows for
global-as-query, C_loc for local-as-query, Linear-Concat, 3x3 average pooling, + low-res), mlp2x_gelu projector
32->64, a LLaMA of d 64, 2 layers, 4 heads / 2 KV heads, vocab 18; sequences of 49 visual + 8 text tokens; loss on
the last 6; AdamW lr 3e-3, global-norm clip 1.0. Pixels are random tensors (no image decoding, unlike the Java run).
Run: /usr/bin/python3 bench/bench_train.py    (Debian PyTorch 1.13, generic BLAS; torch.set_num_threads(2))
"""
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("BENCH_TORCH_THREADS", "2")))  # compare.sh also tries 1
torch.manual_seed(0)
D, DL, V, G, P = 32, 64, 18, 3, 7  # vision width, LLM width, vocab, grid, tokens per side


class Clip(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Linear(3 * 16, D, bias=False)
        self.cls = nn.Parameter(torch.randn(D) * 0.02)
        self.pos = nn.Parameter(torch.randn(P * P + 1, D) * 0.02)
        self.pre = nn.LayerNorm(D)
        self.ln1, self.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.qkv = nn.ModuleList([nn.Linear(D, D) for _ in range(4)])
        self.fc1, self.fc2 = nn.Linear(D, 64), nn.Linear(64, D)

    def forward(self, px):  # (n, 3, 28, 28) -> (n, 49, D), hidden_states[-2] of 2 layers
        n = px.shape[0]
        x = px.reshape(n, 3, P, 4, P, 4).permute(0, 2, 4, 1, 3, 5).reshape(n, P * P, 48)
        x = torch.cat([self.cls.expand(n, 1, D), self.patch(x)], 1) + self.pos
        x = self.pre(x)
        h = self.ln1(x)
        q, k, v = [l(h).view(n, -1, 4, 8).transpose(1, 2) for l in self.qkv[:3]]
        a = torch.softmax(q * 8 ** -0.5 @ k.transpose(-1, -2), -1) @ v
        x = x + self.qkv[3](a.transpose(1, 2).reshape(n, -1, D))
        m = self.fc1(self.ln2(x))
        x = x + self.fc2(m * torch.sigmoid(1.702 * m))
        return x[:, 1:]


def crop(m, kind):  # (H, W, D) -> (9, 7, 7, D)
    if kind == "local":
        return m.reshape(G, P, G, P, D).permute(0, 2, 1, 3, 4).reshape(G * G, P, P, D)
    return m.reshape(P, G, P, G, D).permute(1, 3, 0, 2, 4).reshape(G * G, P, P, D)


def uncrop(s, kind):
    if kind == "local":
        return s.reshape(G, G, P, P, D).permute(0, 2, 1, 3, 4).reshape(G * P, G * P, D)
    return s.reshape(G, G, P, P, D).permute(2, 0, 3, 1, 4).reshape(G * P, G * P, D)


class Dem(nn.Module):
    def __init__(self):
        super().__init__()
        self.wg = nn.ModuleList([nn.Linear(D, D, bias=False) for _ in range(3)])
        self.wl = nn.ModuleList([nn.Linear(D, D, bias=False) for _ in range(3)])
        self.fg, self.fl = nn.Linear(D, D // 2, bias=False), nn.Linear(D, D // 2, bias=False)

    def attend(self, w, qm, kvm, kind):
        q, k, v = crop(w[0](qm) / math.sqrt(D), kind), crop(w[1](kvm), kind), crop(w[2](kvm), kind)
        q, k, v = [t.reshape(G * G, P * P, D) for t in (q, k, v)]
        return uncrop((torch.softmax(q @ k.transpose(1, 2), -1) @ v).reshape(G * G, P, P, D), kind)

    def forward(self, local_subs, global_subs, low):
        L = uncrop(local_subs, "local")
        Gm = uncrop(global_subs, "global")
        vg = self.attend(self.wg, Gm, L, "global")
        vl = self.attend(self.wl, L, Gm, "local")
        fused = torch.cat([self.fg(vg), self.fl(vl)], -1)
        pooled = F.avg_pool2d(fused.permute(2, 0, 1)[None], G)[0].permute(1, 2, 0)
        return pooled + low


class Llama(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, DL)
        self.layers = nn.ModuleList([nn.ModuleDict(dict(q=nn.Linear(DL, DL, bias=False), k=nn.Linear(DL, 32, bias=False),
                                                        v=nn.Linear(DL, 32, bias=False), o=nn.Linear(DL, DL, bias=False),
                                                        g=nn.Linear(DL, 128, bias=False), u=nn.Linear(DL, 128, bias=False),
                                                        d=nn.Linear(128, DL, bias=False))) for _ in range(2)])
        self.n1 = nn.ParameterList([nn.Parameter(torch.ones(DL)) for _ in range(5)])
        self.head = nn.Linear(DL, V, bias=False)
        self.inv = 1.0 / (10000 ** (torch.arange(0, 16, 2).float() / 16))

    def rms(self, x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w

    def forward(self, x, mask):
        b, t, _ = x.shape
        f = torch.arange(t)[:, None].float() * self.inv[None]
        e = torch.cat([f, f], -1)
        cos, sin = e.cos(), e.sin()
        rot = lambda z: torch.cat([-z[..., 8:], z[..., :8]], -1)
        am = torch.full((t, t), -1e9).triu(1)[None, None] + (1 - mask[:, None, None, :]) * -1e9
        for i, l in enumerate(self.layers):
            h = self.rms(x, self.n1[2 * i])
            q = l["q"](h).view(b, t, 4, 16).transpose(1, 2)
            k = l["k"](h).view(b, t, 2, 16).transpose(1, 2).repeat_interleave(2, 1)
            v = l["v"](h).view(b, t, 2, 16).transpose(1, 2).repeat_interleave(2, 1)
            q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
            a = torch.softmax(q @ k.transpose(-1, -2) / 4 + am, -1) @ v
            x = x + l["o"](a.transpose(1, 2).reshape(b, t, DL))
            h = self.rms(x, self.n1[2 * i + 1])
            x = x + l["d"](F.silu(l["g"](h)) * l["u"](h))
        return self.head(self.rms(x, self.n1[4]))


clip, dem, llm = Clip(), Dem(), Llama()
proj = nn.Sequential(nn.Linear(D, DL), nn.GELU(), nn.Linear(DL, DL))
for p in clip.parameters():
    p.requires_grad_(False)
params = list(dem.parameters()) + list(proj.parameters()) + list(llm.parameters())
opt = torch.optim.AdamW(params, lr=3e-3, weight_decay=0.0)
pixels = [torch.randn(19, 3, 28, 28) for _ in range(8)]
text = torch.randint(3, V, (8, 8))


def step():
    embeds = []
    for i in range(8):
        f = clip(pixels[i]).reshape(19, P, P, D)
        vis = proj(dem(f[:9], f[9:18], f[18]).reshape(1, P * P, D))
        embeds.append(torch.cat([vis, llm.emb(text[i:i + 1])], 1))
    x = torch.cat(embeds, 0)
    logits = llm(x, torch.ones(8, x.shape[1]))
    loss = F.cross_entropy(logits[:, -7:-1].reshape(-1, V), text[:, -6:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    return loss.item()


for _ in range(20):
    step()
ts = []
for _ in range(100):
    t0 = time.perf_counter()
    step()
    ts.append((time.perf_counter() - t0) * 1e3)
ts.sort()
print(f"PyTorch {torch.__version__}, 2 threads: train step median {ts[50]:.1f} ms, min {ts[0]:.1f} ms "
      f"(batch 8, 57 tokens, 8·19 CLIP views, PAPER DEM)")
