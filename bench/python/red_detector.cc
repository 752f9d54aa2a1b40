// bench.red-cpp: the sample Python detector's logic (samples/python-detector/detector.py)
// in C++ through vigil/plugin.hpp, the baseline of bench/python.
#include <string>
#include <vigil/plugin.hpp>

namespace {

class RedDetector {
 public:
  static constexpr const char* kId = "bench.red-cpp";
  static vigil::v1::DetectorInfo Describe() {
    vigil::v1::DetectorInfo info;
    info.set_id(kId);
    info.set_version("1.0.0");
    info.set_kind(vigil::v1::DETECTOR_KIND_CLASSIFIER);
    info.add_accepted_media(vigil::v1::MEDIA_KIND_IMAGE);
    info.add_labels("mostly-red");
    return info;
  }
  RedDetector(const vigil::v1::DetectorConfig&, const vigil::sdk::Host&) {}

  void Analyze(const vigil::sdk::Item& item, vigil::v1::AnalysisResult& result) {
    const vigil_image_view_t* image = item.image();
    if (image == nullptr || image->pixel_format == VIGIL_PIXEL_GRAY8) return;
    const uint32_t channels = image->pixel_format == VIGIL_PIXEL_RGBA8 ? 4 : 3;
    uint64_t red = 0;
    for (uint32_t y = 0; y < image->height; ++y) {
      const uint8_t* row = image->pixels + static_cast<size_t>(y) * image->stride;
      for (uint32_t x = 0; x < image->width; ++x) {
        const int r = row[x * channels], g = row[x * channels + 1], b = row[x * channels + 2];
        red += (r > 150 && r > g + 60 && r > b + 60) ? 1 : 0;
      }
    }
    const double share =
        static_cast<double>(red) / (static_cast<double>(image->width) * image->height);
    if (share < 0.5) return;
    auto* detection = result.add_detections();
    detection->set_label("mostly-red");
    detection->set_score(share);
    detection->set_severity(vigil::v1::SEVERITY_LOW);
    detection->set_reason(std::to_string(static_cast<int>(share * 100 + 0.5)) + "% of " +
                          std::to_string(image->width) + "x" + std::to_string(image->height) +
                          " pixels are red");
  }
};

}  // namespace

VIGIL_PLUGIN(RedDetector)
