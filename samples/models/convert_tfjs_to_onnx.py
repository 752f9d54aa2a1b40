#!/usr/bin/python3
"""Converts a TensorFlow.js *layers* model (model.json + weight shards) to ONNX.

Written for the nsfwjs MobileNetV2 demo model but not tied to it: any functional or
sequential Keras model made of the layers in SUPPORTED_LAYERS converts. The graph is
built with onnx.helper only (Debian's python3-onnx and python3-numpy; no TensorFlow).

Conventions of the produced model
- One float32 input named "input", NHWC [batch, H, W, C] exactly as the tfjs model
  takes it (batch is symbolic), converted to NCHW once inside the graph; or, with
  --input-layout NCHW, [batch, C, H, W] with no transpose.
- One float32 output named "output": whatever the last layer gives (probabilities when
  the last Dense has a softmax activation).
- Static spatial shapes are tracked so that Keras "same" padding becomes explicit,
  possibly asymmetric pads (TensorFlow puts the odd pixel at the end).
- Weights quantised by the tfjs converter (uint8/uint16 affine) are dequantised to
  float32 exactly as tfjs does: value = q * scale + min (in doubles, then float32).

Usage: convert_tfjs_to_onnx.py MODEL_JSON OUT_ONNX [--opset 10] [--input-layout NHWC|NCHW]
"""

import argparse
import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SUPPORTED_LAYERS = (
    "InputLayer", "ZeroPadding2D", "Conv2D", "DepthwiseConv2D", "BatchNormalization",
    "ReLU", "Activation", "Add", "Concatenate", "AveragePooling2D", "MaxPooling2D",
    "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten", "Dense", "Dropout",
)
SUPPORTED_ACTIVATIONS = ("linear", "relu", "relu6", "sigmoid", "tanh", "softmax")


class ConversionError(Exception):
    pass


# [SECTION] weights ---------------------------------------------------------------------

_DTYPE = {"float32": np.float32, "int32": np.int32, "uint8": np.uint8, "uint16": np.uint16}


def load_weights(model_json, model_dir):
    """Returns {weight name: float32 ndarray} from the shards listed in weightsManifest."""
    weights = {}
    for group in model_json.get("weightsManifest", []):
        blob = b""
        for path in group["paths"]:
            with open(os.path.join(model_dir, path), "rb") as f:
                blob += f.read()
        offset = 0
        for spec in group["weights"]:
            shape = spec["shape"]
            count = int(np.prod(shape)) if shape else 1
            quant = spec.get("quantization")
            stored = quant["dtype"] if quant else spec["dtype"]
            if stored not in _DTYPE:
                raise ConversionError(
                    f"weight {spec['name']}: stored dtype {stored} is not supported "
                    "(float16 quantisation is not implemented)")
            itemsize = np.dtype(_DTYPE[stored]).itemsize
            nbytes = count * itemsize
            if offset + nbytes > len(blob):
                raise ConversionError(
                    f"weight {spec['name']}: shard data ends at {len(blob)} bytes, "
                    f"weight needs bytes {offset}..{offset + nbytes}")
            raw = np.frombuffer(blob, dtype=_DTYPE[stored], count=count, offset=offset)
            offset += nbytes
            if quant:
                if "min" not in quant or "scale" not in quant:
                    raise ConversionError(f"weight {spec['name']}: only affine "
                                          "(min/scale) quantisation is supported")
                # tfjs: dequantised = quantised * scale + min, computed in JS doubles and
                # stored as float32; same order here so the weights are bit-identical.
                values = (raw.astype(np.float64) * float(quant["scale"])
                          + float(quant["min"])).astype(np.float32)
            else:
                values = raw.astype(np.float32)
            weights[spec["name"]] = values.reshape(shape)
        if offset != len(blob):
            raise ConversionError(f"weight group {group['paths']}: {len(blob) - offset} "
                                  "unread bytes; manifest and shards disagree")
    return weights


# [SECTION] graph building --------------------------------------------------------------

class Tensor:
    """A value in the graph: its ONNX name and its NCHW-side static shape (no batch)."""

    def __init__(self, name, shape):
        self.name = name
        self.shape = tuple(shape)  # (C, H, W) for images, (N,) for vectors


