// Fuzzes what an exchange sync reads from outside: an NCMEC entries page as the server's
// answer (through the client, with the transport replaced by the input), its next link,
// a StopNCII FetchHashes answer's paging, a ThreatExchange /threat_updates answer (its
// paging.next and its rows, through the client too), and stored checkpoints. The first byte splits
// the input: the checkpoint text is bytes 1..1+data[0] % 64, the rest is the page. Invariants: no
// crash, no leak, no undefined behaviour; a page the client accepts has a checkpoint the client
// itself parses again, and a next link that is a /v2/entries path; a ThreatExchange checkpoint
// never holds the access token.
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
  (void)ParseThreatExchangeCheckpoint(checkpoint);
  (void)ImportThreatUpdates(body, "fuzz", 1700000000);
  auto te_link = ThreatUpdatesNextLink(body, "https://graph.example/v18.0/42");
  if (te_link.ok() && !te_link.value().empty() &&
      (te_link.value().rfind("/v18.0/42/threat_updates", 0) != 0 ||
       te_link.value().find("access_token") != std::string::npos)) {
    std::abort();
  }
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

  vigil::host::Exchange te = exchange;
  te.kind = "threatexchange";
  te.endpoint = "http://127.0.0.1:9/v18.0/42";
  auto te_client = MakeExchangeClient(te, "123|fuzz-secret", options);
  if (!te_client.ok()) std::abort();
  auto te_page = te_client.value()->FetchPage(checkpoint);
  if (te_page.ok()) {
    if (te_page.value().checkpoint.find("fuzz-secret") != std::string::npos) std::abort();
    auto again = ParseThreatExchangeCheckpoint(te_page.value().checkpoint);
    if (!again.ok()) std::abort();
    if (te_page.value().done != again.value().next.empty()) std::abort();
  }
  return 0;
}
