#include "isolation/describe_check.h"

#include "isolation/output_relay.h"

namespace vigil::isolation {
namespace {

bool Alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The value as it may appear in a message: escaped and cut.
std::string Shown(std::string_view value) {
  std::string shown = TerminalText(value.substr(0, 80));
  if (value.size() > 80) shown += "...";
  return "'" + shown + "'";
}

std::string TextProblem(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return "is " + std::to_string(text.size()) + " bytes long (at most " +
           std::to_string(max_bytes) + ")";
  }
  if (TerminalText(text) != text) {
    return "has control characters, backslashes, bidi marks or invalid UTF-8";
  }
  return "";
}

}  // namespace

std::string DetectorIdProblem(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) {
    return "must have 1 to " + std::to_string(kMaxIdBytes) + " bytes";
  }
  if (!Alnum(id[0])) return "must start with a letter or digit";
  for (char c : id) {
    if (!Alnum(c) && c != '.' && c != '_' && c != '-') {
      return "may only have the characters A-Z a-z 0-9 . _ -";
    }
  }
  return "";
}

std::string VersionProblem(std::string_view version) {
  if (version.empty() || version.size() > kMaxVersionBytes) {
    return "must have 1 to " + std::to_string(kMaxVersionBytes) + " bytes";
  }
  for (char c : version) {
    if (!Alnum(c) && c != '.' && c != '_' && c != '+' && c != '~' && c != '-') {
      return "may only have the characters A-Z a-z 0-9 . _ + ~ -";
    }
  }
  return "";
}

Status CheckDetectorInfo(const vigil::v1::DetectorInfo& info, const std::string& plugin) {
  auto refuse = [&](const std::string& field, std::string_view value, const std::string& why) {
    return Status::PluginError("plugin " + TerminalText(plugin) + " is refused: its " + field +
                               " " + (value.empty() ? "" : Shown(value) + " ") + why);
  };
  if (std::string why = DetectorIdProblem(info.id()); !why.empty()) {
    return refuse("detector id", info.id(), why);
  }
  const std::string of = " of detector " + info.id();
  if (std::string why = VersionProblem(info.version()); !why.empty()) {
    return refuse("version" + of, info.version(), why);
  }
  if (std::string why = TextProblem(info.vendor(), 128); !why.empty()) {
    return refuse("vendor" + of, info.vendor(), why);
  }
  if (std::string why = TextProblem(info.description(), 512); !why.empty()) {
    return refuse("description" + of, info.description(), why);
  }
  if (info.signal_types_size() > 64) {
    return refuse("signal types" + of, "",
                  "are " + std::to_string(info.signal_types_size()) + " (at most 64)");
  }
  for (const std::string& type : info.signal_types()) {
    if (std::string why = DetectorIdProblem(type); !why.empty()) {
      return refuse("signal type" + of, type, why);
    }
  }
  if (info.labels_size() > 4096) {
    return refuse("labels" + of, "",
                  "are " + std::to_string(info.labels_size()) + " (at most 4096)");
  }
  for (const std::string& label : info.labels()) {
    std::string why = label.empty() ? "is empty" : TextProblem(label, 128);
    if (!why.empty()) return refuse("label" + of, label, why);
  }
  if (info.config_schema().size() > (64u << 10)) {
    return refuse("config schema" + of, "", "is over 64 KiB");
  }
  return Status::Ok();
}

}  // namespace vigil::isolation
