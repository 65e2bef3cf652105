#!/usr/bin/python3
"""Golden views of every visual front-end, restated independently from the published preprocessing code.

Run from this folder with Debian's python3 (Pillow 9.4, NumPy, python3-skimage):

    /usr/bin/python3 make_goldens.py

It writes images/*.png (small copies, crops and stretches of scikit-image's real photographs) and goldens.json:
per image and strategy, every view's role, grid position, source box and the SHA-256 of its RGB bytes (H x W x 3,
row-major, uint8), plus the visual-token count of the strategy's default assembler for a ViT with 14-px patches.

Each function below restates its published source with Pillow and NumPy (nothing here imports the toolkit):
  llava-1.5          haotian-liu/LLaVA llava/mm_utils.py: expand2square + CLIPImageProcessor
  llava-next-anyres  LLaVA-VL/LLaVA-NeXT llava/mm_utils.py: select_best_resolution, resize_and_pad_image,
                     divide_to_patches, process_anyres_image; llava/model/llava_arch.py: unpad_image
  internvl-dynamic   OpenGVLab/InternVL internvl_chat/internvl/train/dataset.py: find_closest_aspect_ratio,
                     dynamic_preprocess (use_thumbnail=True)
  s2                 bfshi/scaling_on_scales s2wrapper/core.py forward + utils.split_chessboard; every scale is
                     the source resized with Pillow's bicubic (the toolkit's documented replacement of the
                     wrapper's torch bicubic interpolate of the normalised tensor)
  monkey             Yuliang-Liu/Monkey monkey_model/visual.py encode (sliding_window over the 2S resize; the
                     global view resized with Pillow's bicubic, the documented replacement of F.interpolate)
  inf-dcm(-auto)     INF-LLaVA's DCM as the toolkit defines it (paper section 4.2): pad or grid-fit, local blocks,
                     strided global sub-images, low-resolution view

Every view then goes through the CLIP image processor step the originals apply (resize the shortest edge to S with
bicubic, centre crop S x S); the script asserts that this step leaves every S x S view unchanged.
"""
import hashlib
import json
import math
import os

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data/'
S = 336
PATCH = 14
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)


def fixtures():
    """Real photographs from scikit-image, some cropped or stretched to extreme aspect ratios."""
    load = lambda f: Image.open(SKIMAGE + f).convert('RGB')
    return {
        'astronaut.png': load('astronaut.png'),  # 512 x 512
        'chelsea.png': load('chelsea.png'),  # 451 x 300
        'rocket-portrait.png': load('rocket.jpg').crop((180, 0, 480, 427)),  # 300 x 427
        'coffee-wide.png': load('coffee.png').crop((0, 140, 600, 230)).resize((1200, 180), Image.BICUBIC),
        'motorcycle-tall.png': load('motorcycle_left.png').crop((300, 20, 420, 500)).resize((160, 960),
                                                                                             Image.BICUBIC),
        'chelsea-tiny.png': load('chelsea.png').resize((200, 150), Image.BICUBIC),
        'hubble-16x9.png': load('hubble_deep_field.jpg').crop((100, 200, 740, 560)),  # 640 x 360
        # JPEGs as files, decoded by Pillow: scikit-image's own rocket.jpg (baseline 4:2:0, an embedded Adobe RGB
        # ICC profile that Pillow does not apply) and a progressive 4:4:4 re-encoding of the tiny cat
        'rocket.jpg': SKIMAGE + 'rocket.jpg',
        'chelsea-tiny-progressive.jpg': ('chelsea.png', dict(quality=92, subsampling=0, progressive=True)),
    }


# ------------------------------------------------------------------------------------------- the CLIP processor step

def clip_processor(img, size):
    """CLIPImageProcessor's geometry: resize shortest edge to `size` (bicubic), then centre crop size x size."""
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(size * long / short)
    nw, nh = (size, new_long) if w <= h else (new_long, size)
    img = img.resize((nw, nh), Image.BICUBIC)
    top = (nh - size) // 2
    left = (nw - size) // 2
    return img.crop((left, top, left + size, top + size))


def checked(views, size):
    for v in views:
        assert v.size == (size, size), v.size
        assert np.array_equal(np.asarray(clip_processor(v, size)), np.asarray(v)), 'processor step not identity'
    return views


# ------------------------------------------------------------------------------------------------------ boxes

