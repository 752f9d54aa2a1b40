// `vigil worker`: a member of the scanning fleet (issue 14, item 4; docs/fleet.md). It
// takes submissions from the NATS JetStream work queue that `vigil serve --nats` fills
// (host/fleet), runs each through the same ScanSession as `vigil scan`, and acks a
// submission only once its item is in the store. Not to be confused with `vigil-worker`,
// the sandboxed process that runs one vendor plugin (host/isolation/worker_main.cc): a
// `vigil worker` starts those itself, like `vigil scan` does.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/scan_session.h"
#include "cli/submission_items.h"
#include "cli/throttled_errors.h"
#include "fleet/fleet_consumer.h"
#include "store/submissions.h"

namespace vigil::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }

struct WorkerArgs {
  std::string nats;
  std::string policy;
  std::string durable = "vigil-workers";
  int threads = 0;
  int batch = 0;
  int max_deliver = 5;
  double ack_wait_s = 60;
  bool once = false;
};

int RunWorker(GlobalOptions& global, const WorkerArgs& args) {
  if (args.nats.empty()) {
    PrintError("worker: --nats URL is required (e.g. nats://127.0.0.1:4222)");
    return 2;
  }
  if (args.max_deliver < 1 || args.max_deliver > 100) {
    PrintError("worker: --max-deliver must be between 1 and 100");
    return 2;
  }
  if (!(args.ack_wait_s >= 1 && args.ack_wait_s <= 3600)) {
    PrintError("worker: --ack-wait must be between 1 and 3600 seconds");
    return 2;
  }
  ScanSessionOptions session_options;
  session_options.policy = args.policy;
  session_options.threads = args.threads;
  auto session = ScanSession::Open(global, session_options);
  if (!session.ok()) {
    if (!session.status().message().empty()) PrintError(session.status().message());
    return 1;
  }
  if (session.value()->store() == nullptr) {
    PrintError("worker: no store to record into (--store STORE)");
    return 1;
  }
  fleet::ConsumerOptions options;
  options.durable = args.durable;
  options.max_deliver = args.max_deliver;
  options.ack_wait_ms = static_cast<int64_t>(args.ack_wait_s * 1000);
  options.batch = args.batch > 0 ? args.batch : std::max(2, 2 * session.value()->threads());
  auto consumer = fleet::FleetConsumer::Open(args.nats, options);
  if (!consumer.ok()) {
    PrintError("worker: " + consumer.status().message());
    return 1;
  }
  // The submissions' bytes live here only while their batch runs.
  std::string pattern =
      (std::filesystem::temp_directory_path() / "vigil-worker-items.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    PrintError("worker: cannot create a temporary directory in " +
               std::filesystem::temp_directory_path().string());
    return 1;
  }
  const std::filesystem::path spool = pattern;

  std::atomic<int64_t> recorded_count{0}, failed_count{0};
  fleet::BatchHandler handler = [&](const std::vector<fleet::FleetItem>& items,
                                    const fleet::RecordedFn& recorded) {
    std::vector<host::IntakeItem> intake;
    std::map<std::string, size_t> index_of;  // submission id -> items index
    std::vector<std::filesystem::path> files;
    Status status = Status::Ok();
    for (size_t i = 0; i < items.size(); ++i) {
      std::filesystem::path file;
      auto item = IntakeItemOf(items[i].submission, spool, &file);
      if (!item.ok()) {
        status = item.status();  // not recorded: retried (perhaps by a worker with disk space)
        continue;
      }
      if (!file.empty()) files.push_back(file);
      index_of[items[i].submission.id] = i;
      intake.push_back(std::move(item).value());
    }
    Status run = session.value()->Run(std::move(intake), [&](host::ItemRecord& record) {
      auto found = index_of.find(record.submission_id);
      if (found == index_of.end()) return;
      ++recorded_count;
      recorded(found->second);
    });
    for (const auto& file : files) {
      std::error_code ignored;
      std::filesystem::remove(file, ignored);
    }
    return run.ok() ? status : run;
  };
  fleet::FailHandler fail = [&](const fleet::FailedItem& failed) -> Status {
    auto done =
        host::FailSubmission(session.value()->store()->db(),
                             SubmissionRecordOf(failed.id, failed.submission), failed.reason);
    if (!done.ok()) return done.status();
    if (done.value()) {
      ++failed_count;
      std::fprintf(stderr, "vigil worker: %s failed: %s\n", failed.id.c_str(),
                   failed.reason.c_str());
    }
    return Status::Ok();
  };

  std::signal(SIGTERM, OnStopSignal);
  std::signal(SIGINT, OnStopSignal);
  std::fprintf(stderr,
               "vigil worker: consuming %s as '%s' (%d pipeline threads, batches of %d); "
               "SIGTERM finishes the batch in hand and stops\n",
               args.nats.c_str(), args.durable.c_str(), session.value()->threads(), options.batch);
  ThrottledErrors on_error("worker");
  if (args.once) {
    // Until the queue is empty (tests, batch jobs).
    while (!g_stop.load()) {
      auto round = consumer.value()->RunOnce(handler, fail);
      if (!round.ok()) {
        on_error(round.status());
        continue;
      }
      if (round.value() == 0) break;
    }
  } else {
    consumer.value()->Run(handler, fail, g_stop,
                          [&on_error](const Status& error) { on_error(error); });
  }
  std::error_code ignored;
  std::filesystem::remove_all(spool, ignored);
  std::fprintf(stderr, "vigil worker: %lld recorded, %lld failed; stopped\n",
               static_cast<long long>(recorded_count.load()),
               static_cast<long long>(failed_count.load()));
  return 0;
}

}  // namespace

void RegisterWorkerCommand(CLI::App& app, GlobalOptions& options) {
  auto args = std::make_shared<WorkerArgs>();
  CLI::App* worker = app.add_subcommand(
      "worker",
      "A fleet member: take submissions from the NATS JetStream work queue (filled by "
      "`vigil serve --nats`), scan them and record them in --store (docs/fleet.md). Not "
      "the sandboxed `vigil-worker` process that runs one plugin");
  worker
      ->add_option("--nats", args->nats,
                   "NATS server URL(s), comma-separated (nats://127.0.0.1:4222,...)")
      ->type_name("URL");
  worker->add_option("--threads", args->threads, "Pipeline threads (default: the cores)")
      ->type_name("N");
  worker
      ->add_option("--max-deliver", args->max_deliver,
                   "Attempts per submission; after the last it is recorded failed with "
                   "the reason (default 5)")
      ->type_name("N");
  worker
      ->add_option("--ack-wait", args->ack_wait_s,
                   "Seconds without an ack (or in-progress ack) before JetStream "
                   "redelivers a submission; also the first retry delay, doubling "
                   "(default 60)")
      ->type_name("S");
  worker
      ->add_option("--batch", args->batch,
                   "Submissions fetched per round (default: twice the threads)")
      ->type_name("N");
  worker
      ->add_option("--durable", args->durable,
                   "The durable consumer every worker of the fleet shares "
                   "(default vigil-workers)")
      ->type_name("NAME");
  worker->add_option("--policy", args->policy, "Policy file (default: the built-in policy)")
      ->type_name("FILE");
  worker->add_flag("--once", args->once, "Stop when the queue is empty instead of waiting");
  worker->callback([&options, args] { options.exit_code = RunWorker(options, *args); });
}

}  // namespace vigil::cli
