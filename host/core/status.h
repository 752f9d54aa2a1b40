// The host uses the SDK's vigil::Status / vigil::StatusOr (sdk/include/vigil/status.hpp).
#ifndef VIGIL_HOST_CORE_STATUS_H_
#define VIGIL_HOST_CORE_STATUS_H_

#include "vigil/status.hpp"

#endif  // VIGIL_HOST_CORE_STATUS_H_
