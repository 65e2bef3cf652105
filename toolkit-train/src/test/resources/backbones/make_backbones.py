#!/usr/bin/python3
"""Tiny random checkpoints of the backbone families beyond LLaMA-3 / CLIP, with their expected outputs.

Regenerate (from the repository root, Debian's interpreter: PyTorch 1.13 + numpy + Pillow, no `transformers`):

    /usr/bin/python3 toolkit-train/src/test/resources/backbones/make_backbones.py \
        toolkit-train/src/test/resources/backbones

The forward passes restate, in plain float32 PyTorch, the semantics of Hugging Face's modelling code:

* LlamaForCausalLM, LLaMA-2 / Vicuna style: no grouped-query attention (num_key_value_heads absent, so equal to
  num_attention_heads), RoPE base 10000 without scaling, untied lm_head.
* Qwen2ForCausalLM: bias on q_proj / k_proj / v_proj (none on o_proj), RoPE base 1e6, tied embeddings (no
  lm_head.weight in the file), GQA; use_sliding_window false, so its sliding_window field has no effect.
* MistralForCausalLM with sliding_window 4: query i attends keys j with i - 4 < j <= i. A 10-token prompt and 8
  greedy tokens (each by a full recompute) go well past the window.
* SiglipVisionModel: conv patch embedding with bias, no class token, position embeddings for the patches only, no
  pre-layernorm, pre-LN encoder layers with gelu_pytorch_tanh, post_layernorm on every token; the pooling head's
  weights are in the file (a loader must ignore them) but not used, as LLaVA-style models read hidden_states.

Everything is deterministic (torch.manual_seed(19)).
"""
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

torch.manual_seed(19)
OUT = sys.argv[1] if len(sys.argv) > 1 else "toolkit-train/src/test/resources/backbones"


def path(rel):
    p = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def npy(rel, a):
    np.save(path(rel), np.ascontiguousarray(np.asarray(a.detach() if isinstance(a, torch.Tensor) else a,
                                                       dtype=np.float32)))


def config(rel, obj):
    with open(path(rel), "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def safetensors(rel, tensors):
    """Little-endian float32 safetensors, tensors in insertion order."""
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path(rel), "wb") as f:
        f.write(struct.pack("<Q", len(hb)) + hb + b"".join(blobs))


def rnd(*shape, std=0.1):
    return torch.randn(*shape) * std


def norm_weight(n):
    return 1.0 + 0.1 * torch.randn(n)


# ----------------------------------------------------------------------------------------------- decoder LLMs

def llm_weights(cfg, qkv_bias, tied):
    d, inter, vocab = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    nh = cfg["num_attention_heads"]
    kvh = cfg.get("num_key_value_heads", nh)
    hd = d // nh
    w = {"model.embed_tokens.weight": rnd(vocab, d, std=0.3)}
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        w[p + "input_layernorm.weight"] = norm_weight(d)
        w[p + "self_attn.q_proj.weight"] = rnd(nh * hd, d, std=0.2)
        w[p + "self_attn.k_proj.weight"] = rnd(kvh * hd, d, std=0.2)
        w[p + "self_attn.v_proj.weight"] = rnd(kvh * hd, d, std=0.2)
        if qkv_bias:
            w[p + "self_attn.q_proj.bias"] = rnd(nh * hd, std=0.3)
            w[p + "self_attn.k_proj.bias"] = rnd(kvh * hd, std=0.3)
            w[p + "self_attn.v_proj.bias"] = rnd(kvh * hd, std=0.3)
        w[p + "self_attn.o_proj.weight"] = rnd(d, nh * hd, std=0.2)
        w[p + "post_attention_layernorm.weight"] = norm_weight(d)
        w[p + "mlp.gate_proj.weight"] = rnd(inter, d, std=0.2)
        w[p + "mlp.up_proj.weight"] = rnd(inter, d, std=0.2)
        w[p + "mlp.down_proj.weight"] = rnd(d, inter, std=0.2)
    w["model.norm.weight"] = norm_weight(d)
    if not tied:
        w["lm_head.weight"] = rnd(vocab, d, std=0.3)
    return w


