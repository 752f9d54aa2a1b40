"""The sample detector's logic (samples/python-detector/detector.py), timing itself: the
bench subtracts OWN_NS (the function's own time) from the bridge's round trip."""
import time

import numpy as np

OWN_NS = [0]
NOOP = [False]  # set by the bench: return at once (the bridge's floor)


def describe():
    return {"id": "bench.red-py", "version": "1.0.0", "labels": ["mostly-red"]}


def analyze(image, item):
    start = time.perf_counter_ns()
    found = []
    if not NOOP[0] and image.ndim == 3:
        rgb = image[:, :, :3].astype(np.int16)
        red = (rgb[:, :, 0] > 150) & (rgb[:, :, 0] > rgb[:, :, 1] + 60) & \
              (rgb[:, :, 0] > rgb[:, :, 2] + 60)
        share = float(red.mean())
        if share >= 0.5:
            found = [{"label": "mostly-red", "score": share, "severity": "low",
                      "reason": f"{share:.0%} of {item['width']}x{item['height']} pixels are red"}]
    OWN_NS[0] += time.perf_counter_ns() - start
    return found
