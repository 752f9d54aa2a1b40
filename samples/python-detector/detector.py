"""A Vigil detector in Python: flags images that are mostly red (docs/python.md)."""
import numpy as np


def describe():
    return {"id": "sample.mostly-red", "version": "1.0.0", "labels": ["mostly-red"],
            "description": "Sample Python detector: share of strongly red pixels"}


def analyze(image, item):
    # image: read-only numpy view, (height, width, 3) RGB uint8 (4 with alpha, 2-D gray).
    if image.ndim != 3:
        return []
    rgb = image[:, :, :3].astype(np.int16)
    red = (rgb[:, :, 0] > 150) & (rgb[:, :, 0] > rgb[:, :, 1] + 60) & \
          (rgb[:, :, 0] > rgb[:, :, 2] + 60)
    share = float(red.mean())
    if share < 0.5:
        return []
    return [{"label": "mostly-red", "score": share, "severity": "low",
             "reason": f"{share:.0%} of {item['width']}x{item['height']} pixels are red"}]