class GraphBuilder:
    def __init__(self, weights, opset):
        self.weights = weights
        self.opset = opset
        self.used = set()
        self.nodes = []
        self.initializers = []
        self.counter = 0

    def fresh(self, hint):
        self.counter += 1
        return f"{hint}__{self.counter}"

    def const(self, hint, array):
        name = self.fresh(hint)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op, inputs, hint, **attrs):
        out = self.fresh(hint)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def weight(self, layer, key):
        name = f"{layer}/{key}"
        if name not in self.weights:
            raise ConversionError(f"layer {layer}: weight {name} missing from the shards")
        self.used.add(name)
        return self.weights[name]

    def activation(self, x, kind, hint):
        if kind in (None, "linear"):
            return x
        if kind == "relu":
            return self.node("Relu", [x], hint)
        if kind == "relu6":
            return self.clip(x, 0.0, 6.0, hint)
        if kind == "sigmoid":
            return self.node("Sigmoid", [x], hint)
        if kind == "tanh":
            return self.node("Tanh", [x], hint)
        if kind == "softmax":
            return self.node("Softmax", [x], hint, axis=1)  # x is [batch, units]
        raise ConversionError(f"activation '{kind}' is not supported "
                              f"(supported: {', '.join(SUPPORTED_ACTIVATIONS)})")

    def clip(self, x, lo, hi, hint):
        if self.opset < 11:  # bounds as attributes: the form OpenCV DNN 4.6 imports
            return self.node("Clip", [x], hint, min=lo, max=hi)
        lo_name = self.const(hint + "_min", np.array(lo, dtype=np.float32))
        hi_name = self.const(hint + "_max", np.array(hi, dtype=np.float32))
        return self.node("Clip", [x, lo_name, hi_name], hint)


def same_pads(size, kernel, stride, dilation):
    """TensorFlow's SAME padding for one axis: (begin, end), odd pixel at the end."""
    out = math.ceil(size / stride)
    effective = (kernel - 1) * dilation + 1
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def conv_output(size, kernel, stride, dilation, pad_begin, pad_end):
    effective = (kernel - 1) * dilation + 1
    return (size + pad_begin + pad_end - effective) // stride + 1


def require_channels_last(cfg, layer):
    if cfg.get("data_format", "channels_last") != "channels_last":
        raise ConversionError(f"layer {layer}: only data_format channels_last is supported")


def spatial_pads(cfg, layer, shape, kernel, strides, dilation):
    _, h, w = shape
    padding = cfg.get("padding", "valid")
    if padding == "valid":
        return [0, 0, 0, 0]
    if padding == "same":
        top, bottom = same_pads(h, kernel[0], strides[0], dilation[0])
        left, right = same_pads(w, kernel[1], strides[1], dilation[1])
        return [top, left, bottom, right]
    raise ConversionError(f"layer {layer}: padding '{padding}' is not supported")


