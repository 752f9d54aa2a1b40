// vigil_urlcore reports bad input with the SDK's vigil::Status (sdk/include/vigil/status.hpp);
// library code never throws on bad input and never exits.
#ifndef VIGIL_URL_STATUS_H_
#define VIGIL_URL_STATUS_H_

#include "vigil/status.hpp"

namespace vigil::url {

using Status = ::vigil::Status;
using StatusCode = ::vigil::Status::Code;
template <typename T>
using Result = ::vigil::StatusOr<T>;

}  // namespace vigil::url

#endif  // VIGIL_URL_STATUS_H_
