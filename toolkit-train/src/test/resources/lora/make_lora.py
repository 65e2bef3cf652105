#!/usr/bin/env python3
"""Independent goldens for the toolkit's LoRA adapters (org.infllava.train.lora).

Restates, in plain PyTorch (no transformers, no peft), a Hugging Face LlamaForCausalLM forward pass and PEFT's LoRA
Linear layer:

    y = x W^T + (lora_alpha / r) * (dropout(x) A^T) B^T        A: (r, in), B: (out, r)

and PEFT's file layout for a causal LM: adapter_config.json (peft_type "LORA", r, lora_alpha, target_modules,
lora_dropout, bias "none", base_model_name_or_path, task_type "CAUSAL_LM") and adapter_model.safetensors with keys
base_model.model.<module path>.lora_A.weight / .lora_B.weight (the adapter name "default" is not in the saved keys).

    python3 make_lora.py            writes the fixtures next to this script:
        llama/               a tiny random LlamaForCausalLM (config.json, model.safetensors)
        adapter/             a PEFT adapter on every Linear layer of it, with random non-zero B
        ids.npy              the token ids scored
        logits_base.npy      (T, V) logits of the base
        logits_adapter.npy   (T, V) logits with the adapter
    python3 make_lora.py check ADAPTER_DIR LOGITS.npy
        checks that ADAPTER_DIR (written by the toolkit) has PEFT's layout and that the base plus that adapter gives
        LOGITS.npy (written by the toolkit) at rtol 1e-4; prints OK or exits 1.
"""
import json
import math
import os
import re
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "base_model.model."

CFG = {
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "vocab_size": 64,
    "hidden_size": 32,
    "intermediate_size": 48,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "rms_norm_eps": 1e-6,
    "rope_theta": 10000.0,
    "max_position_embeddings": 64,
    "tie_word_embeddings": False,
    "hidden_act": "silu",
    "bos_token_id": 1,
    "eos_token_id": 2,
}
RANK, ALPHA = 4, 8
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
IDS = [1, 17, 5, 42, 9, 33, 60, 2]


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        b = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        assert v["dtype"] == "F32", (k, v["dtype"])
        a, b = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype="<f4").copy()).reshape(v["shape"])
    return out


def linear_modules(cfg):
    """(module path, in, out) of every Linear layer of a LlamaForCausalLM."""
    d, f = cfg["hidden_size"], cfg["intermediate_size"]
    hd = d // cfg["num_attention_heads"]
    kv = cfg["num_key_value_heads"] * hd
    mods = []
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        mods += [(p + "self_attn.q_proj", d, d), (p + "self_attn.k_proj", d, kv), (p + "self_attn.v_proj", d, kv),
                 (p + "self_attn.o_proj", d, d), (p + "mlp.gate_proj", d, f), (p + "mlp.up_proj", d, f),
                 (p + "mlp.down_proj", f, d)]
    mods.append(("lm_head", d, cfg["vocab_size"]))
    return mods


def make_base(cfg, gen):
    W = {"model.embed_tokens.weight": torch.randn(cfg["vocab_size"], cfg["hidden_size"], generator=gen) * 0.5}
    for name, i, o in linear_modules(cfg):
        W[name + ".weight"] = (torch.rand(o, i, generator=gen) * 2 - 1) / math.sqrt(i)
    for l in range(cfg["num_hidden_layers"]):
        for n in ("input_layernorm", "post_attention_layernorm"):
            W["model.layers.%d.%s.weight" % (l, n)] = 1 + 0.1 * torch.randn(cfg["hidden_size"], generator=gen)
    W["model.norm.weight"] = 1 + 0.1 * torch.randn(cfg["hidden_size"], generator=gen)
    return W


def peft_targets(path, targets):
    """PEFT's list rule: the module path equals a name or ends with '.' + name."""
    return any(path == t or path.endswith("." + t) for t in targets)


def make_adapter(cfg, gen):
    """A: kaiming_uniform_(a=sqrt(5)) = U(+-1/sqrt(in)) as PEFT initialises it; B: random, non-zero (a trained one)."""
    A = {}
    for name, i, o in linear_modules(cfg):
        if peft_targets(name, TARGETS):
            A[PREFIX + name + ".lora_A.weight"] = (torch.rand(RANK, i, generator=gen) * 2 - 1) / math.sqrt(i)
            A[PREFIX + name + ".lora_B.weight"] = torch.randn(o, RANK, generator=gen) * 0.2
    return A


