// The JSON line `vigil scan --json` prints per item (the CLI contract in DESIGN.md).
#ifndef VIGIL_HOST_SCAN_SCAN_JSON_H_
#define VIGIL_HOST_SCAN_SCAN_JSON_H_

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace vigil::host {

// {"item", "sha256", "media_kind", "signals": [...], "detections": [...],
//  "status": "ok"|"failed", "error": null|"...", "detector_errors": {id: text},
//  "detections_truncated": {id: {"returned": N, "kept": M, "note": text}}}
// (detector_errors and detections_truncated only when not empty)
nlohmann::ordered_json ItemRecordToJson(const ItemRecord& record);

// Compact JSON text that never throws: invalid UTF-8 (file names, hostile URLs) becomes
// U+FFFD instead of aborting the whole line.
std::string JsonText(const nlohmann::ordered_json& json);
std::string JsonText(const nlohmann::json& json);

// "none", "low", ... for a vigil.v1.Severity value.
const char* SeverityName(int severity);

}  // namespace vigil::host

#endif  // VIGIL_HOST_SCAN_SCAN_JSON_H_
