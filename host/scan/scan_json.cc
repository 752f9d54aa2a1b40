#include "scan/scan_json.h"

namespace vigil::host {

std::string JsonText(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string JsonText(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const char* SeverityName(int severity) {
  switch (severity) {
    case 1: return "none";
    case 2: return "low";
    case 3: return "medium";
    case 4: return "high";
    case 5: return "critical";
    default: return "unspecified";
  }
}

nlohmann::ordered_json ItemRecordToJson(const ItemRecord& record) {
  nlohmann::ordered_json signals = nlohmann::ordered_json::array();
  nlohmann::ordered_json detections = nlohmann::ordered_json::array();
  nlohmann::ordered_json detector_errors = nlohmann::ordered_json::object();
  nlohmann::ordered_json truncated = nlohmann::ordered_json::object();
  std::string error = record.status.message();
  for (const DetectorRun& run : record.runs) {
    if (!run.status.ok()) {
      detector_errors[run.detector] = run.status.message();
      error += (error.empty() ? "" : "; ") + run.status.message();
      continue;
    }
    if (run.truncated()) {
      truncated[run.detector] = {{"returned", run.detections_returned},
                                 {"kept", run.result.detections_size()},
                                 {"note", run.TruncationNote()}};
    }
    for (const auto& s : run.result.signals()) {
      nlohmann::ordered_json j = {{"type", s.type()}, {"value", s.value()}, {"detector", run.detector}};
      if (s.has_quality()) j["quality"] = s.quality();
      signals.push_back(std::move(j));
    }
    for (const auto& d : run.result.detections()) {
      nlohmann::ordered_json j = {{"detector", run.detector},
                          {"label", d.label()},
                          {"score", d.score()},
                          {"severity", SeverityName(d.severity())}};
      if (!d.signal_type().empty()) j["signal_type"] = d.signal_type();
      if (d.has_match()) {
        j["bank"] = d.match().bank();
        j["entry_id"] = d.match().entry_id();
        j["category"] = d.match().category();
        j["distance"] = d.match().distance();
        j["dihedral"] = d.match().dihedral();
      } else {
        j["bank"] = nullptr;
        j["distance"] = nullptr;
      }
      if (!d.reason().empty()) j["reason"] = d.reason();
      // Where in a video (vigil.v1 TimeRange), only when the detector said.
      auto ranges = [](const auto& list) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const auto& r : list) out.push_back({r.start_seconds(), r.end_seconds()});
        return out;
      };
      if (d.item_ranges_size() > 0) j["item_ranges"] = ranges(d.item_ranges());
      if (d.has_match() && d.match().ranges_size() > 0)
        j["match_ranges"] = ranges(d.match().ranges());
      detections.push_back(std::move(j));
    }
  }
  const bool failed = !error.empty();
  nlohmann::ordered_json out = {{"item", record.path},
                        {"sha256", record.sha256.empty() ? nlohmann::ordered_json(nullptr)
                                                         : nlohmann::ordered_json(record.sha256)},
                        {"media_kind", record.media_kind},
                        {"signals", std::move(signals)},
                        {"detections", std::move(detections)},
                        {"status", failed ? "failed" : "ok"},
                        {"error", failed ? nlohmann::ordered_json(error) : nlohmann::ordered_json(nullptr)}};
  if (!detector_errors.empty()) out["detector_errors"] = std::move(detector_errors);
  if (!truncated.empty()) out["detections_truncated"] = std::move(truncated);
  return out;
}

}  // namespace vigil::host
