#!/usr/bin/python3
"""The computations of `./infllava bench model`, timed in PyTorch-Python on the same machine.

Same configs, random weights, float32, inference mode, torch.set_num_threads(2); median of runs after WARMUP
untimed ones and at least WARMUP_S seconds of them (the toolkit's `bench model --warmup` and `--warmup-seconds`
defaults: both sides timed in steady state by the same rule; decode warms up with generations of DECODE_WARMUP
steps, each on a fresh cache).
Run: /usr/bin/python3 bench/bench_model.py   (Debian python3-torch; 1.13 here, while DJL runs PyTorch 2.7.1 natives)
"""
import math
import os
import sys
import time

import torch

torch.set_num_threads(int(os.environ.get("BENCH_TORCH_THREADS", "2")))  # compare.sh also tries 1
torch.manual_seed(0)
ITER = 5
WARMUP = 10
WARMUP_S = 2.0
DECODE_WARMUP = 64
STEPS = 16


def warming(i, runs, since):
    return i < runs or time.perf_counter() - since < WARMUP_S


def median_ms(fn, n=ITER):
    t, i = time.perf_counter(), 0
    while warming(i, WARMUP, t):
        fn()
        i += 1
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    return ts[len(ts) // 2]


def lin(i, o, bias=True):
    return torch.randn(o, i) / math.sqrt(i), (torch.randn(o) * 0.02 if bias else None)


def linear(x, wb):
    w, b = wb
    y = x @ w.t()
    return y if b is None else y + b


class Clip:
    def __init__(self, d, mlp, layers, heads, image, patch):
        self.d, self.h, self.p, self.g = d, heads, patch, image // patch
        self.patch = torch.randn(d, 3 * patch * patch) * 0.02
        self.cls = torch.randn(d) * 0.02
        self.pos = torch.randn(self.g * self.g + 1, d) * 0.02
        self.layers = [dict(q=lin(d, d), k=lin(d, d), v=lin(d, d), o=lin(d, d), f1=lin(d, mlp), f2=lin(mlp, d))
                       for _ in range(layers)]

    def __call__(self, px):
        b = px.shape[0]
        x = px.reshape(b, 3, self.g, self.p, self.g, self.p).permute(0, 2, 4, 1, 3, 5).reshape(b, self.g * self.g, -1)
        x = torch.cat([self.cls.expand(b, 1, self.d), x @ self.patch.t()], 1) + self.pos
        x = torch.nn.functional.layer_norm(x, (self.d,))
        for l in self.layers[:-1]:  # hidden_states[-2]
            h = torch.nn.functional.layer_norm(x, (self.d,))
            t, dk = h.shape[1], self.d // self.h
            q = (linear(h, l["q"]) * dk ** -0.5).view(b, t, self.h, dk).transpose(1, 2)
            k = linear(h, l["k"]).view(b, t, self.h, dk).transpose(1, 2)
            v = linear(h, l["v"]).view(b, t, self.h, dk).transpose(1, 2)
            a = torch.softmax(q @ k.transpose(-1, -2), -1) @ v
            x = x + linear(a.transpose(1, 2).reshape(b, t, self.d), l["o"])
            h = torch.nn.functional.layer_norm(x, (self.d,))
            m = linear(h, l["f1"])
            x = x + linear(m * torch.sigmoid(1.702 * m), l["f2"])
        return x[:, 1:]


class Llama:
    def __init__(self, vocab, d, mlp, layers, heads, kv):
        self.d, self.h, self.kv, self.hd = d, heads, kv, d // heads
        self.emb = torch.randn(vocab, d) * 0.02
        self.layers = [dict(q=lin(d, d, False), k=lin(d, kv * self.hd, False), v=lin(d, kv * self.hd, False),
                            o=lin(d, d, False), g=lin(d, mlp, False), u=lin(d, mlp, False), dn=lin(mlp, d, False))
                       for _ in range(layers)]
        self.head = lin(d, vocab, False)
        self.inv = 1.0 / (500000.0 ** (torch.arange(0, self.hd, 2).float() / self.hd))

    @staticmethod
    def rms(x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5)

    def rope(self, x, pos):
        f = pos[:, None].float() * self.inv[None]
        e = torch.cat([f, f], -1)
        half = x.shape[-1] // 2
        rot = torch.cat([-x[..., half:], x[..., :half]], -1)
        return x * e.cos() + rot * e.sin()

    def __call__(self, ids, cache):
        b, t = ids.shape
        past = cache[0][0].shape[2] if cache else 0
        pos = torch.arange(past, past + t)
        x = self.emb[ids]
        mask = torch.full((t, past + t), float("-inf")).triu(past + 1)
        for i, l in enumerate(self.layers):
            h = self.rms(x)
            q = self.rope(linear(h, l["q"]).view(b, t, self.h, self.hd).transpose(1, 2), pos)
            k = self.rope(linear(h, l["k"]).view(b, t, self.kv, self.hd).transpose(1, 2), pos)
            v = linear(h, l["v"]).view(b, t, self.kv, self.hd).transpose(1, 2)
            if cache is not None:
                if len(cache) > i:
                    k = torch.cat([cache[i][0], k], 2)
                    v = torch.cat([cache[i][1], v], 2)
                    cache[i] = (k, v)
                else:
                    cache.append((k, v))
            rep = self.h // self.kv
            k2 = k.repeat_interleave(rep, 1)
            v2 = v.repeat_interleave(rep, 1)
            a = torch.softmax(q @ k2.transpose(-1, -2) / math.sqrt(self.hd) + mask, -1) @ v2
            x = x + linear(a.transpose(1, 2).reshape(b, t, self.d), l["o"])
            h = self.rms(x)
            g = linear(h, l["g"])
            x = x + linear(g * torch.sigmoid(g) * linear(h, l["u"]), l["dn"])
        return linear(self.rms(x), self.head)


def decode_ms(llm, vocab, context):
    t, g = time.perf_counter(), 0
    while g == 0 or warming(0, 0, t):
        cache = []
        llm(torch.randint(3, vocab, (1, context)), cache)
        for _ in range(DECODE_WARMUP):
            llm(torch.tensor([[5]]), cache)
        g += 1
    cache = []
    llm(torch.randint(3, vocab, (1, context)), cache)
    tok = torch.tensor([[5]])
    llm(tok, cache)
    ts = []
    for _ in range(STEPS):
        t0 = time.perf_counter()
        llm(tok, cache)
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    return ts[len(ts) // 2]


CONFIGS = {
    "tiny": dict(vision=(64, 256, 2, 4, 32, 4), llm=(1000, 64, 128, 2, 4, 2)),
    "medium": dict(vision=(512, 2048, 8, 8, 224, 14), llm=(32000, 512, 1376, 8, 8, 4)),
}

print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, {WARMUP} warm-up runs and at least "
      f"{WARMUP_S} s of them + median of {ITER} runs, "
      f"{STEPS} decode steps")
print("config  vision forward ms  prefill 256 ms  decode ms/token @64  decode ms/token @1024")
with torch.inference_mode():
    for name in sys.argv[1:] or ["tiny", "medium"]:
        c = CONFIGS[name]
        clip = Clip(*c["vision"])
        px = torch.randn(1, 3, c["vision"][4], c["vision"][4])
        vision = median_ms(lambda: clip(px))
        llm = Llama(*c["llm"])
        ids = torch.randint(3, c["llm"][0], (1, 256))
        prefill = median_ms(lambda: llm(ids, None)[:, -1])
        print(f"{name:7s} {vision:17.2f} {prefill:15.2f} {decode_ms(llm, c['llm'][0], 64):20.2f}"
              f" {decode_ms(llm, c['llm'][0], 1024):21.2f}")