def rmsnorm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def half_turn(x):
    """[x1, x2] -> [-x2, x1] over the last axis."""
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


def decoder_logits(w, cfg, ids, window=None):
    """ids (1, T) -> logits (1, T, V). window: key j is visible to query i iff i - window < j <= i."""
    d, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    kvh = cfg.get("num_key_value_heads", nh)
    hd, eps = d // nh, cfg["rms_norm_eps"]
    t = ids.shape[1]
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2).float() / hd))
    ang = torch.arange(t).float()[:, None] * inv[None, :]  # (T, hd/2)
    ang = torch.cat((ang, ang), dim=-1)
    cos, sin = ang.cos(), ang.sin()
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    visible = j <= i
    if window is not None:
        visible = visible & (j > i - window)
    bias = torch.zeros(t, t).masked_fill(~visible, torch.finfo(torch.float32).min)

    def proj(h, p, name):
        b = w.get(p + "self_attn.%s.bias" % name)
        return F.linear(h, w[p + "self_attn.%s.weight" % name], b)

    x = w["model.embed_tokens.weight"][ids[0]]  # (T, d)
    for n in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % n
        h = rmsnorm(x, w[p + "input_layernorm.weight"], eps)
        q = proj(h, p, "q_proj").view(t, nh, hd).transpose(0, 1)  # (nh, T, hd)
        k = proj(h, p, "k_proj").view(t, kvh, hd).transpose(0, 1)
        v = proj(h, p, "v_proj").view(t, kvh, hd).transpose(0, 1)
        q = q * cos + half_turn(q) * sin
        k = k * cos + half_turn(k) * sin
        group = nh // kvh
        k = k[:, None].expand(kvh, group, t, hd).reshape(nh, t, hd)
        v = v[:, None].expand(kvh, group, t, hd).reshape(nh, t, hd)
        att = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(hd) + bias, dim=-1)
        o = (att @ v).transpose(0, 1).reshape(t, nh * hd)
        x = x + F.linear(o, w[p + "self_attn.o_proj.weight"])
        h = rmsnorm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = F.linear(h, w[p + "mlp.gate_proj.weight"])
        x = x + F.linear(gate * torch.sigmoid(gate) * F.linear(h, w[p + "mlp.up_proj.weight"]),
                         w[p + "mlp.down_proj.weight"])
    x = rmsnorm(x, w["model.norm.weight"], eps)
    head = w.get("lm_head.weight", w["model.embed_tokens.weight"])
    return F.linear(x, head)[None]


def greedy(w, cfg, prompt, steps, window=None):
    seq = prompt.clone()
    out = []
    for _ in range(steps):
        nxt = int(decoder_logits(w, cfg, seq, window)[0, -1].argmax())
        out.append(nxt)
        seq = torch.cat((seq, torch.tensor([[nxt]])), dim=1)
    return out


def write_llm(name, cfg, qkv_bias, tied, window=None):
    w = llm_weights(cfg, qkv_bias, tied)
    config(name + "/config.json", cfg)
    safetensors(name + "/model.safetensors", w)
    ids = torch.randint(0, cfg["vocab_size"], (1, 10))
    with torch.no_grad():
        logits = decoder_logits(w, cfg, ids, window)
        gen = greedy(w, cfg, ids, 8, window)
    npy(name + "_ids.npy", ids.float())
    npy(name + "_logits.npy", logits[0])
    npy(name + "_greedy.npy", torch.tensor(gen).float())
    return w, ids, logits


