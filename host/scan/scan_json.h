// The JSON line `vigil scan --json` prints per item (the CLI contract in DESIGN.md).
#ifndef VIGIL_HOST_SCAN_SCAN_JSON_H_
#define VIGIL_HOST_SCAN_SCAN_JSON_H_

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace vigil::host {

// {"item", "sha256", "media_kind", "signals": [...], "detections": [...],
//  "status": "ok"|"failed", "error": null|"...", "detector_errors": {id: text}}
nlohmann::ordered_json ItemRecordToJson(const ItemRecord& record);

// "none", "low", ... for a vigil.v1.Severity value.
const char* SeverityName(int severity);

}  // namespace vigil::host

#endif  // VIGIL_HOST_SCAN_SCAN_JSON_H_
