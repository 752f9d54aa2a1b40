// Delivers the exchange feedback outbox (issue 15 item 2; store/exchange_feedback.h;
// docs/exchanges.md "Feedback"). One pass leases the due rows, sends each once and records
// the outcome; `vigil exchanges feedback` and `vigil serve` run passes on an interval, apart
// from the console (a decision only inserts rows).
//
// NCMEC entry votes, as python-threatexchange's ncmec/hash_api.py submit_feedback sends them:
//   GET  <endpoint>/v2/status                      (once per pass: the member id, <member id>)
//   PUT  <endpoint>/entries/<member id>/<entry id>/<TYPE>/feedback
//        Content-Type: application/xml, HTTP Basic authentication, body
//        <feedbackSubmission xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
//          <affirmative/>  or  <negative><reasonIds><guid>GUID</guid></reasonIds></negative>
//        </feedbackSubmission>
// <entry id> is the NCMEC id of the entry (the bank's external id is "<member>-<id>"), <TYPE>
// the fingerprint type that matched (MD5, SHA1, PDQ).
//
// StopNCII feedback, as python-threatexchange's stopncii/api.py submit_feedbacks sends it (one
// call per row):
//   POST <endpoint>/SubmitFeedback
//        x-functions-key: <the SubmitFeedback function key>, Ocp-Apim-Subscription-Key:
//        <subscription key> (credentials "subscription:fetch-key:submitfeedback-key"),
//        Content-Type: application/json, body
//        {"count": 1, "hashFeedbacks": [{"tags": [], "feedbackValue": "Blocked" | "NotBlocked",
//                                        "hashValue": "<the entry id: the matched hash>"}]}
// affirmative is "Blocked" (reviewed: NCII), negative "NotBlocked" (reviewed: not NCII). An
// entry id that is not a hash value of the matched type (PDQ: 64 hex digits, MD5: 32) is dead.
// Credentials without a SubmitFeedback key are retried (the file can be fixed) as NCMEC's
// unreadable credentials are.
//
// Outcomes: 2xx delivered; no answer, 408, 429, 5xx, 401 and 403 (credentials can be fixed)
// pending again after a backoff that doubles from first_backoff_ms per attempt up to
// max_backoff_ms (a 429/503 Retry-After is honoured when longer), dead after max_attempts;
// other 4xx, an entry or type the exchange cannot take, an exchange removed or with feedback
// turned off: dead at once, with the reason.
#ifndef VIGIL_HOST_EXCHANGE_EXCHANGE_FEEDBACK_SENDER_H_
#define VIGIL_HOST_EXCHANGE_EXCHANGE_FEEDBACK_SENDER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "exchange/http_fetch.h"
#include "store/db/database.h"

namespace vigil::exchange {

struct FeedbackOptions {
  std::string owner = "vigil-feedback";  // the lease owner (host and pid in the CLI)
  int64_t lease_ms = 120000;
  int limit = 100;  // rows per pass
  int64_t first_backoff_ms = 30000;
  int64_t max_backoff_ms = 6 * 3600 * 1000;
  int max_attempts = 20;
  int64_t timeout_ms = 30000;
  std::function<int64_t()> now_ms;  // default: the clock
  // Tests inject the transport (default: HttpGetOnce, which sends any method).
  std::function<HttpResponse(const HttpRequest&)> http;
};

struct FeedbackReport {
  int delivered = 0;
  int retrying = 0;  // pending again
  int dead = 0;
};

// One pass (see above). An error only when the store cannot be read or written.
StatusOr<FeedbackReport> DeliverExchangeFeedback(host::Database& db,
                                                 const FeedbackOptions& options = {});

// The body of an NCMEC vote ("affirmative" or "negative" with a reason GUID).
std::string NcmecFeedbackXml(const std::string& vote, const std::string& reason_id);

// StopNCII's feedbackValue for a vote ("Blocked" / "NotBlocked") and the SubmitFeedback body
// for one hash.
std::string StopNciiFeedbackValue(const std::string& vote);
std::string StopNciiFeedbackJson(const std::string& vote, const std::string& hash_value);

}  // namespace vigil::exchange

#endif  // VIGIL_HOST_EXCHANGE_EXCHANGE_FEEDBACK_SENDER_H_
