// vigil.http/1 values <-> the worker protocol's HttpRequest / HttpResponse.
#ifndef VIGIL_HOST_ISOLATION_HTTP_WIRE_H_
#define VIGIL_HOST_ISOLATION_HTTP_WIRE_H_

#include "loader/http_service.h"
#include "worker_protocol.pb.h"

namespace vigil::isolation {

inline void ToWire(const host::HttpCall& call, wire::HttpRequest& out) {
  out.set_method(call.method);
  out.set_url(call.url);
  for (const host::HttpHeader& header : call.headers) {
    wire::HttpHeader* h = out.add_headers();
    h->set_name(header.name);
    h->set_value(header.value);
  }
  out.set_body(call.body);
  out.set_timeout_ms(call.timeout_ms);
}

inline host::HttpCall FromWire(const wire::HttpRequest& in) {
  host::HttpCall call;
  call.method = in.method();
  call.url = in.url();
  for (const wire::HttpHeader& header : in.headers()) {
    call.headers.push_back({header.name(), header.value()});
  }
  call.body = in.body();
  call.timeout_ms = in.timeout_ms();
  return call;
}

inline void ToWire(const host::HttpAnswer& answer, wire::HttpResponse& out) {
  out.set_code(answer.code);
  out.set_error(answer.error);
  out.set_status(answer.status);
  for (const host::HttpHeader& header : answer.headers) {
    wire::HttpHeader* h = out.add_headers();
    h->set_name(header.name);
    h->set_value(header.value);
  }
  out.set_body(answer.body);
}

inline host::HttpAnswer FromWire(const wire::HttpResponse& in) {
  host::HttpAnswer answer;
  answer.code = in.code();
  answer.error = in.error();
  answer.status = in.status();
  for (const wire::HttpHeader& header : in.headers()) {
    answer.headers.push_back({header.name(), header.value()});
  }
  answer.body = in.body();
  return answer;
}

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_HTTP_WIRE_H_
