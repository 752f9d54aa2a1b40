// One interface for every hash exchange (issue 15 item 1; docs/exchanges.md): fetch one
// page from a checkpoint and say what it changes (upserts and deletions, as a hash-bank
// import), the checkpoint after it, and whether the exchange has nothing more for now.
// The checkpoint is opaque text to everyone but the client that made it.
//
//   ncmec   NCMEC hash-sharing API v2: GET <endpoint>/v2/entries?from=...&to=... with HTTP
//           Basic authentication ("user:password" from the credentials reference), then the
//           page's <paging><next> link (relative to the endpoint) until a page has none.
//           The checkpoint holds the time window and the next link, so a sync that stops
//           resumes inside its window; a finished window starts the next one at its end.
//   folder  a local folder of list files taken in name order, one file per page (.xml:
//           ncmec-xml, .json: stopncii-json, .csv: te-csv, anything else: hma lines);
//           the checkpoint is the last file applied. Files are new drops: a file already
//           applied is not read again when it changes.
//   stopncii StopNCII.org: GET <endpoint>/FetchHashes?startTimestamp=..&pageSize=800
//           [&nextPageToken=..] with the x-functions-key and Ocp-Apim-Subscription-Key
//           headers ("subscription-key:fetch-function-key" from the credentials reference),
//           following nextPageToken while hasMoreRecords; a finished run's nextSetTimestamp
//           starts the next one. Records are snapshots: a hash seen again replaces its
//           entry; Withdrawn and Deleted hashes are deleted.
//   http    a plain HTTP(S) list URL (hma lines: "<type> <value>"), the whole list each time
//           (the bank is replaced by it); the checkpoint is the ETag, sent as If-None-Match,
//           so an unchanged list (304) changes nothing.
//   threatexchange  Meta ThreatExchange Graph API (threatexchange_client.cc): the endpoint is
//           https://graph.facebook.com/v<version>/<privacy group id>; GET
//           <endpoint>/threat_updates/?start_time=..&stop_time=..&limit=500&fields=..
//           &access_token=<app token> (the token from the credentials reference), then each
//           answer's paging.next (only on the same server and privacy group) until one has
//           none. The checkpoint holds the time window and the next link WITHOUT the token;
//           a finished window starts the next one at its end. should_delete rows delete
//           the indicator's entries; PDQ, MD5 (also HASH_VIDEO_MD5), SHA-1 and SHA-256 go into
//           the bank; vPDQ, TMK and other types are skipped with an ignored-note.
#ifndef VIGIL_HOST_EXCHANGE_EXCHANGE_CLIENT_H_
#define VIGIL_HOST_EXCHANGE_EXCHANGE_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "exchange/http_fetch.h"
#include "store/exchanges.h"
#include "vigil/hashbank/entry.h"

