// `vigil serve`: the HTTP API (issue 14 items 1-3; docs/api.md). One box: submissions go
// to a spool beside the store (service/spool_sink.h). The seams for the rest of issue 14:
// the SubmissionSink is chosen here at start-up (the JetStream sink for --nats), and
// background loops (the spool's scan loop, webhook delivery) start in `loops` below and
// stop with the server.
#include <pthread.h>
#include <signal.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "cli/bank_holds_command.h"
#include "cli/commands.h"
#include "service/background_loops.h"
#include "service/bank_routes.h"
#include "service/http_server.h"
#include "service/spool_sink.h"
#include "service/token_auth.h"
#include "service/vigil_api.h"
#include "store/bank_materialise.h"
#include "url_lists.h"

namespace vigil::cli {
namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  std::string tls_cert;
  std::string tls_key;
  double max_item_mb = 50;
  int max_connections = 1024;
  int header_timeout_ms = 10000;
};

int Run(const GlobalOptions& global, const ServeArgs& args) {
  service::HttpServerOptions options;
  if (Status s = service::ParseListen(args.listen, &options.host, &options.port); !s.ok()) {
    PrintError(s.message());
    return 2;
  }
  if (args.threads < 1 || args.threads > 256) {
    PrintError("--threads must be 1 to 256");
    return 2;
  }
  if (!(args.max_item_mb > 0) || args.max_item_mb > 4096 || !std::isfinite(args.max_item_mb)) {
    PrintError("--max-item-mb must be more than 0 and at most 4096");
    return 2;
  }
  if (args.max_connections < 1 || args.header_timeout_ms < 100) {
    PrintError("--max-connections must be at least 1 and --header-timeout-ms at least 100");
    return 2;
  }
  options.threads = args.threads;
  options.tls_cert = args.tls_cert;
  options.tls_key = args.tls_key;
  options.max_connections = args.max_connections;
  options.header_timeout = std::chrono::milliseconds(args.header_timeout_ms);

  std::unique_ptr<host::Store> store = OpenStoreOrSay(global);
  if (!store) return 1;
  auto spool = service::SpoolSink::Open(LocalStateDir(global) / "spool");
  if (!spool.ok()) {
    PrintError(spool.status().message());
    return 1;
  }
  // URL lists: opened once (`vigil lists import --type url` while serving needs a restart).
  auto url_lists = urldetect::OpenLists(DataDir(global).string());
  if (!url_lists.ok()) {
    PrintError("cannot open the URL lists: " + url_lists.status().message());
    return 1;
  }
  std::mutex db_mutex;  // one store connection, shared by the request threads
  service::StoreAuthenticator auth(store->db(), db_mutex);
  service::RateLimiter limiter;
  service::ServiceMetrics metrics;
  std::atomic<bool> ready{false};
  service::ApiDeps deps;
  deps.db = &store->db();
  deps.db_mutex = &db_mutex;
  deps.sink = spool.value().get();
  deps.spool = spool.value().get();
  deps.metrics = &metrics;
  deps.max_item_bytes = static_cast<uint64_t>(args.max_item_mb * 1024 * 1024);
  deps.ready = &ready;
  deps.url_lists = &url_lists.value();
  // Hash banks for POST /v1/match and the bank routes: the store's local banks and holds
  // written into the lists folder first (as `vigil match` does), then opened; reopened
  // when the folder changes (polled every second) and after a change through the API.
  if (!SyncBanksFromStore(global, *store)) return 1;
  auto banks = service::BankLibrary::Open(DataDir(global).string());
  if (!banks.ok()) {
    PrintError("cannot open the hash banks: " + banks.status().message());
    return 1;
  }
  // Every 10 s the store's local banks and holds are written into the folder too (only
  // what changed), so decisions and holds made on other machines reach this server.
  banks.value()->SetRefresh(
      [&store, &db_mutex, &global] {
        std::lock_guard<std::mutex> lock(db_mutex);
        auto written = host::MaterialiseBanks(store->db(), DataDir(global).string(),
                                              static_cast<int64_t>(std::time(nullptr)));
        return written.ok() ? std::string() : written.status().message();
      },
      10);
  banks.value()->StartWatching(std::chrono::seconds(1));
  deps.banks = banks.value().get();
  service::Router router;
  service::AddVigilRoutes(router, deps);

  // SIGINT/SIGTERM are waited for on this thread; blocked before any other thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  service::HttpServer server(options, {&router, &auth, &limiter, &metrics});
  if (Status s = server.Start(); !s.ok()) {
    PrintError(s.message());
    return 1;
  }
  service::BackgroundLoops loops;  // issue 14 item 4 (scan loop), item 3 (webhooks): here
  ready = true;
  std::printf("vigil serve: listening on %s://%s:%u (%d threads, spool %s)\n",
              options.tls_cert.empty() ? "http" : "https", options.host.c_str(),
              static_cast<unsigned>(server.port()), options.threads, spool.value()->dir().c_str());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  ready = false;
  std::fprintf(stderr, "vigil serve: %s, stopping (requests in flight finish)\n",
               signal == SIGINT ? "interrupted" : "terminated");
  server.Stop();
  loops.StopAll();
  return 0;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, GlobalOptions& options) {
  static ServeArgs args;
  CLI::App* serve = app.add_subcommand("serve",
                                       "The HTTP API for platforms (docs/api.md): submit, hash, "
                                       "match, banks, status; bearer tokens");
  serve->add_option("--listen", args.listen, "HOST:PORT to listen on (an IP address; port 0: any)")
      ->capture_default_str();
  serve->add_option("--threads", args.threads, "Threads serving requests")->capture_default_str();
  serve->add_option("--tls-cert", args.tls_cert, "PEM certificate chain: serve HTTPS")
      ->type_name("FILE");
  serve->add_option("--tls-key", args.tls_key, "PEM private key of --tls-cert")->type_name("FILE");
  serve
      ->add_option("--max-item-mb", args.max_item_mb,
                   "Largest item body (POST /v1/items, /v1/hash); larger answer 413")
      ->capture_default_str();
  serve
      ->add_option("--max-connections", args.max_connections,
                   "Open connections at most; more answer 503")
      ->capture_default_str();
  serve
      ->add_option("--header-timeout-ms", args.header_timeout_ms,
                   "A request's header must arrive within this time (slow clients: 408)")
      ->capture_default_str();
  serve->callback([&options] { options.exit_code = Run(options, args); });
}

}  // namespace vigil::cli
