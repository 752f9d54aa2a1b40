// Lower-case hex SHA-256 (OpenSSL): an item's identity in the store.
#ifndef VIGIL_HOST_SCAN_SHA256_H_
#define VIGIL_HOST_SCAN_SHA256_H_

#include <string>
#include <string_view>

namespace vigil::host {

std::string Sha256Hex(std::string_view bytes);

}  // namespace vigil::host

#endif  // VIGIL_HOST_SCAN_SHA256_H_
