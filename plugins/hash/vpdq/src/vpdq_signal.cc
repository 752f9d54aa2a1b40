// pytx / HMA vPDQ signal text: a JSON list of "hex,quality,timestamp" (or the older object).
#include "vigil/vpdq/vpdq_signal.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace vigil::vpdq {
namespace {

constexpr int kMaxDepth = 4;  // the older form: {frame: {hash: {"w": [...]}}}

std::string Shown(std::string_view field) {
  std::string s(field.substr(0, 40));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return "\"" + s + (field.size() > 40 ? "...\"" : "\"");
}

Status FrameError(size_t frame, const std::string& what) {
  return Status::InvalidArgument("frame " + std::to_string(frame) + ": " + what);
}

// Brackets outside strings; a deeper document is refused before a tree is built.
bool DeeperThan(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

bool ParseQuality(std::string_view text, int* out) {
  if (text.empty() || text.size() > 3) return false;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > 100) return false;
  *out = v;
  return true;
}

// A decimal as Python's float() reads what "{:.3}" wrote: digits, '.', an exponent.
bool ParseTimestamp(std::string_view text, double* out) {
  if (text.empty() || text.size() > 32) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
      return false;
    }
  }
  std::string copy(text);
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (errno != 0 || end != copy.c_str() + copy.size() || !std::isfinite(v) || v < 0) return false;
  *out = v;
  return true;
}

// "hex,quality,timestamp" (VpdqCompactFeature.from_str).
Status ParseCompactFeature(std::string_view s, size_t index, FrameHash* f) {
  size_t a = s.find(',');
  size_t b = a == std::string_view::npos ? a : s.find(',', a + 1);
  if (b == std::string_view::npos || s.find(',', b + 1) != std::string_view::npos) {
    return FrameError(index, "expected \"pdq_hex,quality,timestamp\", not " + Shown(s));
  }
  auto hash = pdq::Hash256::FromHex(s.substr(0, a));
  if (!hash.ok()) {
    return FrameError(index, "PDQ hash " + Shown(s.substr(0, a)) + " is not 64 hex digits");
  }
  f->hash = *hash;
  if (!ParseQuality(s.substr(a + 1, b - a - 1), &f->quality)) {
    return FrameError(index, "quality " + Shown(s.substr(a + 1, b - a - 1)) + " not in 0..100");
  }
  if (!ParseTimestamp(s.substr(b + 1), &f->timestamp_seconds)) {
    return FrameError(index,
                      "timestamp " + Shown(s.substr(b + 1)) + " is not a number of seconds >= 0");
  }
  f->frame_number = static_cast<int64_t>(index);
  return Status::Ok();
}

// {"quality": q, "hash": hex | {"w": [16]}, "timestamp": t} under its frame number.
Status ParseOldFeature(const std::string& key, const nlohmann::json& value, FrameHash* f) {
  if (key.empty() || key.size() > 12 ||
      !std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument("frame number " + Shown(key) + " is not a number");
  }
  f->frame_number = std::stoll(key);
  const size_t n = static_cast<size_t>(f->frame_number);
  if (!value.is_object()) return FrameError(n, "not an object");
  auto q = value.find("quality");
  if (q == value.end() || !q->is_number_integer() || q->get<int64_t>() < 0 ||
      q->get<int64_t>() > 100) {
    return FrameError(n, "quality missing or not in 0..100");
  }
  f->quality = static_cast<int>(q->get<int64_t>());
  auto t = value.find("timestamp");
  if (t == value.end() || !t->is_number() || !std::isfinite(t->get<double>()) ||
      t->get<double>() < 0) {
    return FrameError(n, "timestamp missing or not a number of seconds >= 0");
  }
  f->timestamp_seconds = t->get<double>();
  auto h = value.find("hash");
  if (h != value.end() && h->is_string()) {
    auto hash = pdq::Hash256::FromHex(h->get<std::string>());
    if (!hash.ok()) return FrameError(n, "PDQ hash is not 64 hex digits");
    f->hash = *hash;
    return Status::Ok();
  }
  // pytx's Hash256 serialised by its JSONEncoder: the 16 words, w[0] the low bits.
  if (h != value.end() && h->is_object()) {
    auto w = h->find("w");
    if (w != h->end() && w->is_array() && w->size() == 16) {
      for (size_t i = 0; i < 16; ++i) {
        const auto& word = (*w)[i];
        if (!word.is_number_unsigned() || word.get<uint64_t>() > 0xffff) {
          return FrameError(n, "hash word " + std::to_string(i) + " is not in 0..65535");
        }
        f->hash.words[i] = static_cast<uint16_t>(word.get<uint64_t>());
      }
      return Status::Ok();
    }
  }
  return FrameError(n, "hash missing: expected 64 hex digits or {\"w\": [16 words]}");
}

}  // namespace

StatusOr<std::vector<FrameHash>> ParseVpdqSignal(std::string_view text) {
  if (DeeperThan(text, kMaxDepth)) {
    return Status::InvalidArgument("vPDQ signal nested deeper than " + std::to_string(kMaxDepth) +
                                   " levels; refused");
  }
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception&) {
    return Status::InvalidArgument(
        "vPDQ signal is not JSON (expected a list of \"pdq_hex,quality,timestamp\")");
  }
  std::vector<FrameHash> frames;
  if (doc.is_array()) {
    if (doc.size() > kMaxSignalFrames) {
      return Status::Resource("vPDQ signal has " + std::to_string(doc.size()) +
                              " frames, more than " + std::to_string(kMaxSignalFrames));
    }
    frames.reserve(doc.size());
    for (size_t i = 0; i < doc.size(); ++i) {
      if (!doc[i].is_string()) return FrameError(i, "not a string \"pdq_hex,quality,timestamp\"");
      FrameHash f;
      if (Status s = ParseCompactFeature(doc[i].get_ref<const std::string&>(), i, &f); !s.ok()) {
        return s;
      }
      frames.push_back(f);
    }
  } else if (doc.is_object()) {
    if (doc.size() > kMaxSignalFrames) {
      return Status::Resource("vPDQ signal has " + std::to_string(doc.size()) +
                              " frames, more than " + std::to_string(kMaxSignalFrames));
    }
    for (const auto& [key, value] : doc.items()) {
      FrameHash f;
      if (Status s = ParseOldFeature(key, value, &f); !s.ok()) return s;
      frames.push_back(f);
    }
    std::sort(frames.begin(), frames.end(), [](const FrameHash& a, const FrameHash& b) {
      return a.frame_number < b.frame_number;
    });
  } else {
    return Status::InvalidArgument(
        "vPDQ signal is neither a list of frames nor an object of frames");
  }
  if (frames.empty()) return Status::InvalidArgument("no frames: the vPDQ signal is empty");
  return frames;
}

std::string FormatVpdqSignal(const std::vector<FrameHash>& frames) {
  std::string out = "[";
  char stamp[48];
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i > 0) out += ", ";
    // Python's "{:.3}": %.3g, with ".0" when fixed notation printed no decimal point.
    std::snprintf(stamp, sizeof stamp, "%.3g", frames[i].timestamp_seconds);
    std::string t = stamp;
    if (t.find_first_of(".e") == std::string::npos) t += ".0";
    out += "\"" + frames[i].hash.ToHex() + "," + std::to_string(frames[i].quality) + "," + t + "\"";
  }
  out += "]";
  return out;
}

}  // namespace vigil::vpdq
