// vigil_pdq reports bad input with the SDK's vigil::Status (sdk/include/vigil/status.hpp).
#ifndef VIGIL_PDQ_STATUS_H_
#define VIGIL_PDQ_STATUS_H_

#include "vigil/status.hpp"

namespace vigil::pdq {

using Status = ::vigil::Status;
template <class T>
using Result = ::vigil::StatusOr<T>;

}  // namespace vigil::pdq

#endif  // VIGIL_PDQ_STATUS_H_
