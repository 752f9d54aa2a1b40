// vigil.pdq: the PDQ perceptual hash of the decoded image (bit-exact with the reference
// for the same pixels) and its match against the hash banks, all 8 rotations and
// mirrors by default.
//
// Configuration (DetectorConfig.params):
//   threshold    Hamming distance that still matches, 0..256 (default 31)
//   min_quality  images below this PDQ quality are hashed and reported, not matched
//                (default 50, as the reference recommends)
//   dihedral     "true" (default): also match the 7 rotated/mirrored variants
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bank_set.h"
#include "vigil/hashbank/signal.h"
#include "vigil/pdq/pdq.h"
#include "vigil/plugin.hpp"

namespace {

int IntParam(const vigil::v1::DetectorConfig& config, const char* key, int fallback, int low,
             int high) {
  auto it = config.params().find(key);
  if (it == config.params().end()) return fallback;
  try {
    size_t used = 0;
    int value = std::stoi(it->second, &used);
    if (used == it->second.size() && value >= low && value <= high) return value;
  } catch (const std::exception&) {
  }
  throw vigil::sdk::ConfigError(std::string(key) + " must be a whole number from " +
                                std::to_string(low) + " to " + std::to_string(high) + ", not '" +
                                it->second + "'");
}

class PdqDetector {
 public:
  static constexpr const char* kId = "vigil.pdq";

  static vigil::v1::DetectorInfo Describe() {
    vigil::v1::DetectorInfo info;
    info.set_id(kId);
    info.set_version("1.0.0");
    info.set_vendor("Vigil");
    info.set_kind(vigil::v1::DETECTOR_KIND_HASH);
    info.set_description("PDQ perceptual hash, matched against the hash banks in all 8 orientations");
    info.add_accepted_media(vigil::v1::MEDIA_KIND_IMAGE);
    info.add_signal_types("pdq");
    info.set_config_schema(
        R"({"type":"object","properties":{"threshold":{"type":"string"},)"
        R"("min_quality":{"type":"string"},"dihedral":{"enum":["true","false"]}},)"
        R"("additionalProperties":false})");
    info.mutable_cost()->set_typical_us(1500);
    info.mutable_cost()->set_max_ms(5000);
    return info;
  }

  PdqDetector(const vigil::v1::DetectorConfig& config, const vigil::sdk::Host&)
      : threshold_((vigil::sdk::RequireKnownParams(config, {"threshold", "min_quality", "dihedral"}),
                    IntParam(config, "threshold", vigil::hashbank::kDefaultPdqThreshold, 0, 256))),
        min_quality_(IntParam(config, "min_quality", 50, 0, 100)),
        banks_(config.data_dir()) {
    auto it = config.params().find("dihedral");
    if (it != config.params().end()) {
      if (it->second != "true" && it->second != "false") {
        throw vigil::sdk::ConfigError("dihedral must be \"true\" or \"false\"");
      }
      dihedral_ = it->second == "true";
    }
  }

  void Analyze(const vigil::sdk::Item& item, vigil::v1::AnalysisResult& result) {
    const vigil_image_view_t* image = item.image();
    if (image == nullptr) {
      throw vigil::sdk::Error(VIGIL_ERR_UNSUPPORTED, "vigil.pdq needs a decoded image");
    }
    vigil::pdq::ImageView view;
    view.pixels = image->pixels;
    view.width = image->width;
    view.height = image->height;
    view.stride = image->stride;
    view.size_bytes = static_cast<size_t>(image->stride) * image->height;
    switch (image->pixel_format) {
      case VIGIL_PIXEL_RGB8: view.format = vigil::pdq::PixelFormat::kRgb8; break;
      case VIGIL_PIXEL_RGBA8: view.format = vigil::pdq::PixelFormat::kRgba8; break;
      case VIGIL_PIXEL_GRAY8: view.format = vigil::pdq::PixelFormat::kGray8; break;
      default: throw vigil::sdk::Error(VIGIL_ERR_UNSUPPORTED, "unknown pixel format");
    }
    auto hashes = HashDihedral(view);
    if (!hashes.ok()) throw vigil::sdk::Error(VIGIL_ERR_BAD_INPUT, hashes.status().message());
    const auto& original = hashes.value().hashes[0];
    auto* signal = result.add_signals();
    signal->set_type("pdq");
    signal->set_value(original.ToHex());
    signal->set_quality(hashes.value().quality);
    signal->set_has_quality(true);
    if (hashes.value().quality < min_quality_ || banks_.banks().empty()) return;

    std::vector<vigil::hashbank::PdqWords> variants;
    for (int v = 0; v < (dihedral_ ? vigil::pdq::kDihedralCount : 1); ++v) {
      auto words = vigil::hashbank::ParsePdqHex(hashes.value().hashes[v].ToHex());
      if (!words.ok()) throw vigil::sdk::Error(VIGIL_ERR_INTERNAL, words.status().message());
      variants.push_back(words.value());
    }
    for (const auto& bank : banks_.banks()) {
      auto matches = bank->MatchPdq(variants.data(), variants.size(), threshold_);
      if (!matches.ok()) throw vigil::sdk::Error(VIGIL_ERR_INTERNAL, matches.status().message());
      std::vector<vigil::hashbank::Match> found = std::move(matches).value();
      banks_.DropDisabled(found);  // entries disabled until a date (issue 13 item 6)
      vigil::hashdetect::BankSet::AddDetections(found, "pdq", result);
    }
  }

 private:
  // A PdqHasher keeps scratch buffers and is not thread-safe: lend one per call from a
  // small pool instead of allocating per item.
  vigil::pdq::Result<vigil::pdq::DihedralHashes> HashDihedral(const vigil::pdq::ImageView& view) {
    std::unique_ptr<vigil::pdq::PdqHasher> hasher;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        hasher = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (!hasher) hasher = std::make_unique<vigil::pdq::PdqHasher>();
    auto out = hasher->HashDihedral(view);
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(std::move(hasher));
    return out;
  }

  int threshold_;
  int min_quality_;
  bool dihedral_ = true;
  vigil::hashdetect::BankSet banks_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<vigil::pdq::PdqHasher>> idle_;
};

}  // namespace

VIGIL_PLUGIN(PdqDetector)
