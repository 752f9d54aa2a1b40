// Analyzer: anything that analyses one item for one detector. The pipeline only sees
// this interface, so a detector can run in process (DetectorInstance) or in a worker
// process (isolation) without the pipeline knowing which.
#ifndef VIGIL_HOST_LOADER_ANALYZER_H_
#define VIGIL_HOST_LOADER_ANALYZER_H_

#include <string>

#include "core/status.h"
#include "vigil/plugin.h"
#include "vigil/v1/result.pb.h"

namespace vigil::host {

// The outcome of one analyze call.
struct AnalyzeOutcome {
  Status status;                     // not ok: the item failed for this detector
  vigil::v1::AnalysisResult result;  // valid when status.ok()
  std::string raw;                   // the bytes the plugin wrote (for conformance checks)
};

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  // [thread-safe] Never throws; every failure is in the outcome's status.
  virtual AnalyzeOutcome Analyze(const vigil_item_view_t& item) = 0;
  virtual const std::string& detector_id() const = 0;
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_LOADER_ANALYZER_H_
