// Issue 14 item 3: the signature of a webhook request. A receiver recomputes
// HMAC-SHA256(secret, timestamp + "." + body) over the exact bytes it received and compares
// it, in constant time, with the hex after "v1=" in Vigil-Signature (docs/webhooks.md has a
// Python recipe); Vigil-Timestamp is unix seconds, to refuse replays outside a window.
#ifndef VIGIL_HOST_SERVICE_WEBHOOK_SIGNATURE_H_
#define VIGIL_HOST_SERVICE_WEBHOOK_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::service {

// "v1=" + lower-case hex HMAC-SHA256(secret, timestamp + "." + body).
std::string SignWebhook(std::string_view secret, int64_t timestamp, std::string_view body);

// Whether `signature` (a Vigil-Signature value) is the v1 signature of timestamp and body
// (compared in constant time).
bool VerifyWebhookSignature(std::string_view secret, int64_t timestamp, std::string_view body,
                            std::string_view signature);

}  // namespace vigil::service

#endif  // VIGIL_HOST_SERVICE_WEBHOOK_SIGNATURE_H_
