// vigil.exact: exact digests of an item's bytes (MD5, SHA-1, SHA-256), the signals hash
// lists are keyed by, matched against the hash banks. Digests come from OpenSSL's EVP
// interface, never hand-written code.
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "bank_set.h"
#include "vigil/hashbank/signal.h"
#include "vigil/plugin.hpp"

namespace {

// Lower-case hex of a digest, the canonical text form of hash signals.
std::string ToHex(const unsigned char* bytes, unsigned int size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex(size * 2, '0');
  for (unsigned int i = 0; i < size; ++i) {
    hex[2 * i] = kDigits[bytes[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return hex;
}

class ExactDetector {
 public:
  static constexpr const char* kId = "vigil.exact";

  static vigil::v1::DetectorInfo Describe() {
    vigil::v1::DetectorInfo info;
    info.set_id(kId);
    info.set_version("1.0.0");
    info.set_vendor("Vigil");
    info.set_kind(vigil::v1::DETECTOR_KIND_HASH);
    info.set_description("MD5, SHA-1 and SHA-256 of the item's bytes, matched against the hash banks");
    for (auto kind : {vigil::v1::MEDIA_KIND_IMAGE, vigil::v1::MEDIA_KIND_VIDEO,
                      vigil::v1::MEDIA_KIND_TEXT, vigil::v1::MEDIA_KIND_BINARY}) {
      info.add_accepted_media(kind);
    }
    for (const char* type : {"md5", "sha1", "sha256"}) info.add_signal_types(type);
    info.set_config_schema(R"({"type":"object","properties":{},"additionalProperties":false})");
    info.mutable_cost()->set_typical_us(50);
    info.mutable_cost()->set_max_ms(2000);
    return info;
  }

  ExactDetector(const vigil::v1::DetectorConfig& config, const vigil::sdk::Host&)
      : banks_((vigil::sdk::RequireKnownParams(config, {}), config.data_dir())) {}

  void Analyze(const vigil::sdk::Item& item, vigil::v1::AnalysisResult& result) {
    std::string_view bytes = item.bytes();
    if (item.raw()->bytes == nullptr && item.raw()->bytes_size != 0) {
      throw vigil::sdk::Error(VIGIL_ERR_INVALID_ARGUMENT, "item has a size but no bytes");
    }
    AddDigest(EVP_md5(), "md5", bytes, result);
    AddDigest(EVP_sha1(), "sha1", bytes, result);
    AddDigest(EVP_sha256(), "sha256", bytes, result);
  }

 private:
  void AddDigest(const EVP_MD* md, const char* type, std::string_view bytes,
                 vigil::v1::AnalysisResult& result) const {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, md, nullptr) != 1) {
      throw vigil::sdk::Error(VIGIL_ERR_INTERNAL, std::string("OpenSSL could not compute ") + type);
    }
    vigil::v1::Signal* signal = result.add_signals();
    signal->set_type(type);
    signal->set_value(ToHex(digest, size));
    if (banks_.banks().empty()) return;
    auto value = vigil::hashbank::ParseHashValue(*vigil::hashbank::ParseSignalType(type), signal->value());
    if (!value.ok()) throw vigil::sdk::Error(VIGIL_ERR_INTERNAL, value.status().message());
    for (const auto& bank : banks_.banks()) {
      auto matches = bank->MatchExact(value.value());
      if (!matches.ok()) throw vigil::sdk::Error(VIGIL_ERR_INTERNAL, matches.status().message());
      std::vector<vigil::hashbank::Match> found = std::move(matches).value();
      banks_.DropDisabled(found);  // entries disabled until a date (issue 13 item 6)
      vigil::hashdetect::BankSet::AddDetections(found, type, result);
    }
  }

  vigil::hashdetect::BankSet banks_;
};

}  // namespace

VIGIL_PLUGIN(ExactDetector)
