#include "report/cybertip_client.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace vigil::report {
namespace {

struct Sink {
  std::string body;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (sink->body.size() + n > kMaxResponseBytes) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->body.append(data, n);
  return n;
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool IsLoopbackHttp(const std::string& url) {
  const std::string rest = url.substr(7);
  for (const std::string host : {"127.0.0.1", "localhost", "[::1]"}) {
    if (rest.compare(0, host.size(), host) == 0 &&
        (rest.size() == host.size() || rest[host.size()] == ':' || rest[host.size()] == '/')) {
      return true;
    }
  }
  return false;
}

}  // namespace

Status CheckCybertipBaseUrl(const std::string& url) {
  if (url.rfind("https://", 0) == 0 && url.size() > 8) return Status::Ok();
  if (url.rfind("http://", 0) == 0 && IsLoopbackHttp(url)) return Status::Ok();
  return Status::InvalidArgument("the CyberTipline endpoint '" + url +
                                 "' is not an https:// URL (plain http only on 127.0.0.1)");
}

CybertipClient::CybertipClient(std::string base_url, const std::string& credentials,
                               int64_t timeout_ms)
    : base_url_(std::move(base_url)), timeout_ms_(timeout_ms) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  const size_t colon = credentials.find(':');
  user_ = credentials.substr(0, colon);
  password_ = colon == std::string::npos ? "" : credentials.substr(colon + 1);
}

CallOutcome CybertipClient::Submit(const std::string& xml) {
  return Call("/submit", Body::kXml, xml, "", "");
}
CallOutcome CybertipClient::Upload(const std::string& report_id, const std::string& file_name,
                                   const std::string& bytes) {
  return Call("/upload", Body::kMultipart, bytes, report_id, file_name);
}
CallOutcome CybertipClient::FileInfo(const std::string& xml) {
  return Call("/fileinfo", Body::kXml, xml, "", "");
}
CallOutcome CybertipClient::Finish(const std::string& report_id) {
  return Call("/finish", Body::kForm, "", report_id, "");
}
CallOutcome CybertipClient::Retract(const std::string& report_id) {
  return Call("/retract", Body::kForm, "", report_id, "");
}
CallOutcome CybertipClient::Status() { return Call("/status", Body::kNone, "", "", ""); }

CallOutcome CybertipClient::Call(const std::string& path, Body kind, const std::string& payload,
                                 const std::string& report_id, const std::string& file_name) {
  InitCurlOnce();
  CallOutcome out;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    out.error = "cannot start an HTTP request";
    out.retryable = true;
    return out;
  }
  CURL* c = curl.get();
  const std::string url = base_url_ + path;
  Sink sink;
  curl_slist* headers = nullptr;
  curl_mime* mime = nullptr;
  std::string form;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
  curl_easy_setopt(c, CURLOPT_USERNAME, user_.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, password_.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms_));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(timeout_ms_, 15000)));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  headers = curl_slist_append(headers, "Expect:");
  switch (kind) {
    case Body::kNone:
      curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
      break;
    case Body::kXml:
      headers = curl_slist_append(headers, "Content-Type: text/xml; charset=utf-8");
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
      break;
    case Body::kForm: {
      char* escaped = curl_easy_escape(c, report_id.c_str(), static_cast<int>(report_id.size()));
      form = std::string("id=") + (escaped ? escaped : "");
      curl_free(escaped);
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, form.c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form.size()));
      break;
    }
    case Body::kMultipart: {
      mime = curl_mime_init(c);
      curl_mimepart* id = curl_mime_addpart(mime);
      curl_mime_name(id, "id");
      curl_mime_data(id, report_id.data(), report_id.size());
      curl_mimepart* file = curl_mime_addpart(mime);
      curl_mime_name(file, "file");
      curl_mime_filename(file, file_name.c_str());
      curl_mime_type(file, "application/octet-stream");
      curl_mime_data(file, payload.data(), payload.size());
      curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
      break;
    }
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  if (mime) curl_mime_free(mime);
  const std::string call = "POST " + path;
  if (sink.too_large) {
    out.error = path + ": the answer is larger than 1 MiB";
    out.retryable = true;
    return out;
  }
  if (rc != CURLE_OK) {
    out.error = path + ": " + curl_easy_strerror(rc);
    out.retryable = true;  // the connection failed or dropped: try again later
    return out;
  }
  out.http_status = static_cast<int>(status);
  auto parsed = ParseCybertipResponse(sink.body);
  if (parsed.ok()) {
    out.parsed = true;
    out.response = parsed.value();
  }
  if (status != 200) {
    out.retryable = status == 429 || status >= 500;
    out.error = path + ": HTTP " + std::to_string(status);
    if (out.parsed) {
      out.error += " (responseCode " + std::to_string(out.response.response_code) + ": " +
                   DescribeResponseCode(out.response.response_code) + ")";
    }
    return out;
  }
  if (!parsed.ok()) {
    out.error = path + ": " + parsed.status().message();
    out.retryable = true;  // a garbled answer: the call may not have happened
    return out;
  }
  if (out.response.response_code != kResponseSuccess) {
    out.retryable = IsRetryableResponseCode(out.response.response_code);
    out.error = path + ": responseCode " + std::to_string(out.response.response_code) + " (" +
                DescribeResponseCode(out.response.response_code) + ")";
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace vigil::report
