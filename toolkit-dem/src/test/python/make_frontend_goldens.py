"""Golden values for the token assemblers of org.infllava.frontend, restating the published code in plain PyTorch.

Writes toolkit-dem/src/test/resources/frontend/*.npy. Run from the repository root:
    /usr/bin/python3 toolkit-dem/src/test/python/make_frontend_goldens.py

Sources restated (behaviour only):
  * LLaVA-NeXT llava/model/llava_arch.py: unpad_image and the "spatial_unpad" branch of
    prepare_inputs_labels_for_multimodal (base features first, tiles viewed (nH, nW, h, w, C), permuted
    (C, nH, h, nW, w), flattened, unpadded to the original (width, height), image_newline appended per row).
  * InternVL internvl_chat/.../modeling_internvl_chat.py: pixel_shuffle (ps_version v2) in extract_feature.
  * S2 s2wrapper/core.py forward + utils.merge_chessboard: per scale merge the s*s splits, F.interpolate(mode='area')
    to the first scale's size, concatenate along channels ('bnc' output, no prefix token).
The feature inputs are random (seeded); the Java tests feed the same inputs and compare.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "frontend")


def save(name, t):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(t.detach().numpy(), dtype=np.float32))


def unpad_image(tensor, original_size):
    original_width, original_height = original_size
    current_height, current_width = tensor.shape[1:]
    original_aspect_ratio = original_width / original_height
    current_aspect_ratio = current_width / current_height
    if original_aspect_ratio > current_aspect_ratio:
        scale_factor = current_width / original_width
        new_height = int(original_height * scale_factor)
        padding = (current_height - new_height) // 2
        return tensor[:, padding: current_height - padding, :]
    scale_factor = current_height / original_height
    new_width = int(original_width * scale_factor)
    padding = (current_width - new_width) // 2
    return tensor[:, :, padding: current_width - padding]


def spatial_unpad(image_feature, num_patch_height, num_patch_width, image_size, image_newline):
    base_image_feature = image_feature[0]
    image_feature = image_feature[1:]
    height = width = int(round(base_image_feature.shape[0] ** 0.5))
    image_feature = image_feature.view(num_patch_height, num_patch_width, height, width, -1)
    image_feature = image_feature.permute(4, 0, 2, 1, 3).contiguous()
    image_feature = image_feature.flatten(1, 2).flatten(2, 3)
    image_feature = unpad_image(image_feature, image_size)
    image_feature = torch.cat((image_feature, image_newline[:, None, None].expand(*image_feature.shape[:-1], 1)),
                              dim=-1)
    image_feature = image_feature.flatten(1, 2).transpose(0, 1)
    return torch.cat((base_image_feature, image_feature), dim=0)


def pixel_shuffle(x, scale_factor=0.5):
    n, w, h, c = x.size()
    x = x.view(n, w, int(h * scale_factor), int(c / scale_factor))
    x = x.permute(0, 2, 1, 3).contiguous()
    x = x.view(n, int(h * scale_factor), int(w * scale_factor), int(c / (scale_factor * scale_factor)))
    x = x.permute(0, 2, 1, 3).contiguous()
    return x


def merge_chessboard(x, num_split):
    # einops '(nh nw b) c h w -> b c (nh h) (nw w)'
    bb, c, h, w = x.shape
    b = bb // (num_split * num_split)
    x = x.view(num_split, num_split, b, c, h, w).permute(2, 3, 0, 4, 1, 5)
    return x.reshape(b, c, num_split * h, num_split * w)


def s2_merge(outs_multiscale, num_splits):
    # outs: per scale (s*s, g*g, C) in 'bnc' layout; 'b (h w) c -> b c h w'
    maps = []
    for out in outs_multiscale:
        side = int(round(out.shape[1] ** 0.5))
        maps.append(out.view(out.shape[0], side, side, -1).permute(0, 3, 1, 2))
    maps = [merge_chessboard(m, num_split=s) for s, m in zip(num_splits, maps)]
    output_size = maps[0].shape[-2]
    out = torch.cat([F.interpolate(m.to(torch.float32), size=output_size, mode='area') for m in maps], dim=1)
    return out.permute(0, 2, 3, 1).reshape(out.shape[0], -1, out.shape[1])  # 'b c h w -> b (h w) c'


def main():
    os.makedirs(OUT, exist_ok=True)
    g, d = 4, 8
    # anyres: (tiles nH x nW, original width x height): a wide image unpads rows, a tall one columns.
    for name, (nh, nw, size) in {"anyres_wide": (1, 2, (100, 37)), "anyres_tall": (3, 1, (30, 130))}.items():
        torch.manual_seed(7 if name.endswith("wide") else 8)
        feats = torch.randn(1 + nh * nw, g * g, d)
        newline = torch.randn(d)
        save(name + "_features", feats)
        save(name + "_newline", newline)
        save(name + "_tokens", spatial_unpad(feats, nh, nw, size, newline)[None])
    torch.manual_seed(9)
    feats = torch.randn(3, g * g, d)
    save("pixel_shuffle_features", feats)
    shuffled = pixel_shuffle(feats.view(3, g, g, d))
    save("pixel_shuffle_tokens", shuffled.reshape(1, -1, shuffled.shape[-1]))
    torch.manual_seed(10)
    scales = [1, 2, 3]
    feats = torch.randn(sum(s * s for s in scales), g * g, d)
    save("s2_features", feats)
    outs, start = [], 0
    for s in scales:
        outs.append(feats[start:start + s * s])
        start += s * s
    save("s2_tokens", s2_merge(outs, scales))


if __name__ == "__main__":
    main()
