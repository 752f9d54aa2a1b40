#include "model_inspector.h"

#include <filesystem>
#include <fstream>
#include <set>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

namespace vigil::classifier {
namespace {

// Shape as the message shows it: [N,3,224,224], '?' for an unknown dimension.
std::string ShapeText(const onnx::TensorShapeProto& shape) {
  std::string s = "[";
  for (int i = 0; i < shape.dim_size(); ++i) {
    if (i) s += ",";
    const auto& d = shape.dim(i);
    if (d.has_dim_value()) {
      s += std::to_string(d.dim_value());
    } else if (d.has_dim_param() && !d.dim_param().empty()) {
      s += d.dim_param();
    } else {
      s += "?";
    }
  }
  return s + "]";
}

bool IsFixed(const onnx::TensorShapeProto_Dimension& d) { return d.has_dim_value(); }

// Picks the graph input or output named `wanted`, or the only one when `wanted` is empty.
StatusOr<const onnx::ValueInfoProto*> PickValue(
    const google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>& values,
    const std::set<std::string>& exclude, const std::string& wanted, const char* what,
    const std::string& path) {
  std::vector<const onnx::ValueInfoProto*> candidates;
  std::string names;
  for (const auto& v : values) {
    if (exclude.count(v.name())) continue;  // initializers listed as inputs (IR < 4)
    candidates.push_back(&v);
    names += (names.empty() ? "'" : ", '") + v.name() + "'";
  }
  if (!wanted.empty()) {
    for (const auto* v : candidates) {
      if (v->name() == wanted) return v;
    }
    return Status::Corruption(path + ": manifest names " + what + " '" + wanted +
                              "' but the model's " + what + "s are " +
                              (names.empty() ? "none" : names));
  }
  if (candidates.size() != 1) {
    return Status::Corruption(path + ": the model has " + std::to_string(candidates.size()) +
                              " " + what + "s (" + names + "); name one in the manifest");
  }
  return candidates.front();
}

}  // namespace

Status ReadModelFile(const std::string& path, std::string* bytes) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound("model file " + path + " does not exist or is not a file");
  }
  uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::IoError("cannot stat model " + path + ": " + ec.message());
  if (size > kMaxModelBytes) {
    return Status::Corruption("model " + path + " is larger than 2 GiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open model " + path);
  bytes->resize(size);
  in.read(bytes->data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size) {
    return Status::IoError("cannot read model " + path + " (short read)");
  }
  return Status::Ok();
}

StatusOr<ModelIo> InspectModel(const std::string& bytes, const std::string& path,
                               const ModelManifest& m) {
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes)) {
    return Status::Corruption(path + " is not an ONNX model (protobuf parse failed; "
                              "truncated or another format?)");
  }
  // Debian's libonnx is ONNX 1.12 (IR 8, opset 17): newer exports are refused by its
  // checker, so say what to do rather than relay "ir_version is higher".
  if (model.ir_version() > onnx::Version::IR_VERSION) {
    return Status::Corruption(
        path + ": model IR version " + std::to_string(model.ir_version()) +
        " is newer than this ONNX checker supports (IR " +
        std::to_string(static_cast<int>(onnx::Version::IR_VERSION)) +
        "); re-export with IR version <= 8 and opset <= 17 (e.g. torch.onnx.export("
        "opset_version=17)) or set model.ir_version = 8 if the model uses nothing newer");
  }
  // libonnx reports problems by throwing; keep exceptions inside this function.
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    std::string what = e.what();
    if (what.size() > 500) what = what.substr(0, 500) + "...";
    return Status::Corruption(path + " fails the ONNX checker: " + what);
  }
  const auto& graph = model.graph();
  std::set<std::string> initializers;
  for (const auto& t : graph.initializer()) initializers.insert(t.name());

  auto input = PickValue(graph.input(), initializers, m.input_name, "input", path);
  if (!input.ok()) return input.status();
  auto output = PickValue(graph.output(), {}, m.output_name, "output", path);
  if (!output.ok()) return output.status();
  const onnx::ValueInfoProto& in = *input.value();
  const onnx::ValueInfoProto& out = *output.value();

  ModelIo io;
  io.input_name = in.name();
  io.output_name = out.name();
  if (m.layout == TensorLayout::kNchw) {
    io.image_shape = {3, m.height, m.width};
  } else {
    io.image_shape = {m.height, m.width, 3};
  }
  const std::string expected_text =
      m.layout == TensorLayout::kNchw
          ? "[N,3," + std::to_string(m.height) + "," + std::to_string(m.width) + "]"
          : "[N," + std::to_string(m.height) + "," + std::to_string(m.width) + ",3]";

  if (!in.type().has_tensor_type() ||
      in.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT) {
    return Status::Corruption(path + ": input '" + in.name() +
                              "' is not a float32 tensor; only float32 inputs are supported");
  }
  const auto& in_shape = in.type().tensor_type().shape();
  auto shape_error = [&]() {
    return Status::Corruption(path + ": input '" + in.name() + "' has shape " +
                              ShapeText(in_shape) + ", manifest says " +
                              std::to_string(m.width) + "x" + std::to_string(m.height) + " " +
                              std::string(LayoutName(m.layout)) + " (expected " +
                              expected_text + ")");
  };
  if (!in.type().tensor_type().has_shape() || in_shape.dim_size() != 4) return shape_error();
  const auto& batch = in_shape.dim(0);
  if (IsFixed(batch) && batch.dim_value() != 1) return shape_error();
  io.dynamic_batch = !IsFixed(batch);
  for (int i = 1; i < 4; ++i) {
    // A symbolic dimension accepts the manifest's size; a fixed one must equal it.
    if (IsFixed(in_shape.dim(i)) && in_shape.dim(i).dim_value() != io.image_shape[i - 1]) {
      return shape_error();
    }
  }

  if (!out.type().has_tensor_type() ||
      out.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT) {
    return Status::Corruption(path + ": output '" + out.name() +
                              "' is not a float32 tensor; only float32 outputs are supported");
  }
  const auto& out_shape = out.type().tensor_type().shape();
  int64_t per_image = 1;
  bool known = out.type().tensor_type().has_shape() && out_shape.dim_size() >= 2;
  for (int i = 1; known && i < out_shape.dim_size(); ++i) {
    if (!IsFixed(out_shape.dim(i))) known = false;
    else per_image *= out_shape.dim(i).dim_value();
  }
  if (!known || per_image != static_cast<int64_t>(m.labels.size())) {
    return Status::Corruption(path + ": output '" + out.name() + "' has shape " +
                              ShapeText(out_shape) + ", manifest lists " +
                              std::to_string(m.labels.size()) + " labels (expected [N," +
                              std::to_string(m.labels.size()) + "])");
  }
  io.num_outputs = static_cast<int>(per_image);
  return io;
}

}  // namespace vigil::classifier
