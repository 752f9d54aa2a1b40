// Fuzzes what an exchange sync reads from outside: an NCMEC entries page as the server's
// answer (through the client, with the transport replaced by the input), its next link,
// a StopNCII FetchHashes answer's paging, and stored checkpoints. The first byte splits the input: the checkpoint text is bytes
// 1..1+data[0] % 64, the rest is the page.
// Invariants: no crash, no leak, no undefined behaviour; a page the client accepts has a
// checkpoint the client itself parses again, and a next link that is a /v2/entries path.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "exchange/exchange_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::exchange;
  if (size == 0) return 0;
  const size_t cp_len = std::min<size_t>(data[0] % 64, size - 1);
  const std::string checkpoint(reinterpret_cast<const char*>(data + 1), cp_len);
  const std::string body(reinterpret_cast<const char*>(data + 1 + cp_len), size - 1 - cp_len);

  (void)ParseNcmecCheckpoint(checkpoint);
  (void)ParseStopNciiCheckpoint(checkpoint);
  auto paging = StopNciiPaging(body);
  if (paging.ok()) {
    auto again = ParseStopNciiCheckpoint(FormatStopNciiCheckpoint(paging.value()));
    if (!again.ok()) std::abort();
  }
  auto link = NcmecNextLink(body);
  if (link.ok() && !link.value().empty() && link.value().rfind("/v2/entries", 0) != 0) {
    std::abort();
  }

  vigil::host::Exchange exchange;
  exchange.name = "fuzz";
  exchange.kind = "ncmec";
  exchange.endpoint = "http://127.0.0.1:9";
  exchange.bank = "fuzz";
  ClientOptions options;
  options.retry.max_attempts = 1;
  options.now_unix = [] { return int64_t{1700000000}; };
  options.http_get = [&body](const HttpRequest&) {
    HttpResponse response;
    response.status = 200;
    response.body = body;
    return response;
  };
  auto client = MakeExchangeClient(exchange, "user:password", options);
  if (!client.ok()) std::abort();
  auto page = client.value()->FetchPage(checkpoint);
  if (page.ok()) {
    auto again = ParseNcmecCheckpoint(page.value().checkpoint);
    if (!again.ok()) std::abort();
    if (page.value().done != again.value().next.empty()) std::abort();
  }
  return 0;
}
