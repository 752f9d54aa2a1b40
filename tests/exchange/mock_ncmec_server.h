// A loopback mock of the NCMEC hash-sharing API v2 for the exchange tests (127.0.0.1 only).
// It follows what the API documents and python-threatexchange's client does:
//
//   GET /v2/entries?from=<time>&to=<time>   the first page of a time window
//   GET <paging/next>                       the next pages, e.g. /v2/entries?from=..&start=2001
//   HTTP Basic authentication on every request (401 without the right user:password)
//
// Pages are looked up by the request's `start` parameter ("" for a window's first page);
// the default feed is the real sample pages of ../shared/testdata/formats/ncmec, chained by
// their own next links (start=2001, 3001, 4001). Faults are queued per request to
// /v2/entries: a connection dropped half-way through the body, HTTP 500, HTTP 429 with
// Retry-After, a truncated (malformed) document; `endless` answers every page with a next
// link to one more page. Feedback (issue 15 item 2): GET /v2/status answers the real
// status sample (member id 1); PUT /entries/<member>/<entry>/<TYPE>/feedback with an XML body
// answers the real update_feedback_result sample; both need the Basic authentication, and
// the fault queue applies to the PUTs.
#ifndef VIGIL_TESTS_EXCHANGE_MOCK_NCMEC_SERVER_H_
#define VIGIL_TESTS_EXCHANGE_MOCK_NCMEC_SERVER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigil::exchange::testing {

enum class Fault { kNone, kDrop, k500, k429, kMalformed };

struct MockRequest {
  std::string method;
  std::string body;
  std::string target;  // path and query as sent
  std::string path;
  std::map<std::string, std::string> query;  // decoded
  std::string authorization;                 // the header, verbatim
  std::string if_none_match;
  std::map<std::string, std::string> headers;  // lower-case names
};

class MockNcmecServer {
 public:
  MockNcmecServer(std::string user, std::string password);
  ~MockNcmecServer();

  uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // start parameter ("" = a window's first page) -> document.
  void SetFeed(std::map<std::string, std::string> pages);
  // StopNCII's GET /FetchHashes (headers x-functions-key and Ocp-Apim-Subscription-Key
  // required): nextPageToken parameter ("" = the first page) -> JSON answer.
  void SetStopNcii(std::map<std::string, std::string> pages, std::string function_key,
                   std::string subscription_key);
  // The real StopNCII sample answers chained by their tokens: fetch_hashes_2.json
  // (hasMoreRecords) then fetch_hashes_1.json.
  static std::map<std::string, std::string> StopNciiSampleFeed();
  // StopNCII's POST /SubmitFeedback (issue 15 item 2): needs x-functions-key = this key and
  // the subscription key given to SetStopNcii; answers 200 "{}" (the fault queue applies).
  void SetStopNciiFeedbackKey(std::string function_key);
  // Pages made on request instead of a feed (start parameter -> document; "" = none).
  void SetGenerator(std::function<std::string(const std::string& start)> generator);
  void QueueFault(Fault fault);
  void SetEndless(bool endless);
  void SetRetryAfter(const std::string& value);  // default "1"
  // Called after each /v2/entries answer was written (its 1-based number).
  void SetOnAnswered(std::function<void(int)> hook);

  // ThreatExchange Graph API: GET /v18.0/<group>/threat_updates/ with access_token=<token>
  // (400 with an OAuthException error object otherwise); the `after` cursor parameter ("" for
  // a window's first page) -> JSON answer. Faults, endless paging and the answered counter
  // apply to these requests as to /v2/entries.
  void SetThreatExchange(std::string group, std::string token,
                         std::map<std::string, std::string> pages);
  // A generated /threat_updates feed of `pages` pages in the documented JSON shape for this
  // server: PDQ and MD5 indicators, updates of earlier ids (a new value), should_delete rows
  // for earlier ids, a vPDQ row the bank cannot hold; chained by paging.next URLs that carry
  // the token (as Graph API's do) and an `after` cursor.
  std::map<std::string, std::string> ThreatExchangeFeed(int pages, int per_page,
                                                        const std::string& group,
                                                        const std::string& token) const;
  // A plain list at /list.txt (hma lines), with an ETag honoured through If-None-Match and,
  // when `bearer` is set, "Authorization: Bearer <bearer>" required.
  void SetList(std::string body, std::string etag, std::string bearer);

  std::vector<MockRequest> requests() const;
  int answered() const { return answered_.load(); }

  // The real sample pages as a feed.
  static std::map<std::string, std::string> SampleFeed();
  // A generated feed of `pages` pages in the documented XML shape: records with md5 and
  // sha1 fingerprints, updates (a record again with another classification) and deletions
  // of earlier records, chained by next links.
  static std::map<std::string, std::string> GeneratedFeed(int pages, int records_per_page);
  static std::string ReadTestdata(const std::string& relative);

 private:
  void Serve();
  void Handle(int fd);

  std::string expected_auth_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0};
  mutable std::mutex mu_;
  std::map<std::string, std::string> feed_;
  std::deque<Fault> faults_;
  bool endless_ = false;
  std::string retry_after_ = "1";
  std::function<void(int)> on_answered_;
  std::function<std::string(const std::string&)> generator_;
  std::vector<MockRequest> requests_;
  std::string list_body_, list_etag_, list_bearer_;
  std::map<std::string, std::string> stopncii_;
  std::string stopncii_function_key_, stopncii_subscription_key_, stopncii_feedback_key_;
  std::string te_group_, te_token_;
  std::map<std::string, std::string> te_pages_;
};

}  // namespace vigil::exchange::testing

#endif  // VIGIL_TESTS_EXCHANGE_MOCK_NCMEC_SERVER_H_