def forward(W, cfg, ids, lora=None, scale=0.0):
    """LlamaForCausalLM logits (T, V) of one unpadded sequence, with optional LoRA matrices by PEFT key."""
    d = cfg["hidden_size"]
    nh, kvh = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = d // nh
    eps = cfg["rms_norm_eps"]
    T = len(ids)

    def lin(x, name):
        y = x @ W[name + ".weight"].T
        if lora is not None and (PREFIX + name + ".lora_A.weight") in lora:
            a = lora[PREFIX + name + ".lora_A.weight"]
            b = lora[PREFIX + name + ".lora_B.weight"]
            y = y + scale * ((x @ a.T) @ b.T)   # dropout is the identity at inference
        return y

    def rms(x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w

    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    ang = torch.arange(T, dtype=torch.float32)[:, None] * inv[None, :]       # (T, hd/2)
    emb = torch.cat([ang, ang], -1)                                          # (T, hd)
    cos, sin = emb.cos(), emb.sin()

    def rope(x):                                                             # x: (heads, T, hd)
        x1, x2 = x[..., : hd // 2], x[..., hd // 2:]
        return x * cos + torch.cat([-x2, x1], -1) * sin

    causal = torch.full((T, T), float("-inf")).triu(1)
    h = W["model.embed_tokens.weight"][torch.tensor(ids)]                    # (T, d)
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        x = rms(h, W[p + "input_layernorm.weight"])
        q = lin(x, p + "self_attn.q_proj").view(T, nh, hd).transpose(0, 1)   # (nh, T, hd)
        k = lin(x, p + "self_attn.k_proj").view(T, kvh, hd).transpose(0, 1)  # (kvh, T, hd)
        v = lin(x, p + "self_attn.v_proj").view(T, kvh, hd).transpose(0, 1)
        q, k = rope(q), rope(k)
        k = k.repeat_interleave(nh // kvh, 0)                                # (nh, T, hd)
        v = v.repeat_interleave(nh // kvh, 0)
        att = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(hd) + causal, -1)
        o = (att @ v).transpose(0, 1).reshape(T, d)                          # (T, d)
        h = h + lin(o, p + "self_attn.o_proj")
        x = rms(h, W[p + "post_attention_layernorm.weight"])
        g = lin(x, p + "mlp.gate_proj")
        h = h + lin(torch.nn.functional.silu(g) * lin(x, p + "mlp.up_proj"), p + "mlp.down_proj")
    return lin(rms(h, W["model.norm.weight"]), "lm_head")


def adapter_config(base):
    return {"peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": base, "r": RANK,
            "lora_alpha": ALPHA, "lora_dropout": 0.05, "target_modules": TARGETS, "bias": "none",
            "fan_in_fan_out": False, "use_rslora": False, "use_dora": False, "init_lora_weights": True,
            "inference_mode": True, "modules_to_save": None, "layers_to_transform": None,
            "rank_pattern": {}, "alpha_pattern": {}}


def make():
    gen = torch.Generator().manual_seed(20260)
    W = make_base(CFG, gen)
    lora = make_adapter(CFG, gen)
    os.makedirs(os.path.join(HERE, "llama"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "adapter"), exist_ok=True)
    with open(os.path.join(HERE, "llama", "config.json"), "w") as f:
        json.dump(CFG, f, indent=2)
    write_safetensors(os.path.join(HERE, "llama", "model.safetensors"), W)
    with open(os.path.join(HERE, "adapter", "adapter_config.json"), "w") as f:
        json.dump(adapter_config("tiny-llama"), f, indent=2)
    write_safetensors(os.path.join(HERE, "adapter", "adapter_model.safetensors"), lora)
    with torch.no_grad():
        base = forward(W, CFG, IDS)
        adapted = forward(W, CFG, IDS, lora, ALPHA / RANK)
    np.save(os.path.join(HERE, "ids.npy"), np.array(IDS, dtype=np.float32))  # ids as float32 (the fixture reader takes <f4)
    np.save(os.path.join(HERE, "logits_base.npy"), base.numpy().astype(np.float32))
    np.save(os.path.join(HERE, "logits_adapter.npy"), adapted.numpy().astype(np.float32))
    print("max |adapted - base| =", float((adapted - base).abs().max()))


def check(adapter_dir, logits_file, base_dir=os.path.join(HERE, "llama")):
    with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
        c = json.load(f)
    for k in ("peft_type", "r", "lora_alpha", "target_modules", "lora_dropout", "bias", "base_model_name_or_path",
              "task_type"):
        assert k in c, "adapter_config.json lacks " + k
    assert c["peft_type"] == "LORA" and c["bias"] == "none" and c["task_type"] == "CAUSAL_LM", c
    with open(os.path.join(base_dir, "config.json")) as f:
        cfg = json.load(f)
    W = read_safetensors(os.path.join(base_dir, "model.safetensors"))
    lora = read_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"))
    r = c["r"]
    expected = set()
    tm = c["target_modules"]
    for name, i, o in linear_modules(cfg):
        # PEFT: a string is a regular expression over the whole module path, a list a set of name suffixes
        if re.fullmatch(tm, name) is not None if isinstance(tm, str) else peft_targets(name, tm):
            expected |= {PREFIX + name + ".lora_A.weight", PREFIX + name + ".lora_B.weight"}
            assert tuple(lora[PREFIX + name + ".lora_A.weight"].shape) == (r, i)
            assert tuple(lora[PREFIX + name + ".lora_B.weight"].shape) == (o, r)
    assert set(lora) == expected, sorted(set(lora) ^ expected)
    with torch.no_grad():
        ours = forward(W, cfg, IDS, lora, c["lora_alpha"] / r).numpy()
    theirs = np.load(logits_file)
    ok = np.allclose(theirs, ours, rtol=1e-4, atol=1e-5)
    print("OK" if ok else "MISMATCH", "max abs diff", float(np.abs(theirs - ours).max()))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        make()
