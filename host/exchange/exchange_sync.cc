#include "exchange/exchange_sync.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "vigil/hashbank/bank.h"
#include "vigil/hashbank/bank_update.h"

namespace vigil::exchange {
namespace {

class SyncLock {
 public:
  explicit SyncLock(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      fd_ = -2;
    }
  }
  ~SyncLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool held() const { return fd_ >= 0; }
  bool busy() const { return fd_ == -2; }

 private:
  int fd_ = -1;
};

}  // namespace

StatusOr<SyncReport> SyncExchange(host::Database& db, const host::Exchange& exchange,
                                  ExchangeClient& client, const std::string& bank_path,
                                  const SyncOptions& options) {
  const auto now = [&] {
    return options.now_unix ? options.now_unix() : static_cast<int64_t>(std::time(nullptr));
  };
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(bank_path).parent_path(), ec);
  SyncLock lock(bank_path + ".exchange-lock");
  if (lock.busy()) {
    return Status::Unavailable("exchange " + exchange.name +
                               ": another sync of its bank is running");
  }
  if (!lock.held()) {
    return Status::IoError("exchange " + exchange.name + ": cannot create the lock file " +
                           bank_path + ".exchange-lock");
  }
  auto state = host::ExchangeStateOf(db, exchange.name);
  if (!state.ok()) return state.status();
  std::string checkpoint = state.value().checkpoint;
  int64_t pages_before = state.value().pages;
  SyncReport report;
  report.entries = static_cast<size_t>(state.value().entries);
  const auto fail = [&](const Status& status) -> Status {
    (void)host::RecordExchangeError(db, exchange.name, status.message(), now());
    return status;
  };
  for (int page_no = 1;; ++page_no) {
    if (page_no > options.max_pages) {
      return fail(Status::Resource(
          "exchange " + exchange.name + ": stopped after " + std::to_string(options.max_pages) +
          " pages without the exchange saying it is done (the server keeps paging; progress "
          "so far is kept)"));
    }
    auto fetched = client.FetchPage(checkpoint);
    if (!fetched.ok()) {
      const std::string message = "exchange " + exchange.name + ": " + fetched.status().message();
      const Status::Code code = fetched.status().code();
      return fail(code == Status::Code::kInvalidArgument ? Status::InvalidArgument(message)
                  : code == Status::Code::kIoError       ? Status::IoError(message)
                  : code == Status::Code::kUnsupported   ? Status::Unsupported(message)
                                                         : Status::Unavailable(message));
    }
    ExchangePage& page = fetched.value();
    report.bad_records += page.import.error_count();
    const bool bank_exists = std::filesystem::exists(bank_path, ec);
    if (!page.unchanged && (!page.import.ops.empty() || page.replace || !bank_exists)) {
      auto applied = hashbank::UpdateBankFile(
          bank_path, exchange.bank, std::move(page.import),
          page.replace ? hashbank::UpdateMode::kReplace : hashbank::UpdateMode::kMerge);
      if (!applied.ok()) {
        return fail(Status::IoError("exchange " + exchange.name + ": could not write bank " +
                                    exchange.bank + " (unchanged): " + applied.status().message()));
      }
      report.added += applied.value().added;
      report.updated += applied.value().updated;
      report.deleted += applied.value().deleted;
      report.entries = applied.value().total;
    }
    ++report.pages;
    if (Status s = host::SaveExchangeCheckpoint(db, exchange.name, page.checkpoint,
                                                static_cast<int64_t>(report.entries),
                                                pages_before + report.pages, page.done, now());
        !s.ok()) {
      return s;
    }
    checkpoint = page.checkpoint;
    if (options.on_page) options.on_page(report.pages, page, report.entries);
    if (page.done) break;
  }
  report.complete = true;
  return report;
}

}  // namespace vigil::exchange
