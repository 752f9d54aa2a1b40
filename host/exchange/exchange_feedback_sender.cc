// Delivering exchange feedback (exchange_feedback_sender.h).
#include "exchange/exchange_feedback_sender.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <pugixml.hpp>
#include <sstream>

#include "exchange/exchange_client.h"
#include "store/exchange_feedback.h"
#include "store/exchanges.h"

namespace vigil::exchange {
namespace {

int64_t NowMs(const FeedbackOptions& options) {
  if (options.now_ms) return options.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string UrlPathSegment(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string NcmecType(const std::string& signal_type) {
  if (signal_type == "md5") return "MD5";
  if (signal_type == "sha1") return "SHA1";
  if (signal_type == "pdq") return "PDQ";
  return "";
}

// "42-image1" -> "image1" (the importer's external id is "<member id>-<id>").
std::string NcmecEntryId(const std::string& external_id) {
  const size_t dash = external_id.find('-');
  if (dash == std::string::npos || dash == 0) return external_id;
  const std::string member = external_id.substr(0, dash);
  if (!std::all_of(member.begin(), member.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return external_id;
  }
  return external_id.substr(dash + 1);
}

std::string Base(const std::string& endpoint) {
  std::string base = endpoint;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

// Whether `entry` is a hash value of `signal_type` as StopNCII gives it (lower- or upper-case
// hex: PDQ 64 digits, MD5 32). An entry synced before StopNCII entries carried their value as
// id has an index instead, which names nothing at StopNCII.
bool StopNciiHashValue(const std::string& signal_type, const std::string& entry) {
  const size_t digits = signal_type == "pdq" ? 64 : signal_type == "md5" ? 32 : 0;
  return digits != 0 && entry.size() == digits &&
         std::all_of(entry.begin(), entry.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// What a pass knows about one exchange: its configuration, credentials and (NCMEC) member id.
struct Target {
  Status status = Status::Ok();  // why nothing can be sent to it now (retried later)
  int http_status = 0;           // the answer that said so, if any
  bool gone = false;             // removed or feedback off: its rows are dead
  host::Exchange exchange;
  std::string user, password, member_id;  // ncmec
  StopNciiCredentials stopncii;           // stopncii
};

class Pass {
 public:
  Pass(host::Database& db, const FeedbackOptions& options) : db_(db), options_(options) {}

  StatusOr<FeedbackReport> Run() {
    const int64_t now = NowMs(options_);
    auto leased =
        host::LeaseDueFeedback(db_, options_.owner, now, options_.lease_ms, options_.limit);
    if (!leased.ok()) return leased.status();
    FeedbackReport report;
    for (const host::ExchangeFeedback& row : leased.value()) {
      const host::FeedbackAttempt attempt = Send(row);
      if (Status s = host::RecordFeedbackAttempt(db_, row.id, options_.owner, attempt); !s.ok()) {
        if (s.code() == Status::Code::kUnavailable) continue;  // the lease was taken over
        return s;
      }
      if (attempt.delivered) {
        ++report.delivered;
      } else if (attempt.dead) {
        ++report.dead;
      } else {
        ++report.retrying;
      }
    }
    return report;
  }

 private:
  HttpResponse Call(const HttpRequest& request) {
    return options_.http ? options_.http(request) : HttpGetOnce(request);
  }

  host::FeedbackAttempt Retry(const host::ExchangeFeedback& row, int status,
                              const std::string& error, const std::string& retry_after = "") {
    host::FeedbackAttempt a;
    a.http_status = status;
    a.error = error;
    if (row.attempts + 1 >= options_.max_attempts) {
      a.dead = true;
      a.error += " (gave up after " + std::to_string(row.attempts + 1) + " attempts)";
      return a;
    }
    int64_t wait = std::max<int64_t>(1, options_.first_backoff_ms);
    for (int64_t i = 0; i < row.attempts && wait < options_.max_backoff_ms; ++i) wait *= 2;
    wait = std::min(wait, options_.max_backoff_ms);
    const int64_t asked = RetryAfterSeconds(retry_after, std::time(nullptr));
    if (asked > 0) wait = std::max(wait, std::min<int64_t>(asked * 1000, options_.max_backoff_ms));
    a.next_at_ms = NowMs(options_) + wait;
    return a;
  }

  static host::FeedbackAttempt Dead(int status, const std::string& error) {
    host::FeedbackAttempt a;
    a.dead = true;
    a.http_status = status;
    a.error = error;
    return a;
  }

  Target& TargetFor(const std::string& name) {
    auto it = targets_.find(name);
    if (it != targets_.end()) return it->second;
    Target& t = targets_[name];
    auto found = host::FindExchange(db_, name);
    if (!found.ok()) {
      t.status = found.status();
      return t;
    }
    if (!found.value() || !found.value()->feedback ||
        (found.value()->kind != "ncmec" && found.value()->kind != "stopncii")) {
      t.gone = true;
      return t;
    }
    t.exchange = *found.value();
    auto secret = ResolveCredentials(t.exchange.credentials);
    if (!secret.ok()) {
      t.status = secret.status();
      return t;
    }
    if (t.exchange.kind == "stopncii") {
      auto keys = ParseStopNciiCredentials(secret.value());
      if (!keys.ok()) {
        t.status = keys.status();
      } else if (keys.value().submit_feedback_function_key.empty()) {
        t.status = Status::InvalidArgument(
            "the StopNCII credentials name no SubmitFeedback function key (feedback needs "
            "\"subscription-key:fetch-function-key:submitfeedback-function-key\")");
      } else {
        t.stopncii = keys.value();
      }
      return t;
    }
    const size_t colon = secret.value().find(':');
    if (colon == std::string::npos || colon == 0) {
      t.status = Status::InvalidArgument("the NCMEC credentials are not \"user:password\"");
      return t;
    }
    t.user = secret.value().substr(0, colon);
    t.password = secret.value().substr(colon + 1);
    // The member id the vote is filed under: GET /v2/status (<status><member id="...">).
    HttpRequest status;
    status.url = Base(t.exchange.endpoint) + "/v2/status";
    status.basic_user = t.user;
    status.basic_password = t.password;
    status.timeout_ms = options_.timeout_ms;
    status.headers = {"Accept: application/xml"};
    const HttpResponse answer = Call(status);
    if (answer.status < 200 || answer.status >= 300) {
      t.status = Status::Unavailable(
          answer.status == 0
              ? "no answer from the NCMEC status call: " + answer.transport_error
              : "HTTP " + std::to_string(answer.status) + " from the NCMEC status call");
      t.http_status = answer.status;
      return t;
    }
    pugi::xml_document doc;
    if (!doc.load_buffer(answer.body.data(), answer.body.size(),
                         pugi::parse_default & ~pugi::parse_doctype)) {
      t.status = Status::Unavailable("the NCMEC status answer is not well-formed XML");
      return t;
    }
    std::string member;
    for (pugi::xml_node n = doc.document_element().first_child(); n; n = n.next_sibling()) {
      std::string_view tag = n.name();
      if (const size_t c = tag.find(':'); c != std::string_view::npos) tag = tag.substr(c + 1);
      if (tag == "member") member = n.attribute("id").value();
    }
    if (member.empty() || member.size() > 20 ||
        !std::all_of(member.begin(), member.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      t.status = Status::Unavailable("the NCMEC status answer names no <member id>");
      return t;
    }
    t.member_id = member;
    return t;
  }

  host::FeedbackAttempt Send(const host::ExchangeFeedback& row) {
    Target& t = TargetFor(row.exchange);
    if (t.gone) {
      return Dead(0, "exchange " + row.exchange + " was removed or no longer sends feedback");
    }
    if (!t.status.ok()) return Retry(row, t.http_status, t.status.message());
    if (t.exchange.kind == "stopncii") return SendStopNcii(t, row);
    const std::string type = NcmecType(row.signal_type);
    const std::string entry = NcmecEntryId(row.entry_id);
    if (type.empty()) return Dead(0, "NCMEC takes no feedback on " + row.signal_type + " matches");
    if (entry.empty() || entry.size() > 256) return Dead(0, "the entry id is not an NCMEC id");
    if (row.vote == "negative" && row.reason_id.empty()) {
      return Dead(0, "a negative NCMEC vote needs a reason id");
    }
    HttpRequest put;
    put.method = "PUT";
    put.url = Base(t.exchange.endpoint) + "/entries/" + t.member_id + "/" + UrlPathSegment(entry) +
              "/" + type + "/feedback";
    put.body = NcmecFeedbackXml(row.vote, row.reason_id);
    put.basic_user = t.user;
    put.basic_password = t.password;
    put.timeout_ms = options_.timeout_ms;
    put.headers = {"Content-Type: application/xml", "Accept: application/xml"};
    return Outcome(
        row, Call(put),
        "PUT .../entries/" + t.member_id + "/" + UrlPathSegment(entry) + "/" + type + "/feedback");
  }

  // An HTTP answer to a feedback call as an attempt: 2xx delivered; no answer, 408, 429, 5xx,
  // 401 and 403 retried; any other status dead.
  host::FeedbackAttempt Outcome(const host::ExchangeFeedback& row, const HttpResponse& answer,
                                const std::string& what) {
    if (answer.status >= 200 && answer.status < 300) {
      host::FeedbackAttempt a;
      a.delivered = true;
      a.http_status = answer.status;
      return a;
    }
    if (answer.status == 0)
      return Retry(row, 0, "no answer to " + what + ": " + answer.transport_error);
    const std::string error = "HTTP " + std::to_string(answer.status) + " from " + what;
    if (answer.status == 408 || answer.status == 429 || answer.status >= 500 ||
        answer.status == 401 || answer.status == 403) {
      return Retry(row, answer.status,
                   error + (answer.status == 401 || answer.status == 403
                                ? " (check the exchange's credentials)"
                                : ""),
                   answer.retry_after);
    }
    return Dead(answer.status, error);
  }

  // StopNCII feedback on one hash, as python-threatexchange's stopncii/api.py
  // submit_feedbacks sends it: POST <endpoint>/SubmitFeedback with the SubmitFeedback
  // function key and the subscription key.
  host::FeedbackAttempt SendStopNcii(const Target& t, const host::ExchangeFeedback& row) {
    if (!StopNciiHashValue(row.signal_type, row.entry_id)) {
      return Dead(0, "the entry id \"" + row.entry_id.substr(0, 80) + "\" is not a StopNCII " +
                         row.signal_type +
                         " hash value (an entry synced before entries carried their hash; "
                         "see docs/exchanges.md)");
    }
    HttpRequest post;
    post.method = "POST";
    post.url = Base(t.exchange.endpoint) + "/SubmitFeedback";
    post.body = StopNciiFeedbackJson(row.vote, row.entry_id);
    post.timeout_ms = options_.timeout_ms;
    post.headers = {"Content-Type: application/json", "Accept: application/json",
                    "x-functions-key: " + t.stopncii.submit_feedback_function_key,
                    "Ocp-Apim-Subscription-Key: " + t.stopncii.subscription_key};
    return Outcome(row, Call(post), "POST .../SubmitFeedback");
  }

  host::Database& db_;
  const FeedbackOptions& options_;
  std::map<std::string, Target> targets_;
};

}  // namespace

std::string NcmecFeedbackXml(const std::string& vote, const std::string& reason_id) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child("feedbackSubmission");
  root.append_attribute("xmlns") = "https://hashsharing.ncmec.org/hashsharing/v2";
  if (vote == "negative") {
    root.append_child("negative")
        .append_child("reasonIds")
        .append_child("guid")
        .text()
        .set(reason_id.c_str());
  } else {
    root.append_child("affirmative");
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

std::string StopNciiFeedbackValue(const std::string& vote) {
  return vote == "negative" ? "NotBlocked" : "Blocked";
}

std::string StopNciiFeedbackJson(const std::string& vote, const std::string& hash_value) {
  nlohmann::json feedback = {{"tags", nlohmann::json::array()},
                             {"feedbackValue", StopNciiFeedbackValue(vote)},
                             {"hashValue", hash_value}};
  return nlohmann::json{{"count", 1}, {"hashFeedbacks", nlohmann::json::array({feedback})}}.dump();
}

StatusOr<FeedbackReport> DeliverExchangeFeedback(host::Database& db,
                                                 const FeedbackOptions& options) {
  return Pass(db, options).Run();
}

}  // namespace vigil::exchange
