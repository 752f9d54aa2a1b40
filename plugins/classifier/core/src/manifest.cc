// Parses the model manifest (JSON, schema vigil.classifier.manifest/1) and validates every
// field, so that a bad manifest fails at load with the field's name, not at inference.
#include "vigil/classifier/manifest.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include <nlohmann/json.hpp>

namespace vigil::classifier {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxManifestBytes = 1 << 20;
constexpr int kMaxInputSide = 8192;
constexpr int kMaxPriority = 1000;
constexpr size_t kMaxLabels = 100000;

// Doubles beyond float range would overflow on conversion (undefined behaviour).
bool FiniteFloat(double d) { return std::isfinite(d) && std::fabs(d) <= 1e30; }

Status FieldError(const std::string& field, const std::string& what) {
  return Status::Corruption("manifest field '" + field + "': " + what);
}

// Reads an optional string field that must be one of `allowed`.
StatusOr<std::string> ChoiceField(const json& obj, const std::string& key,
                                  const std::string& path, std::set<std::string> allowed,
                                  const std::string& fallback) {
  if (!obj.contains(key)) return fallback;
  const json& v = obj.at(key);
  std::string options;
  for (const auto& a : allowed) options += (options.empty() ? "" : ", ") + a;
  if (!v.is_string() || allowed.count(v.get<std::string>()) == 0) {
    return FieldError(path + key, "must be one of " + options + ", got " + v.dump());
  }
  return v.get<std::string>();
}

StatusOr<int> PositiveInt(const json& obj, const std::string& key, const std::string& path,
                          int max) {
  if (!obj.contains(key)) return FieldError(path + key, "is required");
  const json& v = obj.at(key);
  if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > max) {
    return FieldError(path + key, "must be an integer in 1.." + std::to_string(max) +
                                      ", got " + v.dump());
  }
  return static_cast<int>(v.get<int64_t>());
}

StatusOr<std::array<float, 3>> Triple(const json& obj, const std::string& key,
                                      const std::string& path) {
  const json& v = obj.at(key);
  std::array<double, 3> in{};
  if (v.is_number()) {  // one value for all three channels
    in.fill(v.get<double>());
  } else if (v.is_array() && v.size() == 3 && v[0].is_number() && v[1].is_number() &&
             v[2].is_number()) {
    for (size_t i = 0; i < 3; ++i) in[i] = v[i].get<double>();
  } else {
    return FieldError(path + key, "must be a number or an array of 3 numbers, got " +
                                      v.dump());
  }
  std::array<float, 3> out{};
  for (size_t i = 0; i < 3; ++i) {
    if (!FiniteFloat(in[i])) return FieldError(path + key, "must be finite and |x| <= 1e30");
    out[i] = static_cast<float>(in[i]);
  }
  return out;
}

Status ParseNormalisation(const json& input, ModelManifest* m) {
  const std::string path = "input.normalization.";
  if (!input.contains("normalization")) return Status::Ok();  // raw 0..255 pixels
  const json& n = input.at("normalization");
  if (!n.is_object()) return FieldError("input.normalization", "must be an object");
  auto type = ChoiceField(n, "type", path, {"mean_std", "scale_offset"}, "");
  if (!type.ok()) return type.status();
  if (type.value().empty()) return FieldError(path + "type", "is required");
  if (type.value() == "mean_std") {
    // value = (pixel / 255 - mean) / std, the torchvision convention.
    if (!n.contains("mean") || !n.contains("std")) {
      return FieldError("input.normalization", "mean_std needs 'mean' and 'std'");
    }
    auto mean = Triple(n, "mean", path);
    if (!mean.ok()) return mean.status();
    auto std_dev = Triple(n, "std", path);
    if (!std_dev.ok()) return std_dev.status();
    for (size_t c = 0; c < 3; ++c) {
      if (!(std_dev.value()[c] > 0.0f)) return FieldError(path + "std", "must be > 0");
      m->scale[c] = 1.0f / (255.0f * std_dev.value()[c]);
      m->offset[c] = -mean.value()[c] / std_dev.value()[c];
    }
    return Status::Ok();
  }
  // value = pixel * scale + offset, pixel in 0..255.
  if (!n.contains("scale")) return FieldError(path + "scale", "is required");
  auto scale = Triple(n, "scale", path);
  if (!scale.ok()) return scale.status();
  m->scale = scale.value();
  if (n.contains("offset")) {
    auto offset = Triple(n, "offset", path);
    if (!offset.ok()) return offset.status();
    m->offset = offset.value();
  }
  return Status::Ok();
}