LLAMA2 = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 48, "hidden_size": 32,
    "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "hidden_act": "silu",
    "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "rope_scaling": None,
    "tie_word_embeddings": False, "bos_token_id": 1, "eos_token_id": 2,
}
QWEN2 = {
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 48, "hidden_size": 32,
    "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
    "hidden_act": "silu", "max_position_embeddings": 64, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
    "tie_word_embeddings": True, "use_sliding_window": False, "sliding_window": 4, "max_window_layers": 2,
    "bos_token_id": 1, "eos_token_id": 2,
}
MISTRAL = {
    "architectures": ["MistralForCausalLM"], "model_type": "mistral", "vocab_size": 48, "hidden_size": 32,
    "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
    "hidden_act": "silu", "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
    "sliding_window": 4, "tie_word_embeddings": False, "bos_token_id": 1, "eos_token_id": 2,
}

# ---------------------------------------------------------------------------------------------------- SigLIP

SIGLIP = {
    "model_type": "siglip_vision_model", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_channels": 3, "image_size": 16, "patch_size": 4,
    "hidden_act": "gelu_pytorch_tanh", "layer_norm_eps": 1e-6,
}


def siglip_weights(cfg):
    d, inter, c, p = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_channels"], cfg["patch_size"]
    patches = (cfg["image_size"] // p) ** 2
    v = "vision_model."
    w = {v + "embeddings.patch_embedding.weight": rnd(d, c, p, p, std=0.2),
         v + "embeddings.patch_embedding.bias": rnd(d, std=0.2),
         v + "embeddings.position_embedding.weight": rnd(patches, d, std=0.2)}
    for i in range(cfg["num_hidden_layers"]):
        p_ = v + "encoder.layers.%d." % i
        w[p_ + "layer_norm1.weight"] = norm_weight(d)
        w[p_ + "layer_norm1.bias"] = rnd(d, std=0.05)
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            w[p_ + "self_attn.%s.weight" % name] = rnd(d, d, std=0.2)
            w[p_ + "self_attn.%s.bias" % name] = rnd(d, std=0.05)
        w[p_ + "layer_norm2.weight"] = norm_weight(d)
        w[p_ + "layer_norm2.bias"] = rnd(d, std=0.05)
        w[p_ + "mlp.fc1.weight"] = rnd(inter, d, std=0.2)
        w[p_ + "mlp.fc1.bias"] = rnd(inter, std=0.05)
        w[p_ + "mlp.fc2.weight"] = rnd(d, inter, std=0.2)
        w[p_ + "mlp.fc2.bias"] = rnd(d, std=0.05)
    w[v + "post_layernorm.weight"] = norm_weight(d)
    w[v + "post_layernorm.bias"] = rnd(d, std=0.05)
    # The multihead-attention pooling head: present in published SigLIP files, unused by LLaVA-style models.
    w[v + "head.probe"] = rnd(1, 1, d)
    w[v + "head.attention.in_proj_weight"] = rnd(3 * d, d)
    w[v + "head.attention.in_proj_bias"] = rnd(3 * d)
    w[v + "head.attention.out_proj.weight"] = rnd(d, d)
    w[v + "head.attention.out_proj.bias"] = rnd(d)
    w[v + "head.layernorm.weight"] = norm_weight(d)
    w[v + "head.layernorm.bias"] = rnd(d)
    w[v + "head.mlp.fc1.weight"] = rnd(inter, d)
    w[v + "head.mlp.fc1.bias"] = rnd(inter)
    w[v + "head.mlp.fc2.weight"] = rnd(d, inter)
    w[v + "head.mlp.fc2.bias"] = rnd(d)
    return w


def tanh_gelu(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def siglip_states(w, cfg, pixels):
    """pixels (B, 3, S, S) -> [embeddings, layer 1, ..., layer L] each (B, P, d), and post_layernorm(last)."""
    d, nh, eps, p = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"], cfg["patch_size"]
    hd = d // nh
    v = "vision_model."
    x = F.conv2d(pixels, w[v + "embeddings.patch_embedding.weight"], w[v + "embeddings.patch_embedding.bias"],
                 stride=p)  # (B, d, g, g)
    x = x.flatten(2).transpose(1, 2) + w[v + "embeddings.position_embedding.weight"]  # (B, P, d)
    b, t, _ = x.shape
    states = [x]
    for i in range(cfg["num_hidden_layers"]):
        p_ = v + "encoder.layers.%d." % i

        def lin(h, name):
            return F.linear(h, w[p_ + name + ".weight"], w[p_ + name + ".bias"])

        h = F.layer_norm(x, (d,), w[p_ + "layer_norm1.weight"], w[p_ + "layer_norm1.bias"], eps)
        q, k, vv = (lin(h, "self_attn." + n).view(b, t, nh, hd).transpose(1, 2) for n in ("q_proj", "k_proj", "v_proj"))
        att = torch.softmax(q @ k.transpose(-1, -2) * hd ** -0.5, dim=-1)
        x = x + lin((att @ vv).transpose(1, 2).reshape(b, t, d), "self_attn.out_proj")
        h = F.layer_norm(x, (d,), w[p_ + "layer_norm2.weight"], w[p_ + "layer_norm2.bias"], eps)
        x = x + lin(tanh_gelu(lin(h, "mlp.fc1")), "mlp.fc2")
        states.append(x)
    last = F.layer_norm(x, (d,), w[v + "post_layernorm.weight"], w[v + "post_layernorm.bias"], eps)
    return states, last


def write_siglip():
    w = siglip_weights(SIGLIP)
    config("siglip/config.json", SIGLIP)
    safetensors("siglip/model.safetensors", w)
    # The same tower inside a full SigLIP config (text half absent from the weights: only vision_model.* is read).
    full = {"architectures": ["SiglipModel"], "model_type": "siglip",
            "text_config": {"hidden_size": 32, "vocab_size": 48},
            "vision_config": {k: val for k, val in SIGLIP.items() if k != "model_type"}}
    config("siglip_full/config.json", full)
    shutil.copyfile(path("siglip/model.safetensors"), path("siglip_full/model.safetensors"))
    pixels = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        states, last = siglip_states(w, SIGLIP, pixels)
    npy("siglip_pixels.npy", pixels)
    npy("siglip_hidden_states.npy", torch.stack(states))  # (L + 1, B, P, d)
    npy("siglip_last_hidden_state.npy", last)
    # An image already at image_size: SiglipImageProcessor's resize is then the identity; rescale 1/255,
    # normalise with mean 0.5 and std 0.5.
    img = (torch.rand(16, 16, 3) * 255).round().to(torch.uint8).numpy()
    Image.fromarray(img, "RGB").save(path("siglip_image.png"))
    px = (torch.from_numpy(img.astype(np.float32) / 255.0) - 0.5) / 0.5
    with torch.no_grad():
        image_states, _ = siglip_states(w, SIGLIP, px.permute(2, 0, 1)[None])
    npy("siglip_image_features_layer-2.npy", image_states[-2][0])  # (16, 32): every patch, no class token


if __name__ == "__main__":
    write_llm("llama2", LLAMA2, qkv_bias=False, tied=False)
    write_llm("qwen2", QWEN2, qkv_bias=True, tied=True)
    w, ids, windowed = write_llm("mistral", MISTRAL, qkv_bias=False, tied=False, window=MISTRAL["sliding_window"])
    # Self-check: the window matters on these inputs: the first 4 positions see no more than 4 keys either way,
    # later ones differ clearly from full causal attention.
    with torch.no_grad():
        full = decoder_logits(w, MISTRAL, ids)
    assert torch.allclose(full[0, :4], windowed[0, :4], atol=1e-6)
    assert (full[0, 4:] - windowed[0, 4:]).abs().max() > 1e-2
    write_siglip()
    for root, _, files in sorted(os.walk(OUT)):
        for f in sorted(files):
            if not f.endswith(".py"):
                print(os.path.join(root, f), os.path.getsize(os.path.join(root, f)))