def convert_layer(g, layer, inputs):
    cls = layer["class_name"]
    cfg = layer["config"]
    name = layer["name"]
    if cls not in SUPPORTED_LAYERS:
        raise ConversionError(f"layer {name}: class {cls} is not supported "
                              f"(supported: {', '.join(SUPPORTED_LAYERS)})")
    x = inputs[0] if inputs else None

    if cls == "Dropout":  # inference: identity
        return x

    if cls == "ZeroPadding2D":
        require_channels_last(cfg, name)
        pad = cfg["padding"]
        if isinstance(pad, int):
            pad = [[pad, pad], [pad, pad]]
        elif isinstance(pad[0], int):
            pad = [[pad[0], pad[0]], [pad[1], pad[1]]]
        (top, bottom), (left, right) = pad
        pads = [0, 0, top, left, 0, 0, bottom, right]
        c, h, w = x.shape
        shape = (c, h + top + bottom, w + left + right)
        if g.opset < 11:
            return Tensor(g.node("Pad", [x.name], name, mode="constant", pads=pads), shape)
        pads_name = g.const(name + "_pads", np.array(pads, dtype=np.int64))
        return Tensor(g.node("Pad", [x.name, pads_name], name, mode="constant"), shape)

    if cls in ("Conv2D", "DepthwiseConv2D"):
        require_channels_last(cfg, name)
        c, h, w = x.shape
        strides = cfg.get("strides", [1, 1])
        dilation = cfg.get("dilation_rate", [1, 1])
        if isinstance(dilation, int):
            dilation = [dilation, dilation]
        if cls == "Conv2D":
            kernel = g.weight(name, "kernel")  # [kh, kw, in, out]
            if kernel.shape[2] != c:
                raise ConversionError(f"layer {name}: kernel expects {kernel.shape[2]} "
                                      f"input channels, tensor has {c}")
            onnx_w = kernel.transpose(3, 2, 0, 1)
            group = 1
        else:
            kernel = g.weight(name, "depthwise_kernel")  # [kh, kw, in, multiplier]
            kh, kw, cin, mult = kernel.shape
            if cin != c:
                raise ConversionError(f"layer {name}: kernel expects {cin} channels, "
                                      f"tensor has {c}")
            # Output channel i*mult+m reads input channel i: the grouped-conv layout.
            onnx_w = kernel.transpose(2, 3, 0, 1).reshape(cin * mult, 1, kh, kw)
            group = cin
        kh, kw = onnx_w.shape[2], onnx_w.shape[3]
        pads = spatial_pads(cfg, name, x.shape, (kh, kw), strides, dilation)
        ins = [x.name, g.const(name + "_W", onnx_w.astype(np.float32))]
        if cfg.get("use_bias", True):
            ins.append(g.const(name + "_B", g.weight(name, "bias").astype(np.float32)))
        y = g.node("Conv", ins, name, kernel_shape=[kh, kw], strides=list(strides),
                   dilations=list(dilation), pads=pads, group=group)
        out_c = onnx_w.shape[0]
        out_h = conv_output(h, kh, strides[0], dilation[0], pads[0], pads[2])
        out_w = conv_output(w, kw, strides[1], dilation[1], pads[1], pads[3])
        y = g.activation(y, cfg.get("activation"), name + "_act")
        return Tensor(y, (out_c, out_h, out_w))

    if cls == "BatchNormalization":
        axis = cfg.get("axis", -1)
        if isinstance(axis, list):
            axis = axis[0]
        if axis not in (-1, 3) or len(x.shape) != 3:
            if not (len(x.shape) == 1 and axis in (-1, 1)):
                raise ConversionError(f"layer {name}: only channel-axis batch norm is "
                                      "supported")
        channels = x.shape[0]
        gamma = (g.weight(name, "gamma") if cfg.get("scale", True)
                 else np.ones(channels, np.float32))
        beta = (g.weight(name, "beta") if cfg.get("center", True)
                else np.zeros(channels, np.float32))
        mean = g.weight(name, "moving_mean")
        var = g.weight(name, "moving_variance")
        ins = [x.name] + [g.const(name + suffix, v.astype(np.float32)) for suffix, v in
                          (("_gamma", gamma), ("_beta", beta), ("_mean", mean),
                           ("_var", var))]
        y = g.node("BatchNormalization", ins, name, epsilon=float(cfg.get("epsilon", 1e-3)))
        return Tensor(y, x.shape)

    if cls == "ReLU":
        if cfg.get("negative_slope", 0) not in (0, 0.0) or cfg.get("threshold", 0) not in (0, 0.0):
            raise ConversionError(f"layer {name}: ReLU with negative_slope or threshold "
                                  "is not supported")
        max_value = cfg.get("max_value")
        if max_value is None:
            return Tensor(g.node("Relu", [x.name], name), x.shape)
        return Tensor(g.clip(x.name, 0.0, float(max_value), name), x.shape)

    if cls == "Activation":
        return Tensor(g.activation(x.name, cfg["activation"], name), x.shape)

    if cls == "Add":
        shapes = {t.shape for t in inputs}
        if len(shapes) != 1:
            raise ConversionError(f"layer {name}: Add of different shapes {shapes}")
        y = inputs[0].name
        for other in inputs[1:]:
            y = g.node("Add", [y, other.name], name)
        return Tensor(y, inputs[0].shape)

    if cls == "Concatenate":
        axis = cfg.get("axis", -1)
        if axis not in (-1, 3) or any(len(t.shape) != 3 for t in inputs):
            raise ConversionError(f"layer {name}: only channel concatenation is supported")
        c = sum(t.shape[0] for t in inputs)
        return Tensor(g.node("Concat", [t.name for t in inputs], name, axis=1),
                      (c, inputs[0].shape[1], inputs[0].shape[2]))

    if cls in ("AveragePooling2D", "MaxPooling2D"):
        require_channels_last(cfg, name)
        pool = cfg.get("pool_size", [2, 2])
        strides = cfg.get("strides") or pool
        pads = spatial_pads(cfg, name, x.shape, pool, strides, (1, 1))
        op = "AveragePool" if cls == "AveragePooling2D" else "MaxPool"
        attrs = dict(kernel_shape=list(pool), strides=list(strides), pads=pads)
        if op == "AveragePool":
            attrs["count_include_pad"] = 0  # Keras averages over real pixels only
        y = g.node(op, [x.name], name, **attrs)
        c, h, w = x.shape
        return Tensor(y, (c, conv_output(h, pool[0], strides[0], 1, pads[0], pads[2]),
                          conv_output(w, pool[1], strides[1], 1, pads[1], pads[3])))

    if cls in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        require_channels_last(cfg, name)
        op = "GlobalAveragePool" if cls == "GlobalAveragePooling2D" else "GlobalMaxPool"
        y = g.node(op, [x.name], name)
        shape = g.const(name + "_shape", np.array([0, -1], dtype=np.int64))
        return Tensor(g.node("Reshape", [y, shape], name + "_flat"), (x.shape[0],))

    if cls == "Flatten":
        if len(x.shape) == 1:
            return x
        require_channels_last(cfg, name)
        # Keras flattens channels-last: go back to NHWC first so element order matches.
        nhwc = g.node("Transpose", [x.name], name + "_nhwc", perm=[0, 2, 3, 1])
        return Tensor(g.node("Flatten", [nhwc], name, axis=1), (int(np.prod(x.shape)),))

    if cls == "Dense":
        if len(x.shape) != 1:
            raise ConversionError(f"layer {name}: Dense on a {len(x.shape)}-D tensor; "
                                  "only Dense after Flatten/global pooling is supported")
        kernel = g.weight(name, "kernel")  # [in, out]
        if kernel.shape[0] != x.shape[0]:
            raise ConversionError(f"layer {name}: kernel expects {kernel.shape[0]} inputs, "
                                  f"tensor has {x.shape[0]}")
        bias = (g.weight(name, "bias") if cfg.get("use_bias", True)
                else np.zeros(kernel.shape[1], np.float32))
        # Weights stored [out, in] with transB=1: the Gemm form OpenCV DNN 4.6 imports.
        y = g.node("Gemm", [x.name, g.const(name + "_W", kernel.T.astype(np.float32)),
                            g.const(name + "_B", bias.astype(np.float32))], name, transB=1)
        y = g.activation(y, cfg.get("activation"), name + "_act")
        return Tensor(y, (kernel.shape[1],))

    raise ConversionError(f"layer {name}: class {cls} listed but not handled")


