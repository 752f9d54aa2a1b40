// vigil.classifier: runs a vendor's ONNX image classifier (model + manifest) on the
// host's decoded image: one score signal per label, and a detection for each label at or
// over its threshold with the manifest's severity.
//
// Configuration (DetectorConfig.params):
//   model    path of the model manifest (JSON). Default: $VIGIL_CLASSIFIER_MODEL, then
//            the first <data_dir>/models/*/manifest.json, then the first
//            models/*/manifest.json beside the plugin directory (lib/vigil/models).
//   backend  auto (default: ONNX Runtime when present, else OpenCV DNN), onnxruntime, opencv
//   threads  threads one inference may use (default 1: the host parallelises items)
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "vigil/classifier/classifier.h"
#include "vigil/plugin.hpp"

namespace {
namespace fs = std::filesystem;

// The first <dir>/*/manifest.json, in name order.
std::string FirstManifestIn(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return "";
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (fs::exists(entry.path() / "manifest.json", ec)) found.push_back(entry.path() / "manifest.json");
  }
  std::sort(found.begin(), found.end());
  return found.empty() ? "" : found.front().string();
}

// Where this plugin's .so lives (to find models installed beside it).
fs::path PluginDirectory() {
  Dl_info info{};
  static int anchor;
  if (dladdr(&anchor, &info) == 0 || info.dli_fname == nullptr) return {};
  return fs::path(info.dli_fname).parent_path();
}

std::string FindModel(const vigil::v1::DetectorConfig& config) {
  if (auto it = config.params().find("model"); it != config.params().end()) return it->second;
  if (const char* env = std::getenv("VIGIL_CLASSIFIER_MODEL"); env && *env) return env;
  if (!config.data_dir().empty()) {
    if (auto m = FirstManifestIn(fs::path(config.data_dir()) / "models"); !m.empty()) return m;
  }
  return FirstManifestIn(PluginDirectory() / ".." / "models");
}

class ClassifierDetector {
 public:
  static constexpr const char* kId = "vigil.classifier";

  static vigil::v1::DetectorInfo Describe() {
    vigil::v1::DetectorInfo info;
    info.set_id(kId);
    info.set_version("1.0.0");
    info.set_vendor("Vigil");
    info.set_kind(vigil::v1::DETECTOR_KIND_CLASSIFIER);
    info.set_description("Image classifier running a vendor's ONNX model (ONNX Runtime or OpenCV DNN)");
    info.add_accepted_media(vigil::v1::MEDIA_KIND_IMAGE);
    info.add_signal_types("score");
    info.set_config_schema(
        R"({"type":"object","properties":{"model":{"type":"string"},)"
        R"("backend":{"enum":["auto","onnxruntime","opencv"]},"threads":{"type":"string"}},)"
        R"("additionalProperties":false})");
    info.mutable_cost()->set_typical_us(10000);
    info.mutable_cost()->set_max_ms(10000);
    return info;
  }

  ClassifierDetector(const vigil::v1::DetectorConfig& config, const vigil::sdk::Host& host) {
    vigil::sdk::RequireKnownParams(config, {"model", "backend", "threads"});
    vigil::classifier::ClassifierOptions options;
    if (auto it = config.params().find("backend"); it != config.params().end()) {
      if (it->second == "auto") options.backend = vigil::classifier::BackendKind::kAuto;
      else if (it->second == "onnxruntime") options.backend = vigil::classifier::BackendKind::kOnnxRuntime;
      else if (it->second == "opencv") options.backend = vigil::classifier::BackendKind::kOpenCvDnn;
      else throw vigil::sdk::ConfigError("backend must be auto, onnxruntime or opencv");
    }
    if (auto it = config.params().find("threads"); it != config.params().end()) {
      try {
        options.threads = std::stoi(it->second);
      } catch (const std::exception&) {
        throw vigil::sdk::ConfigError("threads must be a whole number");
      }
      if (options.threads < 0 || options.threads > 64) {
        throw vigil::sdk::ConfigError("threads must be from 0 to 64");
      }
    }
    const std::string model = FindModel(config);
    if (model.empty()) {
      throw vigil::sdk::ConfigError(
          "no classifier model: run scripts/prepare-models.sh, or pass "
          "--set vigil.classifier.model=PATH/manifest.json");
    }
    auto loaded = vigil::classifier::Classifier::Load(model, options);
    if (!loaded.ok()) throw vigil::sdk::ConfigError(loaded.status().message());
    classifier_.emplace(std::move(loaded).value());
    host.Log(VIGIL_LOG_INFO, "vigil.classifier: " + model + " on " +
                                 std::string(classifier_->backend_name()) +
                                 (classifier_->backend_note().empty() ? "" : " (" + classifier_->backend_note() + ")"));
  }

