#!/usr/bin/python3
"""Writes the small synthetic ONNX models the classifier unit tests load.

Each model is built so its output can be predicted by hand from the input tensor, which
lets the tests check preprocessing (layout, colour order, normalisation, resize) through
a real backend rather than trusting it:

  mean_nchw.onnx        [N,3,8,8]  -> ReduceMean over H,W -> [N,3]   (channel means)
  mean_nhwc.onnx        [N,8,8,3]  -> ReduceMean over H,W -> [N,3]
  probe_4x4.onnx        [1,3,4,4]  -> Flatten -> [1,48]             (the tensor itself)
  logits_nchw.onnx      [N,3,8,8]  -> channel means -> MatMul+Add -> [N,4] logits
  small_cnn.onnx        [N,3,32,32] -> Conv/BN/Clip/depthwise Conv/Add/GAP/Gemm/Softmax
                        -> [N,5], random weights with a fixed seed (backend agreement)
  two_inputs.onnx       inputs "image" [N,3,8,8] and "aux" [N,3]: needs input.name
  nan_output.onnx       [N,3,8,8] -> Sqrt -> ReduceMean: NaN for negative inputs
  wrong_shape.onnx      [1,3,128,128] -> [1,3] (for a manifest saying 224x224 NHWC)
  bad_graph.onnx        parses as protobuf, fails the ONNX checker (undefined input)
  ir10.onnx             mean_nchw with IR version 10, newer than Debian's checker (IR 8)
  truncated.onnx        the first half of small_cnn.onnx
  not_onnx.onnx         a PNG signature and some text

Usage: make_test_models.py OUT_DIR    (Debian /usr/bin/python3 with python3-onnx, numpy)
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# Opset 10: the newest whose Clip (ReLU6) OpenCV DNN 4.6 imports (min/max attributes);
# from opset 11 on Clip takes them as inputs, which OpenCV 4.6 refuses.
OPSET = 10


def save(model, out_dir, name, check=True):
    model.ir_version = 8
    if check:
        onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out_dir, name))


def make(nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, "vigil_test", inputs, outputs,
                              initializer=list(initializers))
    return helper.make_model(graph, producer_name="vigil make_test_models.py",
                             opset_imports=[helper.make_opsetid("", OPSET)])


def tensor(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def mean_model(layout, batch="N", size=8):
    if layout == "NCHW":
        shape, axes = [batch, 3, size, size], [2, 3]
    else:
        shape, axes = [batch, size, size, 3], [1, 2]
    node = helper.make_node("ReduceMean", ["pixels"], ["scores"], axes=axes, keepdims=0)
    return make([node], [tensor("pixels", shape)], [tensor("scores", [batch, 3])])


def probe_model():
    node = helper.make_node("Flatten", ["pixels"], ["scores"], axis=1)
    return make([node], [tensor("pixels", [1, 3, 4, 4])], [tensor("scores", [1, 48])])


def logits_model():
    # logits = [m0, m1, m2, m0 + m1 + m2 - 1] where m = channel means.
    w = np.array([[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 1, 1]], dtype=np.float32)
    b = np.array([0, 0, 0, -1], dtype=np.float32)
    nodes = [
        helper.make_node("ReduceMean", ["pixels"], ["means"], axes=[2, 3], keepdims=0),
        helper.make_node("MatMul", ["means", "W"], ["mm"]),
        helper.make_node("Add", ["mm", "B"], ["logits"]),
    ]
    return make(nodes, [tensor("pixels", ["N", 3, 8, 8])], [tensor("logits", ["N", 4])],
                [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")])


def small_cnn():
    """A MobileNetV2-like block stack, the op mix the demo model uses."""
    rng = np.random.default_rng(20261129)
    inits = []

    def param(name, shape, scale=0.3, positive=False):
        a = rng.standard_normal(shape).astype(np.float32) * scale
        if positive:
            a = np.abs(a) + 0.5
        inits.append(numpy_helper.from_array(a, name))
        return name

    nodes = [
        helper.make_node("Conv", ["pixels", param("c1_w", (8, 3, 3, 3))], ["c1"],
                         kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 1, 1]),
        helper.make_node("BatchNormalization",
                         ["c1", param("bn1_g", (8,), positive=True), param("bn1_b", (8,)),
                          param("bn1_m", (8,)), param("bn1_v", (8,), positive=True)],
                         ["bn1"], epsilon=1e-3),
        helper.make_node("Clip", ["bn1"], ["r1"], min=0.0, max=6.0),
        helper.make_node("Conv", ["r1", param("dw_w", (8, 1, 3, 3))], ["dw"],
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=8),
        helper.make_node("Clip", ["dw"], ["r2"], min=0.0, max=6.0),
        helper.make_node("Conv", ["r2", param("pw_w", (8, 8, 1, 1)), param("pw_b", (8,))],
                         ["pw"], kernel_shape=[1, 1]),
        helper.make_node("Add", ["pw", "r1"], ["res"]),
        helper.make_node("GlobalAveragePool", ["res"], ["gap"]),
        helper.make_node("Flatten", ["gap"], ["flat"], axis=1),
        # transB=1 with [out, in] weights: the Gemm form OpenCV DNN 4.6 imports.
        helper.make_node("Gemm", ["flat", param("fc_w", (5, 8), scale=1.0),
                                  param("fc_b", (5,))], ["fc"], transB=1),
        helper.make_node("Softmax", ["fc"], ["probabilities"], axis=1),
    ]
    return make(nodes, [tensor("pixels", ["N", 3, 32, 32])],
                [tensor("probabilities", ["N", 5])], inits)


def two_inputs():
    nodes = [
        helper.make_node("ReduceMean", ["image"], ["means"], axes=[2, 3], keepdims=0),
        helper.make_node("Add", ["means", "aux"], ["scores"]),
    ]
    return make(nodes, [tensor("image", ["N", 3, 8, 8]), tensor("aux", ["N", 3])],
                [tensor("scores", ["N", 3])])


def nan_output():
    nodes = [
        helper.make_node("Sqrt", ["pixels"], ["root"]),
        helper.make_node("ReduceMean", ["root"], ["scores"], axes=[2, 3], keepdims=0),
    ]
    return make(nodes, [tensor("pixels", ["N", 3, 8, 8])], [tensor("scores", ["N", 3])])


def bad_graph():
    node = helper.make_node("Add", ["pixels", "nowhere"], ["scores"])
    return make([node], [tensor("pixels", ["N", 3])], [tensor("scores", ["N", 3])])


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    save(mean_model("NCHW"), out, "mean_nchw.onnx")
    save(mean_model("NHWC"), out, "mean_nhwc.onnx")
    save(probe_model(), out, "probe_4x4.onnx")
    save(logits_model(), out, "logits_nchw.onnx")
    save(small_cnn(), out, "small_cnn.onnx")
    save(two_inputs(), out, "two_inputs.onnx")
    save(nan_output(), out, "nan_output.onnx")
    save(mean_model("NCHW", batch=1, size=128), out, "wrong_shape.onnx")
    save(bad_graph(), out, "bad_graph.onnx", check=False)
    newer = mean_model("NCHW")
    save(newer, out, "ir10.onnx", check=False)  # save() sets IR 8; rewrite as IR 10
    newer.ir_version = 10
    onnx.save(newer, os.path.join(out, "ir10.onnx"))
    with open(os.path.join(out, "small_cnn.onnx"), "rb") as f:
        data = f.read()
    with open(os.path.join(out, "truncated.onnx"), "wb") as f:
        f.write(data[: len(data) // 2])
    with open(os.path.join(out, "not_onnx.onnx"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n this is not an ONNX model\n" * 4)
    print(f"make_test_models: wrote 12 models to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
