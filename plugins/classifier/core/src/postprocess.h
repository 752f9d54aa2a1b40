// Reads the model's raw output per manifest: softmax for logits, per-label thresholds,
// severities and priorities.
#ifndef VIGIL_CLASSIFIER_POSTPROCESS_H_
#define VIGIL_CLASSIFIER_POSTPROCESS_H_

#include "vigil/classifier/classifier.h"
#include "vigil/classifier/manifest.h"
#include "vigil/classifier/status.h"

namespace vigil::classifier {

// `raw` holds manifest.labels.size() floats for one image.
// Fails when the model produced a non-finite value (a broken model, not a clean image).
StatusOr<Classification> Postprocess(const float* raw, const ModelManifest& manifest);

}  // namespace vigil::classifier

#endif  // VIGIL_CLASSIFIER_POSTPROCESS_H_
