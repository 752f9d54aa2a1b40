#!/usr/bin/python3
"""Test data for convert_tfjs_to_onnx.py, independent of nsfwjs.

Builds two small tfjs layers models with random weights (a functional one that uses every
supported layer kind, including asymmetric SAME padding, dilation, a depth multiplier,
uint8-quantised weights and a Flatten over a 2x2 map; and a Sequential one), converts
them with the converter, and computes what TensorFlow would output for a fixed input with
an independent numpy implementation of the Keras layers (NHWC, as Keras defines them).
The C++ test (converter_test.cc) runs the ONNX models through both backends and compares.

functional_nchw is the functional model converted with --input-layout NCHW.
For each model, OUT_DIR/<name>/ gets: model.json + group1-shard1of1 (the tfjs model),
model.onnx, manifest.json, input.rgb (H*W*3 bytes; the manifest's size, so no resize
happens and the tensor is pixels/255) and expected.json.

Usage: make_converter_test.py OUT_DIR
"""

import json
import math
import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert_tfjs_to_onnx  # noqa: E402

RNG = np.random.default_rng(7)


# [SECTION] numpy reference of the Keras layers (NHWC, one image) -----------------------

def same_pads(size, k, s, d):
    out = math.ceil(size / s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def pad_for(x, cfg, k, s, d):
    if cfg.get("padding", "valid") == "valid":
        return x
    (t, b), (l, r) = same_pads(x.shape[0], k[0], s[0], d[0]), same_pads(x.shape[1], k[1], s[1], d[1])
    return np.pad(x, ((t, b), (l, r), (0, 0)))


def windows(x, k, s, d):
    """Yields (i, j, patch[kh, kw, C]) over output positions."""
    h, w, _ = x.shape
    oh = (h - ((k[0] - 1) * d[0] + 1)) // s[0] + 1
    ow = (w - ((k[1] - 1) * d[1] + 1)) // s[1] + 1
    for i in range(oh):
        for j in range(ow):
            yield i, j, oh, ow, x[i * s[0]: i * s[0] + (k[0] - 1) * d[0] + 1: d[0],
                                  j * s[1]: j * s[1] + (k[1] - 1) * d[1] + 1: d[1], :]


def conv(x, kernel, cfg, depthwise=False):
    kh, kw = kernel.shape[:2]
    s, d = cfg.get("strides", [1, 1]), cfg.get("dilation_rate", [1, 1])
    x = pad_for(x, cfg, (kh, kw), s, d).astype(np.float64)
    out = None
    for i, j, oh, ow, patch in windows(x, (kh, kw), s, d):
        if depthwise:  # kernel [kh, kw, C, M] -> output channel c*M + m
            v = np.einsum("hwc,hwcm->cm", patch, kernel).reshape(-1)
        else:
            v = np.einsum("hwc,hwco->o", patch, kernel)
        if out is None:
            out = np.zeros((oh, ow, v.shape[0]))
        out[i, j] = v
    return out


def pool(x, cfg, op):
    k = cfg["pool_size"]
    s = cfg.get("strides") or k
    if cfg.get("padding", "valid") == "same":
        (t, b), (l, r) = same_pads(x.shape[0], k[0], s[0], 1), same_pads(x.shape[1], k[1], s[1], 1)
        x = np.pad(x, ((t, b), (l, r), (0, 0)), constant_values=np.nan)
    out = None
    for i, j, oh, ow, patch in windows(x, k, s, (1, 1)):
        v = (np.nanmax if op == "max" else np.nanmean)(patch.reshape(-1, x.shape[2]), axis=0)
        if out is None:
            out = np.zeros((oh, ow, x.shape[2]))
        out[i, j] = v
    return out


def activation(x, kind):
    if kind in (None, "linear"):
        return x
    if kind == "relu":
        return np.maximum(x, 0)
    if kind == "relu6":
        return np.clip(x, 0, 6)
    if kind == "softmax":
        e = np.exp(x - x.max())
        return e / e.sum()
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if kind == "tanh":
        return np.tanh(x)
    raise ValueError(kind)


def reference(layers, weights, image):
    values = {}
    for layer in layers:
        cls, cfg, name = layer["class_name"], layer["config"], layer["name"]
        ins = [values[r[0]] for r in layer["inbound_nodes"][0]] if layer["inbound_nodes"] else []
        x = ins[0] if ins else None
        w = lambda key: weights[f"{name}/{key}"].astype(np.float64)  # noqa: E731
        if cls == "InputLayer":
            y = image
        elif cls == "ZeroPadding2D":
            (t, b), (l, r) = cfg["padding"]
            y = np.pad(x, ((t, b), (l, r), (0, 0)))
        elif cls == "Conv2D":
            y = conv(x, w("kernel"), cfg)
            if cfg.get("use_bias", True):
                y = y + w("bias")
            y = activation(y, cfg.get("activation"))
        elif cls == "DepthwiseConv2D":
            y = activation(conv(x, w("depthwise_kernel"), cfg, depthwise=True), cfg.get("activation"))
        elif cls == "BatchNormalization":
            y = (x - w("moving_mean")) / np.sqrt(w("moving_variance") + cfg["epsilon"]) * w("gamma") + w("beta")
        elif cls == "ReLU":
            y = np.clip(x, 0, cfg["max_value"]) if cfg.get("max_value") is not None else np.maximum(x, 0)
        elif cls == "Add":
            y = sum(ins)
        elif cls == "Concatenate":
            y = np.concatenate(ins, axis=-1)
        elif cls == "MaxPooling2D":
            y = pool(x, cfg, "max")
        elif cls == "AveragePooling2D":
            y = pool(x, cfg, "avg")
        elif cls == "GlobalAveragePooling2D":
            y = x.mean(axis=(0, 1))
        elif cls == "Flatten":
            y = x.reshape(-1)  # NHWC order, as Keras
        elif cls == "Dense":
            y = activation(x @ w("kernel") + w("bias"), cfg.get("activation"))
        elif cls == "Dropout":
            y = x
        else:
            raise ValueError(cls)
        values[name] = y
    return values[layers[-1]["name"]]


# [SECTION] model definitions ------------------------------------------------------------

def layer(name, cls, inputs, **cfg):
    cfg["name"] = name
    return {"name": name, "class_name": cls, "config": cfg,
            "inbound_nodes": [[[i, 0, 0, {}] for i in inputs]] if inputs else []}


def functional_model():
    h, w = 12, 10
    layers = [
        layer("in", "InputLayer", [], batch_input_shape=[None, h, w, 3]),
        layer("pad", "ZeroPadding2D", ["in"], padding=[[0, 1], [0, 1]]),
        layer("c1", "Conv2D", ["pad"], filters=8, kernel_size=[3, 3], strides=[2, 2],
              padding="valid", use_bias=False, activation="linear"),
        layer("bn1", "BatchNormalization", ["c1"], axis=-1, epsilon=1e-3),
        layer("r1", "ReLU", ["bn1"], max_value=6.0),
        layer("dw", "DepthwiseConv2D", ["r1"], kernel_size=[3, 3], strides=[1, 1],
              padding="same", depth_multiplier=2, use_bias=False, activation="relu6"),
        layer("dil", "Conv2D", ["dw"], filters=8, kernel_size=[3, 3], strides=[1, 1],
              dilation_rate=[2, 2], padding="same", use_bias=True, activation="linear"),
        layer("add", "Add", ["dil", "r1"]),
        layer("c2", "Conv2D", ["add"], filters=6, kernel_size=[3, 3], strides=[2, 2],
              padding="same", use_bias=True, activation="relu"),
        layer("mp", "MaxPooling2D", ["add"], pool_size=[2, 2], strides=[2, 2], padding="same"),
        layer("cat", "Concatenate", ["c2", "mp"], axis=-1),
        layer("ap", "AveragePooling2D", ["cat"], pool_size=[2, 2], strides=[1, 1],
              padding="valid"),
        layer("flat", "Flatten", ["ap"]),
        layer("d1", "Dense", ["flat"], units=16, activation="tanh", use_bias=True),
        layer("drop", "Dropout", ["d1"], rate=0.5),
        layer("d2", "Dense", ["drop"], units=5, activation="softmax", use_bias=True),
    ]
    shapes = {
        "c1/kernel": (3, 3, 3, 8), "bn1/gamma": (8,), "bn1/beta": (8,),
        "bn1/moving_mean": (8,), "bn1/moving_variance": (8,),
        "dw/depthwise_kernel": (3, 3, 8, 2), "dil/kernel": (3, 3, 16, 8), "dil/bias": (8,),
        "c2/kernel": (3, 3, 8, 6), "c2/bias": (6,), "d1/kernel": (2 * 2 * 14, 16),
        "d1/bias": (16,), "d2/kernel": (16, 5), "d2/bias": (5,),
    }
    topology = {"class_name": "Model", "config": {
        "name": "functional", "layers": layers, "input_layers": [["in", 0, 0]],
        "output_layers": [["d2", 0, 0]]}}
    return topology, layers, shapes, (h, w), {"d1/kernel"}


def sequential_model():
    h, w = 8, 8
    seq = [
        {"class_name": "Conv2D", "config": {"name": "s1", "batch_input_shape": [None, h, w, 3],
                                            "filters": 4, "kernel_size": [3, 3],
                                            "strides": [1, 1], "padding": "same",
                                            "activation": "relu", "use_bias": True}},
        {"class_name": "GlobalAveragePooling2D", "config": {"name": "gap"}},
        {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax",
                                           "use_bias": True}},
    ]
    topology = {"class_name": "Sequential", "config": {"name": "seq", "layers": seq}}
    # The same model as a chain, for the reference.
    layers = [layer("input_1", "InputLayer", [], batch_input_shape=[None, h, w, 3])]
    previous = "input_1"
    for s in seq:
        layers.append({"name": s["config"]["name"], "class_name": s["class_name"],
                       "config": s["config"], "inbound_nodes": [[[previous, 0, 0, {}]]]})
        previous = s["config"]["name"]
    shapes = {"s1/kernel": (3, 3, 3, 4), "s1/bias": (4,), "out/kernel": (4, 3), "out/bias": (3,)}
    return topology, layers, shapes, (h, w), set()


