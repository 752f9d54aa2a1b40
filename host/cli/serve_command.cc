// `vigil serve`: the HTTP API (issue 14; docs/api.md). One box: submissions go to a
// spool beside the store (service/spool_sink.h) and this process scans them
// (cli/spool_scan_loop.h). A fleet (--nats): they go to the JetStream work queue and
// `vigil worker`s scan them. Either way the webhook outbox is delivered from here unless
// --no-webhooks says another process does it.
#include <pthread.h>
#include <signal.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "cli/bank_holds_command.h"
#include "cli/commands.h"
#include "cli/spool_scan_loop.h"
#include "cli/throttled_errors.h"
#include "fleet/jetstream_sink.h"
#include "service/background_loops.h"
#include "service/bank_routes.h"
#include "service/http_server.h"
#include "service/spool_sink.h"
#include "service/token_auth.h"
#include "service/vigil_api.h"
#include "service/webhook_dispatcher.h"
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
  std::string nats;          // a fleet: publish to JetStream instead of scanning here
  std::string policy;        // the scan loop's policy file
  int scan_threads = 0;      // the scan loop's pipeline threads (0: the cores)
  bool no_webhooks = false;  // another process delivers the outbox
  bool no_exchanges = false;  // another process syncs the hash exchanges
};

// The webhook outbox, delivered on the loop's thread with a store connection of its own.
void DeliverWebhooks(host::Store& store, service::WebhookOptions options,
                     const service::StopSignal& stop) {
  service::WebhookDispatcher dispatcher(store.db(), options);
  ThrottledErrors say("webhooks");
  while (!stop.stopping()) {
    auto pass = dispatcher.DeliverDue();
    if (!pass.ok()) {
      say(pass.status());
      stop.WaitFor(std::chrono::seconds(2));
    } else if (pass.value().attempted == 0) {
      stop.WaitFor(options.idle_pause);
    }
  }
}