Status ParseInput(const json& root, ModelManifest* m) {
  if (!root.contains("input") || !root.at("input").is_object()) {
    return FieldError("input", "is required and must be an object");
  }
  const json& in = root.at("input");
  const std::string path = "input.";
  if (in.contains("name")) {
    if (!in.at("name").is_string()) return FieldError("input.name", "must be a string");
    m->input_name = in.at("name").get<std::string>();
  }
  auto width = PositiveInt(in, "width", path, kMaxInputSide);
  if (!width.ok()) return width.status();
  auto height = PositiveInt(in, "height", path, kMaxInputSide);
  if (!height.ok()) return height.status();
  m->width = width.value();
  m->height = height.value();

  auto layout = ChoiceField(in, "layout", path, {"NCHW", "NHWC"}, "NCHW");
  if (!layout.ok()) return layout.status();
  m->layout = layout.value() == "NHWC" ? TensorLayout::kNhwc : TensorLayout::kNchw;
  auto colour = ChoiceField(in, "color_order", path, {"RGB", "BGR"}, "RGB");
  if (!colour.ok()) return colour.status();
  m->color_order = colour.value() == "BGR" ? ColorOrder::kBgr : ColorOrder::kRgb;

  Status norm = ParseNormalisation(in, m);
  if (!norm.ok()) return norm;

  if (in.contains("resize")) {
    const json& r = in.at("resize");
    if (!r.is_object()) return FieldError("input.resize", "must be an object");
    auto mode = ChoiceField(r, "mode", "input.resize.", {"stretch", "letterbox"}, "stretch");
    if (!mode.ok()) return mode.status();
    m->resize = mode.value() == "letterbox" ? ResizeMode::kLetterbox : ResizeMode::kStretch;
    auto interp = ChoiceField(r, "interpolation", "input.resize.",
                              {"bilinear", "bilinear_align_corners", "nearest"}, "bilinear");
    if (!interp.ok()) return interp.status();
    m->interpolation = interp.value() == "nearest" ? Interpolation::kNearest
                       : interp.value() == "bilinear_align_corners"
                           ? Interpolation::kBilinearAlignCorners
                           : Interpolation::kBilinear;
    if (r.contains("fill")) {
      auto fill = Triple(r, "fill", "input.resize.");
      if (!fill.ok()) return fill.status();
      for (float f : fill.value()) {
        if (f < 0.0f || f > 255.0f) return FieldError("input.resize.fill", "must be 0..255");
      }
      m->fill = fill.value();
    }
  }
  return Status::Ok();
}

StatusOr<Severity> ParseSeverity(const json& v, const std::string& field) {
  static const std::pair<const char*, Severity> kNames[] = {
      {"none", Severity::kNone},  {"low", Severity::kLow},
      {"medium", Severity::kMedium}, {"high", Severity::kHigh},
      {"critical", Severity::kCritical}};
  if (v.is_string()) {
    for (const auto& [name, sev] : kNames) {
      if (v.get<std::string>() == name) return sev;
    }
  }
  return FieldError(field, "must be one of none, low, medium, high, critical, got " + v.dump());
}