namespace vigil::exchange {

struct ExchangePage {
  hashbank::ImportResult import;  // upserts and deletions in document order
  bool replace = false;           // the page is the whole list (http): the bank becomes it
  bool unchanged = false;         // nothing to apply (e.g. HTTP 304)
  std::string checkpoint;         // after this page
  bool done = false;              // nothing more for now
  std::string what;               // the page, for messages ("page 3", a file name)
};

class ExchangeClient {
 public:
  virtual ~ExchangeClient() = default;
  // The page after `checkpoint` ("" = from the beginning). An error (unreachable, refused,
  // malformed document) leaves the caller's checkpoint where it was.
  virtual StatusOr<ExchangePage> FetchPage(const std::string& checkpoint) = 0;
};

struct ClientOptions {
  RetryPolicy retry;
  int64_t timeout_ms = 60000;
  std::function<int64_t()> now_unix;  // default: the clock
  // Tests inject the transport (default: HttpGetOnce).
  std::function<HttpResponse(const HttpRequest&)> http_get;
};

// The secret a credentials reference points to: the first line of the file ("file:PATH")
// or the environment variable ("env:NAME"); "" for no reference. An unreadable file or an
// unset variable is an error naming the reference (never the secret).
StatusOr<std::string> ResolveCredentials(const std::string& reference);

// The client for `exchange` (Unsupported for kinds this build cannot sync yet).
StatusOr<std::unique_ptr<ExchangeClient>> MakeExchangeClient(const host::Exchange& exchange,
                                                             const std::string& secret,
                                                             const ClientOptions& options);

// NCMEC pieces, exposed for tests and the fuzzer.
struct NcmecCheckpoint {
  int64_t from_unix = 0;
  int64_t to_unix = 0;  // 0: no window open (the next page opens one ending now)
  std::string next;     // the next link inside the window ("" = the window's first page)
};
std::string FormatNcmecCheckpoint(const NcmecCheckpoint& checkpoint);
StatusOr<NcmecCheckpoint> ParseNcmecCheckpoint(const std::string& text);
// The <paging><next> link of an entries page ("" when there is none); an error when the
// document is not a well-formed <queryResult> or the link is not a /v2/entries path.
StatusOr<std::string> NcmecNextLink(const std::string& xml);
// StopNCII pieces, exposed for tests and the fuzzer.
struct StopNciiCheckpoint {
  int64_t start_timestamp = 10;  // python-threatexchange's DEFAULT_START_TIME
  std::string next_page_token;   // "" = a new run from start_timestamp
};
std::string FormatStopNciiCheckpoint(const StopNciiCheckpoint& checkpoint);
// A StopNCII exchange's credentials: "subscription-key:fetch-function-key", plus
// ":submitfeedback-function-key" when it sends feedback (each StopNCII endpoint has its own
// function key; the subscription key is shared). The feedback key is "" when not given.
struct StopNciiCredentials {
  std::string subscription_key, fetch_function_key, submit_feedback_function_key;
};
StatusOr<StopNciiCredentials> ParseStopNciiCredentials(const std::string& secret);
StatusOr<StopNciiCheckpoint> ParseStopNciiCheckpoint(const std::string& text);
// What a FetchHashes answer says about paging: the next page's token when hasMoreRecords,
// else "" and nextSetTimestamp (the next run's start). An error when the JSON is malformed
// or not a FetchHashes answer.
StatusOr<StopNciiCheckpoint> StopNciiPaging(const std::string& json);
// ThreatExchange pieces, exposed for tests and the fuzzer.
struct ThreatExchangeCheckpoint {
  int64_t from_unix = 0;
  int64_t to_unix = 0;  // 0: no window open (the next page opens one ending now)
  std::string next;     // path and query of paging.next without access_token ("" = first page)
};
std::string FormatThreatExchangeCheckpoint(const ThreatExchangeCheckpoint& checkpoint);
StatusOr<ThreatExchangeCheckpoint> ParseThreatExchangeCheckpoint(const std::string& text);
// The paging.next of a /threat_updates answer as the checkpoint keeps it (path and query on
// the endpoint's server, access_token removed; "" when there is none); an error when the JSON
// is malformed, not a threat_updates answer, or the link leaves the endpoint's privacy group.
StatusOr<std::string> ThreatUpdatesNextLink(const std::string& json, const std::string& endpoint);
// The upserts and deletions of a /threat_updates answer (entries' source: `source`, external
// id: the indicator id; bad rows are reported as problems, not fatal).
StatusOr<hashbank::ImportResult> ImportThreatUpdates(const std::string& json,
                                                     const std::string& source, int64_t now_unix);
StatusOr<std::unique_ptr<ExchangeClient>> MakeThreatExchangeClient(const host::Exchange& exchange,
                                                                   const std::string& token,
                                                                   const ClientOptions& options);
// "2017-10-24T15:10:00Z" for NCMEC's from/to parameters.
std::string NcmecTime(int64_t unix_seconds);

}  // namespace vigil::exchange

#endif  // VIGIL_HOST_EXCHANGE_EXCHANGE_CLIENT_H_