def span(c0, c1, num, den, post, limit):
    """Source span of canvas span [c0, c1) under c -> c * num / den - post: floor start, ceiling end, clipped."""
    s0 = (c0 * num) // den - post
    s1 = -((-c1 * num) // den) - post
    s0, s1 = max(0, s0), min(limit, s1)
    return (s0, s1) if s1 > s0 else None


def box(xs, ys):
    return None if xs is None or ys is None else [xs[0], ys[0], xs[1], ys[1]]


def scaled_box(x0, y0, x1, y1, cw, ch, w, h):
    return box(span(x0, x1, w, cw, 0, w), span(y0, y1, h, ch, 0, h))


def view(role, row, col, b, img):
    return {'role': role, 'row': row, 'col': col, 'box': b, 'image': img}


# --------------------------------------------------------------------------------------------------- llava-1.5

def expand2square(pil_img, background_color):
    width, height = pil_img.size
    if width == height:
        return pil_img
    elif width > height:
        result = Image.new(pil_img.mode, (width, width), background_color)
        result.paste(pil_img, (0, (width - height) // 2))
        return result
    else:
        result = Image.new(pil_img.mode, (height, height), background_color)
        result.paste(pil_img, ((height - width) // 2, 0))
        return result


def llava15(img):
    w, h = img.size
    sq = expand2square(img, tuple(int(x * 255) for x in CLIP_MEAN))
    v = clip_processor(sq, S)
    g = S // PATCH
    return [view('low-res', 0, 0, [0, 0, w, h], v)], g * g


# ------------------------------------------------------------------------------------------------ LLaVA-NeXT

def select_best_resolution(original_size, possible_resolutions):
    original_width, original_height = original_size
    best_fit = None
    max_effective_resolution = 0
    min_wasted_resolution = float('inf')
    for width, height in possible_resolutions:
        scale = min(width / original_width, height / original_height)
        downscaled_width, downscaled_height = int(original_width * scale), int(original_height * scale)
        effective_resolution = min(downscaled_width * downscaled_height, original_width * original_height)
        wasted_resolution = (width * height) - effective_resolution
        if effective_resolution > max_effective_resolution or (
                effective_resolution == max_effective_resolution and wasted_resolution < min_wasted_resolution):
            max_effective_resolution = effective_resolution
            min_wasted_resolution = wasted_resolution
            best_fit = (width, height)
    return best_fit


def resize_and_pad_image(image, target_resolution):
    original_width, original_height = image.size
    target_width, target_height = target_resolution
    scale_w = target_width / original_width
    scale_h = target_height / original_height
    if scale_w < scale_h:
        new_width = target_width
        new_height = min(math.ceil(original_height * scale_w), target_height)
    else:
        new_height = target_height
        new_width = min(math.ceil(original_width * scale_h), target_width)
    resized_image = image.resize((new_width, new_height))
    new_image = Image.new('RGB', (target_width, target_height), (0, 0, 0))
    paste_x = (target_width - new_width) // 2
    paste_y = (target_height - new_height) // 2
    new_image.paste(resized_image, (paste_x, paste_y))
    return new_image, (new_width, new_height, paste_x, paste_y)


def divide_to_patches(image, patch_size):
    patches = []
    width, height = image.size
    for i in range(0, height, patch_size):
        for j in range(0, width, patch_size):
            patches.append(((i // patch_size, j // patch_size), image.crop((j, i, j + patch_size, i + patch_size))))
    return patches


def unpad_image_shape(original_size, current_height, current_width):
    """unpad_image on a (C, current_height, current_width) tensor: the kept (height, width)."""
    original_width, original_height = original_size
    original_aspect_ratio = original_width / original_height
    current_aspect_ratio = current_width / current_height
    if original_aspect_ratio > current_aspect_ratio:
        scale_factor = current_width / original_width
        new_height = int(original_height * scale_factor)
        padding = (current_height - new_height) // 2
        return len(range(current_height)[padding:current_height - padding]), current_width
    scale_factor = current_height / original_height
    new_width = int(original_width * scale_factor)
    padding = (current_width - new_width) // 2
    return current_height, len(range(current_width)[padding:current_width - padding])


def anyres(img):
    w, h = img.size
    pinpoints = [[S, 2 * S], [2 * S, S], [2 * S, 2 * S], [3 * S, S], [S, 3 * S]]
    best = select_best_resolution(img.size, pinpoints)
    padded, (nw, nh, px, py) = resize_and_pad_image(img, best)
    base = img.resize((S, S))
    views = [view('base', 0, 0, [0, 0, w, h], base)]
    for (r, c), p in divide_to_patches(padded, S):
        b = box(span(c * S - px, (c + 1) * S - px, w, nw, 0, w), span(r * S - py, (r + 1) * S - py, h, nh, 0, h))
        views.append(view('tile', r, c, b, p))
    checked([v['image'] for v in views], S)
    g = S // PATCH
    kh, kw = unpad_image_shape(img.size, best[1] // S * g, best[0] // S * g)
    return views, g * g + kh * (kw + 1)


# -------------------------------------------------------------------------------------------------- InternVL

def find_closest_aspect_ratio(aspect_ratio, target_ratios, width, height, image_size):
    best_ratio_diff = float('inf')
    best_ratio = (1, 1)
    area = width * height
    for ratio in target_ratios:
        target_aspect_ratio = ratio[0] / ratio[1]
        ratio_diff = abs(aspect_ratio - target_aspect_ratio)
        if ratio_diff < best_ratio_diff:
            best_ratio_diff = ratio_diff
            best_ratio = ratio
        elif ratio_diff == best_ratio_diff:
            if area > 0.5 * image_size * image_size * ratio[0] * ratio[1]:
                best_ratio = ratio
    return best_ratio


def internvl(img, min_num=1, max_num=12, image_size=None):
    image_size = image_size or S
    orig_width, orig_height = img.size
    aspect_ratio = orig_width / orig_height
    target_ratios = set(
        (i, j) for n in range(min_num, max_num + 1) for i in range(1, n + 1) for j in range(1, n + 1) if
        i * j <= max_num and i * j >= min_num)
    target_ratios = sorted(target_ratios, key=lambda x: x[0] * x[1])
    ratio = find_closest_aspect_ratio(aspect_ratio, target_ratios, orig_width, orig_height, image_size)
    target_width = image_size * ratio[0]
    target_height = image_size * ratio[1]
    blocks = ratio[0] * ratio[1]
    resized_img = img.resize((target_width, target_height))
    views = []
    cols = target_width // image_size
    for i in range(blocks):
        x0, y0 = (i % cols) * image_size, (i // cols) * image_size
        b = scaled_box(x0, y0, x0 + image_size, y0 + image_size, target_width, target_height, orig_width,
                       orig_height)
        views.append(view('tile', i // cols, i % cols, b, resized_img.crop((x0, y0, x0 + image_size,
                                                                             y0 + image_size))))
    if len(views) != 1:
        views.append(view('thumbnail', 0, 0, [0, 0, orig_width, orig_height], img.resize((image_size, image_size))))
    # torchvision Resize((S, S), BICUBIC) on a PIL image of that size: Pillow returns it unchanged
    for v in views:
        assert np.array_equal(np.asarray(v['image'].resize((image_size, image_size), Image.BICUBIC)),
                              np.asarray(v['image']))
    g = image_size // PATCH
    return views, len(views) * (g // 2) * (g // 2)


# -------------------------------------------------------------------------------------------------------- S2

def s2(img, scales=(1, 2, 3)):
    w, h = img.size
    views = []
    for s in scales:
        size = int(S * s)
        num_split = math.ceil(size / S)
        x = img.resize((size, size), Image.BICUBIC)
        t = size // num_split
        for i in range(num_split):  # split_chessboard: '(nh nw b)', rows outer
            for j in range(num_split):
                b = scaled_box(j * t, i * t, (j + 1) * t, (i + 1) * t, size, size, w, h)
                views.append(view('scale-%d' % s, i, j, b, x.crop((j * t, i * t, (j + 1) * t, (i + 1) * t))))
    checked([v['image'] for v in views], S)
    g = S // PATCH
    return views, (g * scales[0]) ** 2


# ---------------------------------------------------------------------------------------------------- Monkey

def monkey(img):
    w, h = img.size
    big = img.resize((2 * S, 2 * S), Image.BICUBIC)  # torchvision Resize((896, 896), BICUBIC) on PIL
    views = []
    rows = cols = (2 * S - S) // S + 1  # sliding_window(window_size=S, stride=S)
    for i in range(rows):
        for j in range(cols):
            b = scaled_box(j * S, i * S, (j + 1) * S, (i + 1) * S, 2 * S, 2 * S, w, h)
            views.append(view('tile', i, j, b, big.crop((j * S, i * S, (j + 1) * S, (i + 1) * S))))
    views.append(view('thumbnail', 0, 0, [0, 0, w, h], img.resize((S, S), Image.BICUBIC)))
    checked([v['image'] for v in views], S)
    g = S // PATCH
    return views, len(views) * g * g


# --------------------------------------------------------------------------------------------------- INF DCM

def dcm(img, auto):
    w, h = img.size
    if auto:  # GRID_FIT, n = clamp(floor(side / S), 1, 3)
        nw, nh = max(1, min(3, w // S)), max(1, min(3, h // S))
        canvas = img.resize((nw * S, nh * S), Image.BICUBIC)
        xmap = lambda c0, c1: span(c0, c1, w, nw * S, 0, w)
        ymap = lambda c0, c1: span(c0, c1, h, nh * S, 0, h)
    else:  # PAD_TO_SQUARE with the mean colour, 3 x 3
        nw = nh = 3
        side = max(w, h)
        canvas = expand2square(img, tuple(int(x * 255) for x in CLIP_MEAN)).resize((3 * S, 3 * S), Image.BICUBIC)
        xmap = lambda c0, c1: span(c0, c1, side, 3 * S, (side - w) // 2, w)
        ymap = lambda c0, c1: span(c0, c1, side, 3 * S, (side - h) // 2, h)
    a = np.asarray(canvas)
    views = []
    for r in range(nh):
        for c in range(nw):
            views.append(view('local', r, c, box(xmap(c * S, (c + 1) * S), ymap(r * S, (r + 1) * S)),
                              Image.fromarray(a[r * S:(r + 1) * S, c * S:(c + 1) * S])))
    for i in range(nh):
        for j in range(nw):
            views.append(view('global', i, j, None, Image.fromarray(np.ascontiguousarray(a[i::nh, j::nw]))))
    views.append(view('low-res', 0, 0, [0, 0, w, h], canvas.resize((S, S), Image.BICUBIC)))
    g = S // PATCH
    return views, g * g


STRATEGIES = {
    'llava-1.5': llava15,
    'llava-next-anyres': anyres,
    'internvl-dynamic': internvl,
    's2': s2,
    'monkey': monkey,
    'inf-dcm': lambda im: dcm(im, False),
    'inf-dcm-auto': lambda im: dcm(im, True),
}


# Other view sizes S (InternVL and Monkey run at 448, LLaVA-NeXT's pinpoints scale with S), on a few images:
# entries named "strategy@S".
OTHER_SIZES = {'astronaut.png': [('internvl-dynamic', 448), ('monkey', 448), ('llava-next-anyres', 448)],
               'coffee-wide.png': [('internvl-dynamic', 448), ('llava-next-anyres', 224), ('s2', 224)],
               'rocket.jpg': [('llava-1.5', 224), ('monkey', 448), ('inf-dcm', 224)]}


def sha(img):
    return hashlib.sha256(np.ascontiguousarray(np.asarray(img.convert('RGB'), dtype=np.uint8)).tobytes()).hexdigest()


def main():
    global S
    os.makedirs(os.path.join(HERE, 'images'), exist_ok=True)
    out = {'sub_size': S, 'patch': PATCH, 'images': []}
    for name, img in fixtures().items():
        path = os.path.join(HERE, 'images', name)
        if isinstance(img, str):
            with open(img, 'rb') as src, open(path, 'wb') as dst:
                dst.write(src.read())
        elif isinstance(img, tuple):
            Image.open(SKIMAGE + img[0]).convert('RGB').resize((200, 150), Image.BICUBIC).save(path, **img[1])
        else:
            img.save(path, optimize=True)
        img = Image.open(path).convert('RGB')  # exactly the committed pixels
        entry = {'file': 'images/' + name, 'width': img.size[0], 'height': img.size[1], 'strategies': {}}
        runs = [(n, n, 336) for n in STRATEGIES] + [(n + '@%d' % size, n, size) for n, size in
                                                     OTHER_SIZES.get(name, [])]
        for key, sname, size in runs:
            S = size
            views, tokens = STRATEGIES[sname](img)
            S = 336
            entry['strategies'][key] = {
                'visual_tokens': tokens,
                'views': [{'role': v['role'], 'row': v['row'], 'col': v['col'], 'box': v['box'],
                           'sha256': sha(v['image'])} for v in views],
            }
        out['images'].append(entry)
        print(name, img.size, {k: len(v['views']) for k, v in entry['strategies'].items()})
    with open(os.path.join(HERE, 'goldens.json'), 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
