// bench.echo-cpp: the same echo as echo_plugin.c, through vigil/plugin.hpp and the
// protobuf messages, to show what the C++ helper costs per call.
#include <string>

#include "vigil/plugin.hpp"

namespace {
class EchoDetector {
 public:
  static constexpr const char* kId = "bench.echo-cpp";
  static vigil::v1::DetectorInfo Describe() {
    vigil::v1::DetectorInfo info;
    info.set_version("1.0.0");
    info.set_vendor("Vigil bench");
    info.set_kind(vigil::v1::DETECTOR_KIND_OTHER);
    info.add_accepted_media(vigil::v1::MEDIA_KIND_BINARY);
    return info;
  }
  EchoDetector(const vigil::v1::DetectorConfig&, const vigil::sdk::Host&) {}
  void Analyze(const vigil::sdk::Item& item, vigil::v1::AnalysisResult& result) {
    auto* signal = result.add_signals();
    signal->set_type("size");
    signal->set_value(std::to_string(item.bytes().size()));
  }
};
}  // namespace

VIGIL_PLUGIN(EchoDetector)
