// Turns a decoded image view into the model's input tensor in one pass: resize (stretch or
// letterbox, with the manifest's interpolation), colour order, normalisation and layout.
#ifndef VIGIL_CLASSIFIER_PREPROCESS_H_
#define VIGIL_CLASSIFIER_PREPROCESS_H_

#include <cstddef>

#include "vigil/classifier/image_view.h"
#include "vigil/classifier/manifest.h"
#include "vigil/classifier/status.h"

namespace vigil::classifier {

// Checks dimensions, stride, pointer and format of a view before anything reads it.
Status ValidateImageView(const ImageView& image);

// Floats one image occupies in the input tensor: 3 * width * height.
size_t InputTensorSize(const ModelManifest& manifest);

// Writes one image into `out` (InputTensorSize floats) in the manifest's layout.
// REQUIRES: ValidateImageView(image).ok().
void Preprocess(const ImageView& image, const ModelManifest& manifest, float* out);

}  // namespace vigil::classifier

#endif  // VIGIL_CLASSIFIER_PREPROCESS_H_
