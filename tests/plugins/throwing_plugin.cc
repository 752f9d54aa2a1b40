// C++ plugins that throw. "raw": a hand-made C table whose analyze() lets a C++
// exception escape into the host (the host must catch it). "helper": the same fault in a
// plugin built with vigil/plugin.hpp, which must turn it into a status and a message.
#include <stdexcept>

#ifdef THROW_RAW
#include <cstring>

#include "vigil/plugin.h"
#include "vigil/wire.h"

namespace {
vigil_status_t Describe(const vigil_detector_t*, const vigil_sink_t* out) {
  uint8_t storage[128];
  vigil_wire_buf b;
  vigil_wire_init(&b, storage, sizeof storage);
  vigil_wire_string(&b, 1, "test.throws");
  vigil_wire_string(&b, 2, "0.0.1");
  vigil_wire_string(&b, 3, "Vigil tests");
  vigil_wire_varint(&b, 4, 15);
  vigil_wire_varint(&b, 5, VIGIL_MEDIA_BINARY);
  return out->write(out, b.data, b.size);
}
int token;
vigil_status_t Create(const vigil_detector_t*, const vigil_host_t*, const uint8_t*, size_t size,
                      void** instance, const vigil_sink_t* err) {
  if (size) {
    err->write(err, "no config", 9);
    return VIGIL_ERR_CONFIG;
  }
  *instance = &token;
  return VIGIL_OK;
}
void Destroy(void*) {}
vigil_status_t Analyze(void*, const vigil_item_view_t*, const vigil_sink_t*, const vigil_sink_t*) {
  throw std::runtime_error("raw plugin exception");
}
const void* GetExtension(void*, const char*) { return nullptr; }
const vigil_detector_t kDetector = {sizeof(vigil_detector_t), 0, "test.throws", 0, &Describe,
                                    &Create, &Destroy, &Analyze, &GetExtension};
vigil_status_t Negotiate(uint32_t, uint32_t, uint32_t* chosen) {
  *chosen = 0;
  return VIGIL_OK;
}
vigil_status_t Init(const vigil_host_t*, const vigil_sink_t*) { return VIGIL_OK; }
void Deinit() {}
uint32_t Count() { return 1; }
const vigil_detector_t* Get(uint32_t i) { return i == 0 ? &kDetector : nullptr; }
}  // namespace

extern "C" VIGIL_EXPORT const vigil_plugin_entry_t vigil_entry_v1 = {
    sizeof(vigil_plugin_entry_t), 0, {VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, VIGIL_ABI_PATCH},
    &Negotiate, &Init, &Deinit, &Count, &Get};

#else  // the helper catches

#include "vigil/plugin.hpp"

namespace {
class ThrowingDetector {
 public:
  static constexpr const char* kId = "test.throws-helper";
  static vigil::v1::DetectorInfo Describe() {
    vigil::v1::DetectorInfo info;
    info.set_version("0.0.1");
    info.set_vendor("Vigil tests");
    info.set_kind(vigil::v1::DETECTOR_KIND_OTHER);
    info.add_accepted_media(vigil::v1::MEDIA_KIND_BINARY);
    return info;
  }
  ThrowingDetector(const vigil::v1::DetectorConfig& config, const vigil::sdk::Host&) {
    if (config.params().count("fail")) throw vigil::sdk::ConfigError("asked to fail");
  }
  void Analyze(const vigil::sdk::Item& item, vigil::v1::AnalysisResult&) {
    if (item.bytes() == "bad input") throw vigil::sdk::Error(VIGIL_ERR_BAD_INPUT, "bad bytes");
    throw std::runtime_error("helper plugin exception");
  }
};
}  // namespace

VIGIL_PLUGIN(ThrowingDetector)
#endif
