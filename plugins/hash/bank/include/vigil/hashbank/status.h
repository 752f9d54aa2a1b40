// vigil_hashbank reports failures with the SDK's vigil::Status
// (sdk/include/vigil/status.hpp): no exceptions escape the library.
#ifndef VIGIL_HASHBANK_STATUS_H_
#define VIGIL_HASHBANK_STATUS_H_

#include "vigil/status.hpp"

namespace vigil::hashbank {

using Status = ::vigil::Status;
using StatusCode = ::vigil::Status::Code;
template <typename T>
using Result = ::vigil::StatusOr<T>;

}  // namespace vigil::hashbank

#endif  // VIGIL_HASHBANK_STATUS_H_
