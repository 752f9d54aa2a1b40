#!/usr/bin/python3
"""A labelled benign corpus for bench/eval/eval_vs_scan.sh, derived from the shared PDQ images.

    make_pdq_corpus.py SHARED_PDQ_IMAGES OUT_DIR N

Writes OUT_DIR/items/imgNNNNNN.jpg (N JPEGs) and OUT_DIR/corpus.csv (`path,label`). Item i is
shared image i mod M (M: the images under SHARED_PDQ_IMAGES that Pillow opens), cropped by
0-15% on each side, scaled so that its longer side is 320-800 px and saved at JPEG quality
70-95, every choice drawn from a seeded generator: the same N always gives the same files.
Items from the images the demo bank lists (the bridge photo and its edits, c.png, the pen and
coaster, LabelMe q0122) are labelled "known", the others "benign". All test data, all benign.
"""

import os
import random
import sys

from PIL import Image, ImageOps

KNOWN = ("bridge-mods", "c.png", "pen-and-coaster", "q0122")


def main(argv):
    if len(argv) != 4:
        sys.exit("usage: make_pdq_corpus.py SHARED_PDQ_IMAGES OUT_DIR N")
    source, out, n = argv[1], argv[2], int(argv[3])
    images = []
    for root, _, files in sorted(os.walk(source)):
        for name in sorted(files):
            path = os.path.join(root, name)
            try:
                with Image.open(path) as im:
                    im.load()
                    images.append((path, ImageOps.exif_transpose(im).convert("RGB")))
            except (OSError, ValueError):
                continue  # lists, manifests, READMEs
    if not images:
        sys.exit("make_pdq_corpus: no images under %s" % source)
    os.makedirs(os.path.join(out, "items"), exist_ok=True)
    rng = random.Random(17)
    with open(os.path.join(out, "corpus.csv"), "w") as csv:
        csv.write("path,label\n")
        for i in range(n):
            path, im = images[i % len(images)]
            w, h = im.size
            left, right, top, bottom = (rng.uniform(0, 0.15) for _ in range(4))
            box = (int(w * left), int(h * top), max(int(w * left) + 1, int(w * (1 - right))),
                   max(int(h * top) + 1, int(h * (1 - bottom))))
            crop = im.crop(box)
            side = rng.randint(320, 800)
            scale = side / max(crop.size)
            size = (max(1, round(crop.size[0] * scale)), max(1, round(crop.size[1] * scale)))
            name = "img%06d.jpg" % i
            crop.resize(size, Image.BILINEAR).save(os.path.join(out, "items", name),
                                                   quality=rng.randint(70, 95))
            label = "known" if any(k in path for k in KNOWN) else "benign"
            csv.write("items/%s,%s\n" % (name, label))
    print("make_pdq_corpus: %d items from %d shared images in %s" % (n, len(images), out))


if __name__ == "__main__":
    main(sys.argv)
