#include "loader/http_service.h"

#include <cstddef>
#include <cstring>
#include <memory>

namespace vigil::host {
namespace {

thread_local const HttpHandler* t_handler = nullptr;
// Set once before plugin code runs (the worker), read afterwards: no lock needed.
std::unique_ptr<HttpHandler> g_process_handler;

// What a response points into, per thread: valid until this thread's next request.
struct ResponseStorage {
  HttpAnswer answer;
  std::vector<vigil_http_header_t> headers;
};
thread_local ResponseStorage t_storage;

// The 1.0 sizes: a struct may grow at the end, never shrink.
constexpr size_t kRequestSize1 = offsetof(vigil_http_request_t, body_size) + sizeof(size_t);
constexpr size_t kResponseSize1 = offsetof(vigil_http_response_t, error) + sizeof(const char*);

vigil_status_t Answer(HttpAnswer answer, vigil_http_response_t* response) {
  ResponseStorage& storage = t_storage;
  storage.answer = std::move(answer);
  storage.headers.clear();
  for (const HttpHeader& header : storage.answer.headers) {
    storage.headers.push_back({header.name.c_str(), header.value.c_str()});
  }
  const HttpAnswer& a = storage.answer;
  response->status = a.code == VIGIL_OK ? a.status : 0;
  response->headers = storage.headers.empty() ? nullptr : storage.headers.data();
  response->header_count = static_cast<uint32_t>(storage.headers.size());
  response->reserved = 0;
  response->body = reinterpret_cast<const uint8_t*>(a.body.data());
  response->body_size = a.body.size();
  response->error = a.code == VIGIL_OK ? nullptr : a.error.c_str();
  return a.code;
}

vigil_status_t Request(const vigil_host_t*, const vigil_http_request_t* request,
                       vigil_http_response_t* response) {
  if (response == nullptr || response->struct_size < kResponseSize1) {
    return VIGIL_ERR_INVALID_ARGUMENT;  // nowhere to say why
  }
  auto refuse = [response](vigil_status_t code, const char* why) {
    return Answer(HttpAnswer::Refused(code, why), response);
  };
  if (request == nullptr || request->struct_size < kRequestSize1) {
    return refuse(VIGIL_ERR_INVALID_ARGUMENT, "vigil.http/1: the request is NULL or too small");
  }
  if (request->method == nullptr || request->url == nullptr) {
    return refuse(VIGIL_ERR_INVALID_ARGUMENT, "vigil.http/1: the request has no method or URL");
  }
  if (request->header_count > kMaxHttpHeaders) {
    return refuse(VIGIL_ERR_INVALID_ARGUMENT, "vigil.http/1: more than 64 request headers");
  }
  if (request->header_count > 0 && request->headers == nullptr) {
    return refuse(VIGIL_ERR_INVALID_ARGUMENT, "vigil.http/1: header_count is set, headers NULL");
  }
  if (request->body_size > 0 && request->body == nullptr) {
    return refuse(VIGIL_ERR_INVALID_ARGUMENT, "vigil.http/1: body_size is set, body NULL");
  }
  if (request->body_size > kMaxHttpBodyBytes) {
    return refuse(VIGIL_ERR_RESOURCE, "vigil.http/1: the request body is over 32 MiB");
  }
  if (::strnlen(request->url, kMaxHttpUrlBytes + 1) > kMaxHttpUrlBytes) {
    return refuse(VIGIL_ERR_INVALID_ARGUMENT, "vigil.http/1: the URL is longer than 8 KiB");
  }
  HttpCall call;
  call.method.assign(request->method, ::strnlen(request->method, 16));
  call.url = request->url;
  call.timeout_ms = request->timeout_ms;
  size_t header_bytes = 0;
  for (uint32_t i = 0; i < request->header_count; ++i) {
    const vigil_http_header_t& header = request->headers[i];
    if (header.name == nullptr || header.value == nullptr) {
      return refuse(VIGIL_ERR_INVALID_ARGUMENT, "vigil.http/1: a header name or value is NULL");
    }
    const size_t name_size = ::strnlen(header.name, kMaxHttpHeaderBytes + 1);
    const size_t value_size = ::strnlen(header.value, kMaxHttpHeaderBytes + 1);
    header_bytes += name_size + value_size;
    if (header_bytes > kMaxHttpHeaderBytes) {
      return refuse(VIGIL_ERR_INVALID_ARGUMENT, "vigil.http/1: the headers are over 64 KiB");
    }
    call.headers.push_back(
        {std::string(header.name, name_size), std::string(header.value, value_size)});
  }
  if (request->body_size > 0) {
    call.body.assign(reinterpret_cast<const char*>(request->body), request->body_size);
  }
  const HttpHandler* handler = t_handler != nullptr ? t_handler : g_process_handler.get();
  if (handler == nullptr) return refuse(VIGIL_ERR_UNSUPPORTED, kNoEgressService);
  return Answer((*handler)(call), response);
}

const vigil_http_ext_t kExtension = {sizeof(vigil_http_ext_t), 0, &Request};

}  // namespace

ScopedHttpHandler::ScopedHttpHandler(const HttpHandler* handler) : previous_(t_handler) {
  t_handler = handler;
}
ScopedHttpHandler::~ScopedHttpHandler() { t_handler = previous_; }

void SetProcessHttpHandler(HttpHandler handler) {
  g_process_handler = std::make_unique<HttpHandler>(std::move(handler));
}

const vigil_http_ext_t* HttpExtension() { return &kExtension; }

}  // namespace vigil::host
