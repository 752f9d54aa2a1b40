// libFuzzer target: what a plugin's describe() returns, as the host receives it (the
// bytes of a vigil.v1.DetectorInfo), through CheckDetectorInfo. Traps when an answer
// it accepts breaks the documented rules (describe_check.h), or when its refusal is
// not one line of terminal-safe text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/terminal_text.h"
#include "isolation/describe_check.h"
#include "vigil/v1/detector.pb.h"

namespace {

bool Printable(const std::string& text) { return vigil::TerminalText(text) == text; }

bool TerminalSafe(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  // A refusal quotes the bad value escaped: escaping it again only doubles backslashes.
  std::string doubled;
  for (char c : text) doubled += c == '\\' ? std::string("\\\\") : std::string(1, c);
  return vigil::TerminalText(text) == doubled;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::v1::DetectorInfo info;
  if (!info.ParseFromArray(data, static_cast<int>(size))) return 0;
  const vigil::Status checked = vigil::isolation::CheckDetectorInfo(info, "fuzz.so");
  if (!checked.ok()) {
    if (!TerminalSafe(checked.message())) __builtin_trap();
    return 0;
  }
  namespace iso = vigil::isolation;
  if (!iso::DetectorIdProblem(info.id()).empty() || info.id().size() > iso::kMaxIdBytes)
    __builtin_trap();
  if (!iso::VersionProblem(info.version()).empty()) __builtin_trap();
  if (info.vendor().size() > 128 || !Printable(info.vendor())) __builtin_trap();
  if (info.description().size() > 512 || !Printable(info.description())) __builtin_trap();
  if (info.signal_types_size() > 64) __builtin_trap();
  for (const std::string& type : info.signal_types()) {
    if (!iso::DetectorIdProblem(type).empty()) __builtin_trap();
  }
  if (info.labels_size() > 4096 || info.config_schema().size() > 64 * 1024) __builtin_trap();
  for (const std::string& label : info.labels()) {
    if (label.size() > 128 || !Printable(label)) __builtin_trap();
  }
  return 0;
}