int Run(GlobalOptions& global, const ServeArgs& args) {
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

  // A server outlives whoever reads its output: a closed stdout (a pipe whose reader
  // went away) must not kill it with SIGPIPE when the loops print; writes just fail.
  std::signal(SIGPIPE, SIG_IGN);
  // SIGINT/SIGTERM are waited for on this thread; blocked before any other thread starts
  // (the scan session's and the server's inherit the mask).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::unique_ptr<host::Store> store = OpenStoreOrSay(global);
  if (!store) return 1;
  // One box: the spool, and a scan session of this process's own (plugins, policy, its
  // own store connection). A fleet: the work queue; the workers scan.
  std::unique_ptr<service::SpoolSink> spool;
  std::unique_ptr<fleet::JetStreamSink> work_queue;
  if (args.nats.empty()) {
    auto opened = service::SpoolSink::Open(LocalStateDir(global) / "spool");
    if (!opened.ok()) {
      PrintError(opened.status().message());
      return 1;
    }
    spool = std::move(opened).value();
  } else {
    if (!args.policy.empty() || args.scan_threads != 0) {
      PrintError(
          "--policy and --scan-threads are the scan loop's; with --nats the workers "
          "scan (vigil worker --policy --threads)");
      return 2;
    }
    auto opened = fleet::JetStreamSink::Open(args.nats);
    if (!opened.ok()) {
      PrintError("--nats " + args.nats + ": " + opened.status().message());
      return 1;
    }
    work_queue = std::move(opened).value();
  }
  std::unique_ptr<host::Store> webhook_store;
  service::WebhookOptions webhook_options;
  if (!args.no_webhooks) {
    auto key = ConfiguredMediaKey(global);
    if (!key.ok()) {
      PrintError("webhooks: " + key.status().message());
      return 1;
    }
    webhook_options.secret_key = key.value();
    webhook_store = OpenStoreOrSay(global);
    if (!webhook_store) return 1;
  }
  std::unique_ptr<host::Store> exchange_store;
  if (!args.no_exchanges) {
    exchange_store = OpenStoreOrSay(global);
    if (!exchange_store) return 1;
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
  deps.sink = spool ? static_cast<service::SubmissionSink*>(spool.get()) : work_queue.get();
  deps.spool = spool.get();
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
  // One box: the scan loop's session (plugins, policy, a store connection of its own),
  // opened again when the banks change.
  std::unique_ptr<SpoolScanLoop> scan_loop;
  if (spool) {
    ScanSessionOptions session_options;
    session_options.policy = args.policy;
    session_options.threads = args.scan_threads;
    service::BankLibrary* library = banks.value().get();
    ScanSessionSource source{
        [&global, session_options] { return ScanSession::Open(global, session_options); },
        [library] { return library->reloads(); }};
    scan_loop = std::make_unique<SpoolScanLoop>(std::move(source), *spool,
                                                LocalStateDir(global) / "spool-work");
    if (Status started = scan_loop->Start(); !started.ok()) {
      if (!started.message().empty()) PrintError(started.message());
      return 1;
    }
  }

  service::HttpServer server(options, {&router, &auth, &limiter, &metrics});
  if (Status s = server.Start(); !s.ok()) {
    PrintError(s.message());
    return 1;
  }
  service::BackgroundLoops loops;
  if (scan_loop) {
    loops.Start("scan", [&scan_loop](const service::StopSignal& stop) {
      ThrottledErrors say("scan loop");
      scan_loop->Run(stop, [&say](const Status& error) { say(error); });
    });
  }
  if (webhook_store) {
    loops.Start("webhooks", [&webhook_store, &webhook_options](const service::StopSignal& stop) {
      DeliverWebhooks(*webhook_store, webhook_options, stop);
    });
  }
  if (exchange_store) {
    // What a sync writes into the banks folder is picked up by the bank watcher (and so by
    // /v1/match and the scan loop).
    // Issue 15 item 2: between syncs the same thread delivers the exchanges' feedback.
    loops.Start("exchanges", [&global, &exchange_store](const service::StopSignal& stop) {
      SyncExchangesUntil(global, exchange_store->db(), [&stop, &exchange_store](auto pause) {
        return WaitDeliveringExchangeFeedback(
            exchange_store->db(), pause,
            [&stop](std::chrono::milliseconds ms) { return stop.WaitFor(ms); });
      });
    });
  }
  ready = true;
  std::printf("vigil serve: listening on %s://%s:%u (%d threads; %s%s)\n",
              options.tls_cert.empty() ? "http" : "https", options.host.c_str(),
              static_cast<unsigned>(server.port()), options.threads,
              spool ? ("scanning here, spool " + spool->dir().string()).c_str()
                    : ("submissions to the fleet at " + args.nats).c_str(),
              webhook_store ? "; delivering webhooks" : "");
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  ready = false;
  std::fprintf(stderr, "vigil serve: %s, stopping (requests in flight finish)\n",
               signal == SIGINT ? "interrupted" : "terminated");
  server.Stop();
  loops.StopAll();  // the scan loop finishes the batch in hand first
  if (scan_loop) {
    std::fprintf(stderr,
                 "vigil serve: scanned %lld submissions here (%lld damaged); the plugins were "
                 "loaded %lld time(s): at start and after each change of the banks; stopped\n",
                 static_cast<long long>(scan_loop->recorded()),
                 static_cast<long long>(scan_loop->failed()),
                 static_cast<long long>(scan_loop->sessions_opened()));
  }
  return 0;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, GlobalOptions& options) {
  static ServeArgs args;
  CLI::App* serve = app.add_subcommand(
      "serve",
      "The HTTP API for platforms (docs/api.md): submissions scanned here or by a fleet, hash, "
      "match, banks, status, webhooks; bearer tokens");
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
  serve
      ->add_option("--nats", args.nats,
                   "A fleet: send submissions to this NATS JetStream (URL[,URL...]) for "
                   "`vigil worker`s to scan (docs/fleet.md); without it they are scanned here")
      ->type_name("URL");
  serve->add_option("--policy", args.policy, "Policy file of the scan loop (default: built-in)")
      ->type_name("FILE");
  serve
      ->add_option("--scan-threads", args.scan_threads,
                   "Pipeline threads of the scan loop (default: the cores)")
      ->type_name("N");
  serve->add_flag("--no-exchanges", args.no_exchanges,
                  "Do not sync the hash exchanges here (another process runs `vigil exchanges "
                  "sync`); by default each enabled exchange syncs on its interval");
  serve->add_flag("--no-webhooks", args.no_webhooks,
                  "Do not deliver the webhook outbox here (another process runs "
                  "`vigil webhooks deliver --follow`)");
  serve->callback([&options] { options.exit_code = Run(options, args); });
}

}  // namespace vigil::cli