Status ParseLabels(const json& root, ModelManifest* m) {
  if (!root.contains("labels") || !root.at("labels").is_array() || root.at("labels").empty()) {
    return FieldError("labels", "is required and must be a non-empty array");
  }
  const json& labels = root.at("labels");
  if (labels.size() > kMaxLabels) return FieldError("labels", "has too many entries");
  std::set<std::string> seen;
  for (size_t i = 0; i < labels.size(); ++i) {
    const json& l = labels[i];
    const std::string path = "labels[" + std::to_string(i) + "].";
    LabelSpec spec;
    if (l.is_string()) {  // shorthand: a label that is only ever scored
      spec.name = l.get<std::string>();
    } else if (l.is_object()) {
      if (!l.contains("name") || !l.at("name").is_string()) {
        return FieldError(path + "name", "is required and must be a string");
      }
      spec.name = l.at("name").get<std::string>();
      if (l.contains("threshold") && !l.at("threshold").is_null()) {
        const json& t = l.at("threshold");
        if (!t.is_number() || !FiniteFloat(t.get<double>())) {
          return FieldError(path + "threshold", "must be a number or null, got " + t.dump());
        }
        spec.threshold = static_cast<float>(t.get<double>());
      }
      if (l.contains("severity")) {
        auto sev = ParseSeverity(l.at("severity"), path + "severity");
        if (!sev.ok()) return sev.status();
        spec.severity = sev.value();
      }
      if (l.contains("priority")) {
        const json& p = l.at("priority");
        if (!p.is_number_integer() || p.get<int64_t>() < 0 ||
            p.get<int64_t>() > kMaxPriority) {
          return FieldError(path + "priority", "must be an integer in 0..1000, got " +
                                                   p.dump());
        }
        spec.priority = static_cast<int>(p.get<int64_t>());
      }
    } else {
      return FieldError("labels[" + std::to_string(i) + "]", "must be a string or an object");
    }
    if (spec.name.empty()) return FieldError(path + "name", "must not be empty");
    if (!seen.insert(spec.name).second) {
      return FieldError(path + "name", "duplicates label '" + spec.name + "'");
    }
    m->labels.push_back(std::move(spec));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ModelManifest> ParseManifest(std::string_view json_text, const std::string& base_dir) {
  if (json_text.size() > kMaxManifestBytes) {
    return Status::Corruption("manifest is larger than 1 MiB; is this the right file?");
  }
  json root = json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::Corruption("manifest is not valid JSON");
  if (!root.is_object()) return Status::Corruption("manifest must be a JSON object");

  if (!root.contains("schema") || !root.at("schema").is_string() ||
      root.at("schema").get<std::string>() != kManifestSchema) {
    return FieldError("schema", "must be \"" + std::string(kManifestSchema) + "\"" +
                                    (root.contains("schema") ? ", got " + root.at("schema").dump()
                                                             : std::string()));
  }
  ModelManifest m;
  for (const char* key : {"id", "description"}) {
    if (root.contains(key) && !root.at(key).is_string()) {
      return FieldError(key, "must be a string");
    }
  }
  m.id = root.value("id", "");
  m.description = root.value("description", "");
  if (!root.contains("model") || !root.at("model").is_string() ||
      root.at("model").get<std::string>().empty()) {
    return FieldError("model", "is required: the .onnx file name, relative to the manifest");
  }
  std::filesystem::path model = root.at("model").get<std::string>();
  m.model_path = (model.is_absolute() ? model : std::filesystem::path(base_dir) / model).string();

  Status input = ParseInput(root, &m);
  if (!input.ok()) return input;

  if (root.contains("output")) {
    const json& out = root.at("output");
    if (!out.is_object()) return FieldError("output", "must be an object");
    if (out.contains("name")) {
      if (!out.at("name").is_string()) return FieldError("output.name", "must be a string");
      m.output_name = out.at("name").get<std::string>();
    }
    auto kind = ChoiceField(out, "kind", "output.", {"probabilities", "logits"}, "probabilities");
    if (!kind.ok()) return kind.status();
    m.output_kind = kind.value() == "logits" ? OutputKind::kLogits : OutputKind::kProbabilities;
  }
  Status labels = ParseLabels(root, &m);
  if (!labels.ok()) return labels;
  return m;
}

StatusOr<ModelManifest> LoadManifest(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound("manifest " + path + " does not exist or is not a file");
  }
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::IoError("cannot stat manifest " + path + ": " + ec.message());
  if (size > kMaxManifestBytes) {
    return Status::Corruption("manifest " + path + " is larger than 1 MiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open manifest " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IoError("cannot read manifest " + path);
  auto parsed = ParseManifest(text, std::filesystem::path(path).parent_path().string());
  if (!parsed.ok()) {
    return Status(parsed.status().code() == Status::Code::kCorruption
                      ? Status::Corruption(path + ": " + parsed.status().message())
                      : parsed.status());
  }
  return parsed;
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kNone: return "none";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "unknown";
}

std::string_view LayoutName(TensorLayout layout) {
  return layout == TensorLayout::kNhwc ? "NHWC" : "NCHW";
}

}  // namespace vigil::classifier
