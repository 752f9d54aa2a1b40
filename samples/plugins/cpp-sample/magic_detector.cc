// sample.magic: a vendor plugin in C++ with the SDK's helper header.
//
// Reports the file type its magic number says ("jpeg", "png", "pdf", ...) and flags an
// executable hiding among media (a common trick to smuggle tools past upload filters).
// The whole plugin is one class and one macro: vigil/plugin.hpp makes the C tables,
// parses the configuration and catches every exception at the ABI boundary.
#include <string>
#include <string_view>

#include <vigil/plugin.hpp>

namespace {

struct Magic {
  std::string_view prefix;
  size_t offset;
  const char* type;
};

constexpr Magic kMagics[] = {
    {"\xFF\xD8\xFF", 0, "jpeg"},         {"\x89PNG\r\n\x1A\n", 0, "png"},
    {"GIF8", 0, "gif"},                  {"WEBP", 8, "webp"},
    {"%PDF-", 0, "pdf"},                 {"PK\x03\x04", 0, "zip"},
    {"\x7F" "ELF", 0, "elf-executable"}, {"MZ", 0, "windows-executable"},
};

class MagicDetector {
 public:
  static constexpr const char* kId = "sample.magic";

  static vigil::v1::DetectorInfo Describe() {
    vigil::v1::DetectorInfo info;
    info.set_id(kId);
    info.set_version("1.0.0");
    info.set_vendor("Vigil samples");
    info.set_kind(vigil::v1::DETECTOR_KIND_OTHER);
    info.set_description("Sample C++ plugin: file type by magic number, flags executables");
    info.add_accepted_media(vigil::v1::MEDIA_KIND_IMAGE);
    info.add_accepted_media(vigil::v1::MEDIA_KIND_BINARY);
    info.add_signal_types("file-type");
    info.set_config_schema(
        R"({"type":"object","properties":{"flag_executables":{"enum":["true","false"]}}})");
    return info;
  }

  MagicDetector(const vigil::v1::DetectorConfig& config, const vigil::sdk::Host&) {
    vigil::sdk::RequireKnownParams(config, {"flag_executables"});
    auto it = config.params().find("flag_executables");
    if (it != config.params().end()) {
      if (it->second != "true" && it->second != "false") {
        throw vigil::sdk::ConfigError("flag_executables must be \"true\" or \"false\"");
      }
      flag_executables_ = it->second == "true";
    }
  }

  void Analyze(const vigil::sdk::Item& item, vigil::v1::AnalysisResult& result) {
    std::string_view bytes = item.bytes();
    if (bytes.empty()) throw vigil::sdk::Error(VIGIL_ERR_BAD_INPUT, "item has no bytes");
    const char* type = "unknown";
    for (const Magic& m : kMagics) {
      if (bytes.size() >= m.offset + m.prefix.size() &&
          bytes.substr(m.offset, m.prefix.size()) == m.prefix) {
        type = m.type;
        break;
      }
    }
    auto* signal = result.add_signals();
    signal->set_type("file-type");
    signal->set_value(type);
    if (flag_executables_ && std::string_view(type).find("executable") != std::string_view::npos) {
      auto* detection = result.add_detections();
      detection->set_label("executable");
      detection->set_score(1.0);
      detection->set_severity(vigil::v1::SEVERITY_MEDIUM);
      detection->set_signal_type("file-type");
      detection->set_reason(std::string("an ") + type + " submitted as media");
    }
  }

 private:
  bool flag_executables_ = true;
};

}  // namespace

VIGIL_PLUGIN(MagicDetector)