# [SECTION] writing -------------------------------------------------------------------------

def write_case(out_dir, name, spec, input_layout="NHWC"):
    topology, layers, shapes, (h, w), quantised = spec
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    weights, manifest_entries, blob = {}, [], b""
    for key, shape in shapes.items():
        values = RNG.standard_normal(shape).astype(np.float32) * 0.5
        if key.endswith("moving_variance") or key.endswith("gamma"):
            values = np.abs(values) + 0.5
        entry = {"name": key, "shape": list(shape), "dtype": "float32"}
        if key in quantised:  # affine uint8, as the tfjs converter's --quantize_uint8
            lo, hi = float(values.min()), float(values.max())
            scale = (hi - lo) / 255
            q = np.round((values - lo) / scale).astype(np.uint8)
            entry["quantization"] = {"dtype": "uint8", "min": lo, "scale": scale}
            values = (q.astype(np.float64) * scale + lo).astype(np.float32)
            blob += q.tobytes()
        else:
            blob += values.tobytes()
        weights[key] = values
        manifest_entries.append(entry)
    with open(os.path.join(d, "group1-shard1of1"), "wb") as f:
        f.write(blob)
    with open(os.path.join(d, "model.json"), "w") as f:
        json.dump({"modelTopology": {"model_config": topology},
                   "weightsManifest": [{"paths": ["group1-shard1of1"],
                                        "weights": manifest_entries}]}, f)

    model = convert_tfjs_to_onnx.convert(os.path.join(d, "model.json"), opset=10,
                                         input_layout=input_layout)
    onnx.save(model, os.path.join(d, "model.onnx"))

    pixels = RNG.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
    with open(os.path.join(d, "input.rgb"), "wb") as f:
        f.write(pixels.tobytes())
    expected = reference(layers, weights, pixels.astype(np.float64) / 255.0)
    labels = [f"class{i}" for i in range(expected.shape[0])]
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump({"schema": "vigil.classifier.manifest/1", "id": f"converter-{name}",
                   "model": "model.onnx",
                   "input": {"width": w, "height": h, "layout": input_layout,
                             "normalization": {"type": "scale_offset", "scale": 1 / 255},
                             "resize": {"interpolation": "bilinear_align_corners"}},
                   "labels": labels}, f, indent=1)
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump({"width": w, "height": h, "scores": expected.tolist()}, f)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    write_case(sys.argv[1], "functional", functional_model())
    write_case(sys.argv[1], "sequential", sequential_model())
    write_case(sys.argv[1], "functional_nchw", functional_model(), input_layout="NCHW")
    print(f"make_converter_test: wrote 3 converted models to {sys.argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