def model_layers(topology):
    """Returns (layers, input layer names, output layer names) for Model or Sequential."""
    config = topology["model_config"]
    cls = config["class_name"]
    cfg = config["config"]
    if cls in ("Model", "Functional"):
        return (cfg["layers"], [i[0] for i in cfg["input_layers"]],
                [o[0] for o in cfg["output_layers"]])
    if cls == "Sequential":
        layers = cfg["layers"] if isinstance(cfg, dict) else cfg
        chained = []
        previous = None
        first = layers[0]["config"]
        if "batch_input_shape" not in first:
            raise ConversionError("Sequential model without batch_input_shape")
        chained.append({"name": "input_1", "class_name": "InputLayer",
                        "config": {"batch_input_shape": first["batch_input_shape"]},
                        "inbound_nodes": []})
        previous = "input_1"
        for layer in layers:
            layer = dict(layer)
            layer["name"] = layer.get("name", layer["config"]["name"])
            layer["inbound_nodes"] = [[[previous, 0, 0, {}]]]
            chained.append(layer)
            previous = layer["name"]
        return chained, ["input_1"], [previous]
    raise ConversionError(f"model class {cls} is not supported (Model, Sequential)")


def convert(model_json_path, opset, input_layout="NHWC"):
    with open(model_json_path, "r", encoding="utf-8") as f:
        model_json = json.load(f)
    weights = load_weights(model_json, os.path.dirname(os.path.abspath(model_json_path)))
    layers, input_names, output_names = model_layers(model_json["modelTopology"])
    if len(input_names) != 1 or len(output_names) != 1:
        raise ConversionError("only single-input, single-output models are supported")

    if opset < 9:
        raise ConversionError("opset must be >= 9")
    g = GraphBuilder(weights, opset)
    values = {}
    graph_input = None
    for layer in layers:
        name = layer["name"]
        if layer["class_name"] == "InputLayer":
            shape = layer["config"]["batch_input_shape"]
            if len(shape) != 4 or any(d is None for d in shape[1:]):
                raise ConversionError(f"input {name}: need a static [batch, H, W, C] "
                                      f"shape, got {shape}")
            _, h, w, c = shape
            if input_layout == "NHWC":
                graph_input = helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                                            ["batch", h, w, c])
                nchw = g.node("Transpose", ["input"], "input_nchw", perm=[0, 3, 1, 2])
            else:  # the caller lays the tensor out NCHW; no transpose in the graph
                graph_input = helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                                            ["batch", c, h, w])
                nchw = "input"
            values[name] = Tensor(nchw, (c, h, w))
            continue
        inbound = layer.get("inbound_nodes", [])
        if len(inbound) != 1:
            raise ConversionError(f"layer {name}: shared layers (called {len(inbound)} "
                                  "times) are not supported")
        sources = []
        for ref in inbound[0]:
            if ref[0] not in values:
                raise ConversionError(f"layer {name}: input {ref[0]} not defined before use")
            sources.append(values[ref[0]])
        values[name] = convert_layer(g, layer, sources)

    unused = sorted(set(weights) - g.used)
    if unused:
        raise ConversionError(f"weights not used by any layer: {', '.join(unused[:5])}")
    final = values[output_names[0]]
    if len(final.shape) != 1:
        raise ConversionError("the output must be a vector per image (Dense or pooling)")
    g.nodes.append(helper.make_node("Identity", [final.name], ["output"], name="output"))
    graph_output = helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                                 ["batch", final.shape[0]])
    graph = helper.make_graph(g.nodes, "tfjs_layers_model", [graph_input], [graph_output],
                              initializer=g.initializers)
    model = helper.make_model(graph, producer_name="vigil convert_tfjs_to_onnx.py",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8  # readable by ONNX Runtime and OpenCV 4.6
    onnx.checker.check_model(model)
    onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_json", help="tfjs layers model.json (shards beside it)")
    parser.add_argument("out_onnx")
    # 10 by default: OpenCV DNN 4.6 cannot import Clip from opset 11 on (bounds as inputs).
    parser.add_argument("--opset", type=int, default=10)
    # NHWC keeps the tfjs input as is; NCHW drops the graph's first Transpose (the Vigil
    # manifest then says "layout": "NCHW" and the classifier writes planes directly).
    parser.add_argument("--input-layout", choices=["NHWC", "NCHW"], default="NHWC")
    args = parser.parse_args()
    try:
        model = convert(args.model_json, args.opset, args.input_layout)
    except (ConversionError, OSError, KeyError, ValueError) as e:
        print(f"convert_tfjs_to_onnx: {e}", file=sys.stderr)
        return 1
    onnx.save(model, args.out_onnx)
    print(f"convert_tfjs_to_onnx: wrote {args.out_onnx} "
          f"({len(model.graph.node)} nodes, opset {args.opset})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
