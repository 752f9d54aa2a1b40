// The classifier library reports failures with the SDK's vigil::Status
// (sdk/include/vigil/status.hpp): values with a message, never exceptions or exits.
#ifndef VIGIL_CLASSIFIER_STATUS_H_
#define VIGIL_CLASSIFIER_STATUS_H_

#include "vigil/status.hpp"

namespace vigil::classifier {

using Status = ::vigil::Status;
template <class T>
using StatusOr = ::vigil::StatusOr<T>;

}  // namespace vigil::classifier

#endif  // VIGIL_CLASSIFIER_STATUS_H_
