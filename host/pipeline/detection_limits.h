// Detection limits: how many detections one item keeps, per detector and in all.
//
// Rationale: a plugin decides how many detections it returns, and every one becomes a
// row in the store, a line in the console and a term in `vigil stats` (one plugin
// returning 150,000 made `vigil stats` take 24 s). The caps keep the most relevant:
// highest severity first, then highest score (a NaN score counts as the lowest), ties
// in the order the detector gave them; what is kept stays in the detector's order.
// What was dropped is never silent: DetectorRun::detections_returned keeps the count,
// the store, `vigil scan --json`, `vigil stats` and the console show "detector X
// returned N detections; kept M", and the policy never clears such an item.
#ifndef VIGIL_HOST_PIPELINE_DETECTION_LIMITS_H_
#define VIGIL_HOST_PIPELINE_DETECTION_LIMITS_H_

#include <cstddef>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace vigil::host {

struct DetectionLimits {
  size_t per_detector = 256;  // one detector on one item
  size_t per_item = 1024;     // all detectors on one item, after the per-detector cap

  // InvalidArgument unless 1 <= per_detector and per_detector <= per_item.
  Status Validate() const;
};

// Keeps at most `max` of the run's detections (the most relevant) and records in
// run.detections_returned how many the detector returned.
void CapDetectorRun(DetectorRun& run, size_t max);

// Keeps at most `max` detections over all of an item's runs, the most relevant across
// detectors (runs keep their detections_returned). REQUIRES: CapDetectorRun first, so
// each run's detections_returned is set.
void CapItemDetections(std::vector<DetectorRun>& runs, size_t max);

}  // namespace vigil::host

#endif  // VIGIL_HOST_PIPELINE_DETECTION_LIMITS_H_