  void Analyze(const vigil::sdk::Item& item, vigil::v1::AnalysisResult& result) {
    auto classified = classifier_->Classify(ViewOf(item));
    if (!classified.ok()) throw vigil::sdk::Error(VIGIL_ERR_BAD_INPUT, classified.status().message());
    Report(classified.value(), result);
  }

  // The "vigil.batch/1" path: one model call for the batch when the model batches
  // natively. A batch with a non-image item falls back to one call per item.
  void AnalyzeBatch(const std::vector<vigil::sdk::Item>& items,
                    std::vector<vigil::sdk::BatchSlot>& slots) {
    std::vector<vigil::classifier::ImageView> views;
    for (const auto& item : items) {
      if (item.image() == nullptr) {
        for (size_t i = 0; i < items.size(); ++i) AnalyzeSlot(items[i], slots[i]);
        return;
      }
      views.push_back(ViewOf(item));
    }
    auto classified = classifier_->ClassifyBatch(views.data(), views.size());
    if (!classified.ok()) {  // one bad view fails the model call: retry one by one
      for (size_t i = 0; i < items.size(); ++i) AnalyzeSlot(items[i], slots[i]);
      return;
    }
    for (size_t i = 0; i < items.size(); ++i) Report(classified.value()[i], slots[i].result);
  }

 private:
  void AnalyzeSlot(const vigil::sdk::Item& item, vigil::sdk::BatchSlot& slot) {
    try {
      Analyze(item, slot.result);
    } catch (const vigil::sdk::Error& e) {
      slot.status = e.status();
      slot.error = e.what();
    }
  }

  static vigil::classifier::ImageView ViewOf(const vigil::sdk::Item& item) {
    const vigil_image_view_t* image = item.image();
    if (image == nullptr) throw vigil::sdk::Error(VIGIL_ERR_UNSUPPORTED, "needs a decoded image");
    vigil::classifier::ImageView view;
    view.width = static_cast<int>(image->width);
    view.height = static_cast<int>(image->height);
    view.stride = image->stride;
    view.format = static_cast<vigil::classifier::PixelFormat>(image->pixel_format);
    view.pixels = image->pixels;
    return view;
  }

  void Report(const vigil::classifier::Classification& classification,
              vigil::v1::AnalysisResult& result) const {
    char text[32];
    for (const auto& score : classification.scores) {
      auto* signal = result.add_signals();
      signal->set_type("score:" + score.label);
      std::snprintf(text, sizeof text, "%.6f", static_cast<double>(score.score));
      signal->set_value(text);
    }
    for (const auto& d : classification.detections) {
      auto* detection = result.add_detections();
      detection->set_label(d.label);
      detection->set_score(d.score);
      detection->set_severity(static_cast<vigil::v1::Severity>(d.severity));
      detection->set_signal_type("score:" + d.label);
      std::snprintf(text, sizeof text, "%.3f", static_cast<double>(d.score));
      detection->set_reason(std::string("model ") + classifier_->manifest().id + ": " + d.label + " " +
                            text + " >= threshold");
    }
  }

  std::optional<vigil::classifier::Classifier> classifier_;
};

}  // namespace

VIGIL_PLUGIN(ClassifierDetector)
