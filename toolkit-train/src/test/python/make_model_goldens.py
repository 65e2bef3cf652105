#!/usr/bin/python3
"""Generate tiny random Hugging Face-format checkpoints plus golden outputs.

Regenerate (from the repository root, with Debian's interpreter: PyTorch + numpy + PIL,
no `transformers` needed):

    /usr/bin/python3 toolkit-train/src/test/python/make_model_goldens.py \
        toolkit-train/src/test/resources/golden

This script implements the forward semantics of Hugging Face's CLIPVisionModel
(CLIPVisionTransformer: conv patch embedding, class token, position embedding,
pre_layrnorm, pre-LN encoder layers with quick_gelu MLP, post_layernorm pooling),
CLIPImageProcessor preprocessing, LlamaForCausalLM (RMSNorm, GQA eager attention,
llama3-scaled RoPE, SwiGLU MLP, untied lm_head) and the LLaVA mlp2x_gelu projector
from scratch in plain PyTorch (float32), and writes safetensors files by hand.
Everything is deterministic (torch.manual_seed(1234)).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float32)

OUT = sys.argv[1] if len(sys.argv) > 1 else "toolkit-train/src/test/resources/golden"
WRITTEN = []


# ----------------------------------------------------------------------------- I/O helpers

def _path(rel):
    p = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def save_npy(rel, arr):
    if isinstance(arr, torch.Tensor):
        arr = arr.detach().cpu().numpy()
    arr = np.ascontiguousarray(np.asarray(arr, dtype=np.float32))
    np.save(_path(rel), arr)
    WRITTEN.append(rel)


def save_json(rel, obj):
    with open(_path(rel), "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    WRITTEN.append(rel)


def tensor_bytes(t, dtype):
    t = t.detach().contiguous()
    if dtype == "F32":
        return t.to(torch.float32).numpy().astype("<f4").tobytes()
    if dtype == "BF16":
        return t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
    raise ValueError(dtype)


def save_safetensors(rel, tensors, dtype="F32"):
    """tensors: ordered dict name -> tensor. Returns number of data bytes."""
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        b = tensor_bytes(t, dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(_path(rel), "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)
    WRITTEN.append(rel)
    return off


def load_safetensors(rel):
    """Independent re-reader used for self-checks. Returns ordered dict name -> f32 tensor."""
    with open(os.path.join(OUT, rel), "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0, "header not padded to 8"
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    out, expect = {}, 0
    for name, meta in header.items():
        b, e = meta["data_offsets"]
        assert b == expect, "tensors not contiguous in header order"
        expect = e
        raw = body[b:e]
        if meta["dtype"] == "F32":
            a = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        elif meta["dtype"] == "BF16":
            a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(meta["dtype"])
        out[name] = torch.from_numpy(a.copy()).reshape(meta["shape"])
    assert expect == len(body), "trailing bytes in safetensors"
    return out


# ----------------------------------------------------------------------------- CLIP vision

CLIP_CFG = {
    "model_type": "clip_vision_model",
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 3,
    "num_attention_heads": 4,
    "num_channels": 3,
    "image_size": 28,
    "patch_size": 4,
    "hidden_act": "quick_gelu",
    "layer_norm_eps": 1e-05,
}


def w_(*shape, std):
    return torch.randn(*shape) * std


def ln_w(n):
    return 1.0 + 0.1 * torch.randn(n)


def bias_(n):
    return 0.05 * torch.randn(n)


def make_clip_weights(cfg):
    D, I, C, P = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_channels"], cfg["patch_size"]
    npos = (cfg["image_size"] // P) ** 2 + 1
    W = {}
    pre = "vision_model."
    W[pre + "embeddings.patch_embedding.weight"] = w_(D, C, P, P, std=0.1)
    W[pre + "embeddings.class_embedding"] = w_(D, std=0.1)
    W[pre + "embeddings.position_embedding.weight"] = w_(npos, D, std=0.1)
    W[pre + "pre_layrnorm.weight"] = ln_w(D)
    W[pre + "pre_layrnorm.bias"] = bias_(D)
    for n in range(cfg["num_hidden_layers"]):
        L = pre + "encoder.layers.%d." % n
        for p in ("q_proj", "k_proj", "v_proj", "out_proj"):
            W[L + "self_attn.%s.weight" % p] = w_(D, D, std=0.1)
            W[L + "self_attn.%s.bias" % p] = bias_(D)
        W[L + "layer_norm1.weight"] = ln_w(D)
        W[L + "layer_norm1.bias"] = bias_(D)
        W[L + "mlp.fc1.weight"] = w_(I, D, std=0.1)
        W[L + "mlp.fc1.bias"] = bias_(I)
        W[L + "mlp.fc2.weight"] = w_(D, I, std=0.1)
        W[L + "mlp.fc2.bias"] = bias_(D)
        W[L + "layer_norm2.weight"] = ln_w(D)
        W[L + "layer_norm2.bias"] = bias_(D)
    W[pre + "post_layernorm.weight"] = ln_w(D)
    W[pre + "post_layernorm.bias"] = bias_(D)
    return W


def clip_forward(W, cfg, pixels):
    """Returns (hidden_states tuple of num_layers+1 tensors, pooled)."""
    D, H, eps, P = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"], cfg["patch_size"]
    hd = D // H
    pre = "vision_model."
    B = pixels.shape[0]
    patch = F.conv2d(pixels, W[pre + "embeddings.patch_embedding.weight"], bias=None, stride=P)
    patch = patch.flatten(2).transpose(1, 2)  # (B, 49, D), row-major over grid
    cls = W[pre + "embeddings.class_embedding"].expand(B, 1, D)
    x = torch.cat([cls, patch], dim=1) + W[pre + "embeddings.position_embedding.weight"][None]
    x = F.layer_norm(x, (D,), W[pre + "pre_layrnorm.weight"], W[pre + "pre_layrnorm.bias"], eps)
    hs = [x]
    T = x.shape[1]
    for n in range(cfg["num_hidden_layers"]):
        L = pre + "encoder.layers.%d." % n
        r = x
        h = F.layer_norm(x, (D,), W[L + "layer_norm1.weight"], W[L + "layer_norm1.bias"], eps)
        q = F.linear(h, W[L + "self_attn.q_proj.weight"], W[L + "self_attn.q_proj.bias"]) * hd ** -0.5
        k = F.linear(h, W[L + "self_attn.k_proj.weight"], W[L + "self_attn.k_proj.bias"])
        v = F.linear(h, W[L + "self_attn.v_proj.weight"], W[L + "self_attn.v_proj.bias"])
        q, k, v = (t.view(B, T, H, hd).transpose(1, 2) for t in (q, k, v))
        a = torch.softmax(q @ k.transpose(-1, -2), dim=-1) @ v
        a = a.transpose(1, 2).reshape(B, T, D)
        a = F.linear(a, W[L + "self_attn.out_proj.weight"], W[L + "self_attn.out_proj.bias"])
        x = r + a
        r = x
        h = F.layer_norm(x, (D,), W[L + "layer_norm2.weight"], W[L + "layer_norm2.bias"], eps)
        h = F.linear(h, W[L + "mlp.fc1.weight"], W[L + "mlp.fc1.bias"])
        h = h * torch.sigmoid(1.702 * h)  # quick_gelu
        h = F.linear(h, W[L + "mlp.fc2.weight"], W[L + "mlp.fc2.bias"])
        x = r + h
        hs.append(x)
    pooled = F.layer_norm(x[:, 0], (D,), W[pre + "post_layernorm.weight"], W[pre + "post_layernorm.bias"], eps)
    return hs, pooled


CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def clip_preprocess(img, size):
    """HF CLIPImageProcessor: shortest_edge resize (bicubic), center crop, rescale, normalize."""
    from PIL import Image
    img = img.convert("RGB")
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    nw, nh = (new_short, new_long) if w <= h else (new_long, new_short)
    img = img.resize((nw, nh), resample=Image.BICUBIC)
    a = np.asarray(img)  # (H, W, 3) uint8
    top, left = (nh - size) // 2, (nw - size) // 2
    a = a[top:top + size, left:left + size]
    a = (a.astype(np.float64) * (1 / 255)).astype(np.float32)
    a = (a - np.array(CLIP_MEAN, dtype=np.float32)) / np.array(CLIP_STD, dtype=np.float32)
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))[None], (nw, nh, top, left)


# ----------------------------------------------------------------------------- LLaMA

LLAMA_CFG = {
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "vocab_size": 96,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "rms_norm_eps": 1e-05,
    "rope_theta": 500000.0,
    "rope_scaling": {
        "rope_type": "llama3",
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        # Deviation from the brief (16): with head_dim 16 and theta 5e5 the shortest
        # wavelength is 2*pi ~ 6.28 > 16/4, so the "keep" (high-frequency) band could
        # never be hit. 64 gives keep (6.28 < 16), smoothed (16 <= 32.4 <= 64) and
        # low (>64) bands.
        "original_max_position_embeddings": 64,
    },
    "max_position_embeddings": 256,
    "tie_word_embeddings": False,
    "hidden_act": "silu",
    "bos_token_id": 1,
    "eos_token_id": 2,
}


def make_llama_weights(cfg):
    D, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = D // H
    W = {"model.embed_tokens.weight": w_(V, D, std=0.08)}
    for n in range(cfg["num_hidden_layers"]):
        L = "model.layers.%d." % n
        W[L + "self_attn.q_proj.weight"] = w_(H * hd, D, std=0.08)
        W[L + "self_attn.k_proj.weight"] = w_(KV * hd, D, std=0.08)
        W[L + "self_attn.v_proj.weight"] = w_(KV * hd, D, std=0.08)
        W[L + "self_attn.o_proj.weight"] = w_(D, H * hd, std=0.08)
        W[L + "mlp.gate_proj.weight"] = w_(I, D, std=0.08)
        W[L + "mlp.up_proj.weight"] = w_(I, D, std=0.08)
        W[L + "mlp.down_proj.weight"] = w_(D, I, std=0.08)
        W[L + "input_layernorm.weight"] = ln_w(D)
        W[L + "post_attention_layernorm.weight"] = ln_w(D)
    W["model.norm.weight"] = ln_w(D)
    W["lm_head.weight"] = w_(V, D, std=0.08)
    return W


def llama3_inv_freq(cfg):
    """Returns (inv_freq f32 (hd/2,), list of band names)."""
    hd = cfg["hidden_size"] // cfg["num_attention_heads"]
    base = cfg["rope_theta"]
    inv_freq = 1.0 / (base ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    rs = cfg["rope_scaling"]
    factor, lf, hf = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    old = rs["original_max_position_embeddings"]
    low_wl, high_wl = old / lf, old / hf
    out, bands = [], []
    for f in inv_freq.tolist():
        f32 = torch.tensor(f, dtype=torch.float32)
        wl = 2 * math.pi / f32
        if wl < high_wl:
            out.append(f32)
            bands.append("keep")
        elif wl > low_wl:
            out.append(f32 / factor)
            bands.append("low")
        else:
            smooth = (old / wl - lf) / (hf - lf)
            out.append((1 - smooth) * f32 / factor + smooth * f32)
            bands.append("smooth")
    inv = torch.stack(out).to(torch.float32)
    # cross-check against the vectorised HF formulation
    wl = 2 * math.pi / inv_freq
    v = torch.where(wl > low_wl, inv_freq / factor, inv_freq)
    sm = (old / wl - lf) / (hf - lf)
    smoothed = (1 - sm) * v / factor + sm * v
    medium = ~(wl < high_wl) * ~(wl > low_wl)
    v = torch.where(medium, smoothed, v)
    assert torch.allclose(v, inv, rtol=1e-6, atol=0), (v, inv)
    return v, bands


def rms(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def llama_forward(W, cfg, ids, attn_mask=None):
    """ids (B,T) long; attn_mask (B,T) 0/1 or None. Returns logits (B,T,V)."""
    D, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, eps = D // H, cfg["rms_norm_eps"]
    B, T = ids.shape
    if attn_mask is None:
        attn_mask = torch.ones(B, T, dtype=torch.long)
    attn_mask = attn_mask.long()
    pos = attn_mask.cumsum(-1) - 1
    pos = pos.masked_fill(attn_mask == 0, 1)
    inv_freq, _ = llama3_inv_freq(cfg)
    freqs = pos[:, :, None].float() * inv_freq[None, None, :]
    emb = torch.cat([freqs, freqs], dim=-1)
    cos, sin = emb.cos()[:, None], emb.sin()[:, None]  # (B,1,T,hd)
    qi = torch.arange(T)[:, None]
    ki = torch.arange(T)[None, :]
    allowed = (ki <= qi)[None] & (attn_mask[:, None, :] == 1)  # (B,T,T)
    neg = torch.finfo(torch.float32).min
    add_mask = torch.zeros(B, 1, T, T).masked_fill(~allowed[:, None], neg)

    x = W["model.embed_tokens.weight"][ids]
    for n in range(cfg["num_hidden_layers"]):
        L = "model.layers.%d." % n
        r = x
        h = rms(x, W[L + "input_layernorm.weight"], eps)
        q = F.linear(h, W[L + "self_attn.q_proj.weight"]).view(B, T, H, hd).transpose(1, 2)
        k = F.linear(h, W[L + "self_attn.k_proj.weight"]).view(B, T, KV, hd).transpose(1, 2)
        v = F.linear(h, W[L + "self_attn.v_proj.weight"]).view(B, T, KV, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(hd) + add_mask
        p = torch.softmax(s.float(), dim=-1).to(q.dtype)
        a = (p @ v).transpose(1, 2).reshape(B, T, H * hd)
        x = r + F.linear(a, W[L + "self_attn.o_proj.weight"])
        r = x
        h = rms(x, W[L + "post_attention_layernorm.weight"], eps)
        h = F.linear(F.silu(F.linear(h, W[L + "mlp.gate_proj.weight"])) * F.linear(h, W[L + "mlp.up_proj.weight"]),
                     W[L + "mlp.down_proj.weight"])
        x = r + h
    x = rms(x, W["model.norm.weight"], eps)
    return F.linear(x, W["lm_head.weight"])


def greedy(W, cfg, prompt, n_new):
    ids = prompt.clone()
    out = []
    for _ in range(n_new):
        nxt = llama_forward(W, cfg, ids)[0, -1].argmax().item()
        out.append(nxt)
        ids = torch.cat([ids, torch.tensor([[nxt]])], dim=1)
    return out


def make_tokenizer(V):
    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3}
    for i in range(4, V):
        vocab["w%d" % i] = i
    assert len(vocab) == V
    added = [{"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for c, i in [("<pad>", 0), ("<s>", 1), ("</s>", 2)]]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": None,
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"},
    }, vocab


# ----------------------------------------------------------------------------- main

def main():
    os.makedirs(OUT, exist_ok=True)

    # ---- 1. CLIP vision
    cfg = CLIP_CFG
    CW = make_clip_weights(cfg)
    save_json("clip_vision/config.json", cfg)
    save_safetensors("clip_vision/model.safetensors", CW)
    pixels = torch.randn(2, 3, 28, 28)
    save_npy("clip_pixels.npy", pixels)
    hs, pooled = clip_forward(CW, cfg, pixels)
    save_npy("clip_hidden_states.npy", torch.stack(hs))
    save_npy("clip_pooled.npy", pooled)

    full = dict(CW)
    full["text_model.embeddings.token_embedding.weight"] = w_(10, 16, std=0.1)
    full["logit_scale"] = torch.tensor([2.6592])
    save_json("clip_full/config.json", {"model_type": "clip", "vision_config": dict(cfg),
                                        "text_config": {"hidden_size": 16}})
    save_safetensors("clip_full/model.safetensors", full)

    from PIL import Image
    rgb = torch.randint(0, 256, (30, 40, 3), dtype=torch.int64).to(torch.uint8).numpy()
    Image.fromarray(rgb, mode="RGB").save(_path("clip_image.png"))
    WRITTEN.append("clip_image.png")
    img = Image.open(_path("clip_image.png"))
    assert img.size == (40, 30) and np.array_equal(np.asarray(img.convert("RGB")), rgb)
    ipx, geo = clip_preprocess(img, cfg["image_size"])
    save_npy("clip_image_pixels.npy", ipx)
    ihs, _ = clip_forward(CW, cfg, ipx)
    save_npy("clip_image_features_layer-2_patch.npy", ihs[-2][0, 1:])
    save_npy("clip_image_features_layer-1_cls_patch.npy", ihs[-1][0])

    # CLIP self-checks: re-read both checkpoints, recompute
    for rel in ("clip_vision/model.safetensors", "clip_full/model.safetensors"):
        R = load_safetensors(rel)
        for k, t in (CW.items() if rel.startswith("clip_vision") else full.items()):
            assert torch.equal(R[k], t), (rel, k)
        assert len(R) == (len(CW) if rel.startswith("clip_vision") else len(full))
    # cross-check attention with torch's MultiheadAttention for layer 0
    L = "vision_model.encoder.layers.0."
    mha = torch.nn.MultiheadAttention(32, 4, batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([CW[L + "self_attn.%s_proj.weight" % p] for p in "qkv"]))
        mha.in_proj_bias.copy_(torch.cat([CW[L + "self_attn.%s_proj.bias" % p] for p in "qkv"]))
        mha.out_proj.weight.copy_(CW[L + "self_attn.out_proj.weight"])
        mha.out_proj.bias.copy_(CW[L + "self_attn.out_proj.bias"])
        x0 = hs[0]
        h = F.layer_norm(x0, (32,), CW[L + "layer_norm1.weight"], CW[L + "layer_norm1.bias"], 1e-5)
        x = x0 + mha(h, h, h, need_weights=False)[0]
        h = F.layer_norm(x, (32,), CW[L + "layer_norm2.weight"], CW[L + "layer_norm2.bias"], 1e-5)
        fc1 = F.linear(h, CW[L + "mlp.fc1.weight"], CW[L + "mlp.fc1.bias"])
        x = x + F.linear(fc1 * torch.sigmoid(1.702 * fc1), CW[L + "mlp.fc2.weight"], CW[L + "mlp.fc2.bias"])
        assert torch.allclose(x, hs[1], atol=1e-5), (x - hs[1]).abs().max()

    # ---- 2. LLaMA
    cfg = LLAMA_CFG
    V = cfg["vocab_size"]
    LW = make_llama_weights(cfg)
    save_json("llama/config.json", cfg)
    shard1 = {k: t for k, t in LW.items() if k == "model.embed_tokens.weight" or k.startswith("model.layers.0.")}
    shard2 = {k: t for k, t in LW.items() if k not in shard1}
    n1 = save_safetensors("llama/model-00001-of-00002.safetensors", shard1)
    n2 = save_safetensors("llama/model-00002-of-00002.safetensors", shard2)
    wmap = {k: "model-00001-of-00002.safetensors" for k in shard1}
    wmap.update({k: "model-00002-of-00002.safetensors" for k in shard2})
    save_json("llama/model.safetensors.index.json", {"metadata": {"total_size": n1 + n2}, "weight_map": wmap})

    _, bands = llama3_inv_freq(cfg)
    assert set(bands) == {"keep", "low", "smooth"}, bands

    ids = torch.cat([torch.tensor([[1]]), torch.randint(3, V, (1, 11))], dim=1)
    save_npy("llama_ids.npy", ids.float())
    with torch.no_grad():
        logits = llama_forward(LW, cfg, ids)[0]
    save_npy("llama_logits.npy", logits)

    row0 = torch.cat([torch.tensor([1]), torch.randint(3, V, (9,))])
    row1 = torch.cat([torch.zeros(3, dtype=torch.long), torch.tensor([1]), torch.randint(3, V, (6,))])
    bids = torch.stack([row0, row1])
    bmask = torch.tensor([[1] * 10, [0] * 3 + [1] * 7])
    save_npy("llama_batch_ids.npy", bids.float())
    save_npy("llama_batch_mask.npy", bmask.float())
    with torch.no_grad():
        blogits = llama_forward(LW, cfg, bids, bmask)
        assert torch.isfinite(blogits).all()
        # consistency: batched rows equal unbatched, unpadded runs
        s0 = llama_forward(LW, cfg, row0[None])[0]
        s1 = llama_forward(LW, cfg, row1[3:][None])[0]
        assert torch.allclose(blogits[0], s0, atol=1e-5), (blogits[0] - s0).abs().max()
        assert torch.allclose(blogits[1, 3:], s1, atol=1e-5), (blogits[1, 3:] - s1).abs().max()
    save_npy("llama_batch_logits.npy", blogits)

    with torch.no_grad():
        gen = greedy(LW, cfg, ids, 8)
    save_npy("llama_greedy.npy", torch.tensor(gen, dtype=torch.float32))

    # BF16 copy
    save_json("llama_bf16/config.json", cfg)
    save_safetensors("llama_bf16/model.safetensors", LW, dtype="BF16")
    LWb = {k: t.to(torch.bfloat16).to(torch.float32) for k, t in LW.items()}
    with torch.no_grad():
        blog = llama_forward(LWb, cfg, ids)[0]
    save_npy("llama_bf16_logits.npy", blog)

    # tokenizer + text
    tok, vocab = make_tokenizer(V)
    save_json("llama/tokenizer.json", tok)
    words = ["w%d" % i for i in torch.randint(4, V, (6,)).tolist()]
    text = " ".join(words)
    with open(_path("llama_text.txt"), "w") as f:
        f.write(text + "\n")
    WRITTEN.append("llama_text.txt")
    tids = torch.tensor([[vocab[w] for w in text.split()]])
    save_npy("llama_text_ids.npy", tids[0].float())
    with torch.no_grad():
        save_npy("llama_text_logits.npy", llama_forward(LW, cfg, tids)[0])

    # LLaMA self-checks: re-read shards via the index, and the bf16 file
    idx = json.load(open(os.path.join(OUT, "llama/model.safetensors.index.json")))
    RW = {}
    for shard in sorted(set(idx["weight_map"].values())):
        part = load_safetensors("llama/" + shard)
        for k in part:
            assert idx["weight_map"][k] == shard
        RW.update(part)
    assert set(RW) == set(LW) and all(torch.equal(RW[k], LW[k]) for k in LW)
    assert idx["metadata"]["total_size"] == sum(t.numel() * 4 for t in LW.values())
    RB = load_safetensors("llama_bf16/model.safetensors")
    assert set(RB) == set(LW) and all(torch.equal(RB[k], LWb[k]) for k in LW)
    with torch.no_grad():
        assert torch.equal(llama_forward(RB, cfg, ids)[0], blog)
        assert torch.equal(llama_forward(RW, cfg, ids)[0], logits)
    # logits of the greedy prompt must continue with gen[0]
    assert logits[-1].argmax().item() == gen[0]

    # ---- 3. mm projector (mlp2x_gelu)
    PW = {
        "mm_projector.0.weight": w_(64, 32, std=0.1),
        "mm_projector.0.bias": bias_(64),
        "mm_projector.2.weight": w_(64, 64, std=0.1),
        "mm_projector.2.bias": bias_(64),
    }
    save_safetensors("projector.safetensors", PW)
    pin = torch.randn(5, 32)
    save_npy("projector_in.npy", pin)
    pout = F.linear(F.gelu(F.linear(pin, PW["mm_projector.0.weight"], PW["mm_projector.0.bias"])),
                    PW["mm_projector.2.weight"], PW["mm_projector.2.bias"])
    ref = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.GELU(), torch.nn.Linear(64, 64))
    ref.load_state_dict({k[len("mm_projector."):]: v for k, v in load_safetensors("projector.safetensors").items()})
    with torch.no_grad():
        assert torch.allclose(ref(pin), pout, atol=1e-6)
    save_npy("projector_out.npy", pout)

    # ---- summary
    total = 0
    print("wrote to", OUT)
    for rel in WRITTEN:
        sz = os.path.getsize(os.path.join(OUT, rel))
        total += sz
        print("  %-48s %8d bytes" % (rel, sz))
    print("total %d bytes (%.2f MB)" % (total, total / 1e6))
    inv, _ = llama3_inv_freq(cfg)
    print("rope inv_freq bands (head_dim 16):", ", ".join("%d:%s" % (i, b) for i, b in enumerate(bands)))
    print("rope inv_freq:", ["%.6g" % f for f in inv.tolist()])
    print("clip image resize -> %dx%d (WxH), crop top=%d left=%d" % geo)
    print("llama_ids:", ids[0].tolist())
    print("llama_greedy:", gen)
    print("llama_text: %r -> %s" % (text, tids[0].tolist()))
    print("max |bf16 logits - f32 logits|: %.4g" % (blog - logits).abs().max().item())


if __name__ == "__main__":
    main()
