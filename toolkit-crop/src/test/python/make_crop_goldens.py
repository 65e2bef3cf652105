#!/usr/bin/python3
"""Independent golden values for toolkit-crop, computed with Pillow, NumPy and PyTorch (not with the toolkit).

Regenerate (Debian: apt-get install python3-pil python3-numpy python3-torch):
    /usr/bin/python3 toolkit-crop/src/test/python/make_crop_goldens.py toolkit-crop/src/test/resources/golden
Seeds are fixed, so the files are reproducible with the same library versions
(written with Pillow 9.4.0, NumPy 1.24.2, PyTorch 1.13).
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

out = sys.argv[1] if len(sys.argv) > 1 else "golden"
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(20240717)


def smooth_noise(h, w):
    """Natural-looking texture: low-frequency blobs plus fine noise, uint8 RGB."""
    base = rng.random((h // 8 + 2, w // 8 + 2, 3))
    big = np.kron(base, np.ones((8, 8, 1)))[:h, :w]
    img = 0.7 * big * 255 + 0.3 * rng.random((h, w, 3)) * 255
    return np.clip(img, 0, 255).astype(np.uint8)


# 1. Pillow bicubic resize (what CLIP / LLaVA image processors run), down, up and mixed.
src = smooth_noise(97, 123)
Image.fromarray(src).save(f"{out}/resize_src.png")
resize_cases = [(64, 48), (300, 250), (20, 140), (41, 97), (123, 33)]
for w, h in resize_cases:
    Image.fromarray(src).resize((w, h), Image.BICUBIC).save(f"{out}/resize_pil_{w}x{h}.png")

# 2. PyTorch bicubic interpolate, align_corners=False, no antialias (the reference low-res view).
x = torch.from_numpy(rng.standard_normal((1, 3, 10, 12)).astype(np.float32))
np.save(f"{out}/torch_bicubic_in.npy", x.numpy()[0])
for oh, ow in [(4, 5), (7, 9), (15, 20)]:
    y = F.interpolate(x, size=(oh, ow), mode="bicubic", align_corners=False)
    np.save(f"{out}/torch_bicubic_{oh}x{ow}.npy", y.numpy()[0])

# 3. The crop contract on a 70x50 image: crops as NumPy slices, straight from eq. (13) and (17).
img = smooth_noise(50, 70)
Image.fromarray(img).save(f"{out}/contract_src.png")
cases = {}


def crops(canvas, n_w, n_h, s_w, s_h):
    local = {f"local-{r}-{c}": canvas[r * s_h:(r + 1) * s_h, c * s_w:(c + 1) * s_w] for r in range(n_h) for c in range(n_w)}
    glob = {f"global-{i}-{j}": canvas[i::n_h, j::n_w] for i in range(n_h) for j in range(n_w)}
    return {**local, **glob}


# --resize none, sub 10: 70x50 is a 7x5 grid exactly.
cases["none_s10"] = crops(img, 7, 5, 10, 10)
# --resize truncate, sub 16: floor(70/16)=4, floor(50/16)=3 -> top-left 64x48.
cases["truncate_s16"] = crops(img[:48, :64], 4, 3, 16, 16)
# --resize grid --grid 3x2, sub 12: bicubic resize to 36x24.
cases["grid_s12_3x2"] = crops(np.asarray(Image.fromarray(img).resize((36, 24), Image.BICUBIC)), 3, 2, 12, 12)
# --resize pad --grid 2x2, sub 16: expand2square with int(255*mean) then resize to 32x32.
mean = (0.48145466, 0.4578275, 0.40821073)
bg = tuple(int(m * 255) for m in mean)
sq = Image.new("RGB", (70, 70), bg)
sq.paste(Image.fromarray(img), (0, (70 - 50) // 2))
padded = np.asarray(sq.resize((32, 32), Image.BICUBIC))
cases["pad_s16_2x2"] = crops(padded, 2, 2, 16, 16)
cases["pad_s16_2x2"]["low-res"] = np.asarray(Image.fromarray(padded).resize((16, 16), Image.BICUBIC))
for name, d in cases.items():
    for k, a in d.items():
        np.save(f"{out}/contract_{name}_{k}.npy", np.ascontiguousarray(a))

# 4. RGB conversions as Pillow's convert("RGB") does them.
rgba = np.concatenate([smooth_noise(9, 11), rng.integers(0, 256, (9, 11, 1), dtype=np.uint8)], axis=2)
Image.fromarray(rgba, "RGBA").save(f"{out}/conv_rgba.png")
gray = smooth_noise(9, 11)[:, :, 0]
Image.fromarray(gray, "L").save(f"{out}/conv_gray.png")
pal = Image.fromarray(smooth_noise(9, 11)).convert("P", palette=Image.ADAPTIVE, colors=16)
pal.save(f"{out}/conv_palette.png")
for name in ["rgba", "gray", "palette"]:
    np.save(f"{out}/conv_{name}_rgb.npy", np.asarray(Image.open(f"{out}/conv_{name}.png").convert("RGB")))
cmyk = np.zeros((16, 16, 4), dtype=np.uint8)
cmyk[:, :8, 0] = 200   # cyan ink on the left half
cmyk[:8, :, 1] = 120   # magenta ink on the top half
cmyk[:, :, 2] = np.arange(16, dtype=np.uint8)[None, :] * 12
cmyk[12:, :, 3] = 90   # black ink at the bottom
Image.fromarray(cmyk, "CMYK").save(f"{out}/conv_cmyk.jpg", quality=100)
np.save(f"{out}/conv_cmyk_rgb.npy", np.asarray(Image.open(f"{out}/conv_cmyk.jpg").convert("RGB")))
g16 = (rng.random((9, 11)) * 65535).astype(np.uint16)
Image.fromarray(g16, "I;16").save(f"{out}/conv_gray16.png")
# Pillow would clip 16-bit values at 255; the toolkit scales: round(v * 255 / 65535).
np.save(f"{out}/conv_gray16_rgb.npy", np.repeat(((g16.astype(np.int64) * 255 + 32767) // 65535).astype(np.uint8)[:, :, None], 3, axis=2))

# 5. CLIP normalisation of three pixels, as CLIPImageProcessor computes it (rescale 1/255 then normalise, float32).
pix = np.array([[[255, 0, 128], [0, 255, 64], [122, 116, 104]]], dtype=np.uint8)
std = (0.26862954, 0.26130258, 0.27577711)
norm = ((pix.astype(np.float32) * np.float32(1 / 255)) - np.array(mean, np.float32)) / np.array(std, np.float32)
np.save(f"{out}/normalize_pixels.npy", pix.astype(np.float32))
np.save(f"{out}/normalize_expected.npy", np.ascontiguousarray(norm.transpose(2, 0, 1)).astype(np.float32))

with open(f"{out}/VERSIONS.json", "w") as f:
    json.dump({"pillow": Image.__version__, "numpy": np.__version__, "torch": torch.__version__}, f)
print("wrote", len(os.listdir(out)), "files to", out)
