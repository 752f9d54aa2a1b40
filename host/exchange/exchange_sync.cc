#include "exchange/exchange_sync.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <unordered_set>
#include <vector>

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

// Pages fetched and not yet applied, merged into one import. Pages are merged only while
// each record (and each value deleted by value) is touched by one page: applied at once,
// they then give exactly the bank applying them one by one gives (an import replaces a
// record's entries with all of its mentions; a record on two pages keeps the later page).
struct PendingPages {
  hashbank::ImportResult import;
  bool replace = false;
  bool done = false;
  int pages = 0;
  std::string checkpoint;
  std::unordered_set<std::string> records;  // "source\0id" and "\0id" of ids touched
  std::unordered_set<std::string> values;   // values upserted or deleted

  static std::string Value(const hashbank::HashValue& v) {
    return std::string(1, static_cast<char>(v.type)) +
           std::string(reinterpret_cast<const char*>(v.bytes.data()), v.size());
  }
  // The keys `import` touches.
  static void Keys(const hashbank::ImportResult& import, std::vector<std::string>& records,
                   std::vector<std::string>& values) {
    for (const hashbank::Entry& e : import.entries) {
      if (!e.external_id.empty()) {
        records.push_back(e.source + '\0' + e.external_id);
        records.push_back('\0' + e.external_id);
      }
      values.push_back(Value(e.value));
    }
    for (const hashbank::Deletion& d : import.deletions) {
      if (!d.external_id.empty()) {
        records.push_back(d.source + '\0' + d.external_id);
        records.push_back('\0' + d.external_id);
      }
      if (d.has_value) values.push_back(Value(d.value));
    }
  }
  bool Conflicts(const hashbank::ImportResult& page) const {
    std::vector<std::string> r, v;
    Keys(page, r, v);
    for (const std::string& k : r) {
      if (records.count(k)) return true;
    }
    for (const std::string& k : v) {
      if (values.count(k)) return true;
    }
    return false;
  }
  void Add(ExchangePage&& page) {
    std::vector<std::string> r, v;
    Keys(page.import, r, v);
    records.insert(r.begin(), r.end());
    values.insert(v.begin(), v.end());
    if (page.replace) {
      import = std::move(page.import);
      replace = true;
    } else if (!page.unchanged) {
      const size_t entries = import.entries.size(), deletions = import.deletions.size();
      for (hashbank::ImportOp op : page.import.ops) {
        op.index += op.kind == hashbank::ImportOp::Kind::kUpsert ? entries : deletions;
        import.ops.push_back(op);
      }
      for (hashbank::Entry& e : page.import.entries) import.entries.push_back(std::move(e));
      for (hashbank::Deletion& d : page.import.deletions) {
        import.deletions.push_back(std::move(d));
      }
    }
    ++pages;
    checkpoint = std::move(page.checkpoint);
    done = page.done;
  }
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

  // Pages fetched but not yet in the bank: their changes in document order, and the
  // checkpoint after the last of them.
  PendingPages pending;
  // Writes the pending pages into the bank, then saves their checkpoint.
  const auto flush = [&]() -> Status {
    if (pending.pages == 0) return Status::Ok();
    const bool bank_exists = std::filesystem::exists(bank_path, ec);
    if (!pending.import.ops.empty() || pending.replace || !bank_exists) {
      auto applied = hashbank::UpdateBankFile(
          bank_path, exchange.bank, std::move(pending.import),
          pending.replace ? hashbank::UpdateMode::kReplace : hashbank::UpdateMode::kMerge);
      if (!applied.ok()) {
        return Status::IoError("exchange " + exchange.name + ": could not write bank " +
                               exchange.bank + " (unchanged): " + applied.status().message());
      }
      report.added += applied.value().added;
      report.updated += applied.value().updated;
      report.deleted += applied.value().deleted;
      report.entries = applied.value().total;
    }
    report.pages += pending.pages;
    const std::string saved = pending.checkpoint;
    const bool done = pending.done;
    pending = PendingPages();
    if (Status s = host::SaveExchangeCheckpoint(db, exchange.name, saved,
                                                static_cast<int64_t>(report.entries),
                                                pages_before + report.pages, done, now());
        !s.ok()) {
      return s;
    }
    if (options.on_applied) options.on_applied(report.pages, saved, report.entries);
    return Status::Ok();
  };

  for (int page_no = 1;; ++page_no) {
    if (page_no > options.max_pages) {
      if (Status s = flush(); !s.ok()) return fail(s);
      return fail(Status::Resource(
          "exchange " + exchange.name + ": stopped after " + std::to_string(options.max_pages) +
          " pages without the exchange saying it is done (the server keeps paging; progress "
          "so far is kept)"));
    }
    auto fetched = client.FetchPage(checkpoint);
    if (!fetched.ok()) {
      // What was fetched before the failure is kept: applied, with its checkpoint.
      if (Status s = flush(); !s.ok()) return fail(s);
      const std::string message = "exchange " + exchange.name + ": " + fetched.status().message();
      const Status::Code code = fetched.status().code();
      return fail(code == Status::Code::kInvalidArgument ? Status::InvalidArgument(message)
                  : code == Status::Code::kIoError       ? Status::IoError(message)
                  : code == Status::Code::kUnsupported   ? Status::Unsupported(message)
                                                         : Status::Unavailable(message));
    }
    ExchangePage& page = fetched.value();
    report.bad_records += page.import.error_count();
    // A page that touches what the pending pages touch would not merge as if applied after
    // them (a record's entries are replaced page by page): the pending pages go first.
    if (pending.pages > 0 && (page.replace || pending.Conflicts(page.import))) {
      if (Status s = flush(); !s.ok()) return fail(s);
    }
    if (options.on_page) options.on_page(page_no, page, report.entries);
    const bool page_done = page.done;
    checkpoint = page.checkpoint;
    pending.Add(std::move(page));
    if (page_done || pending.import.ops.size() >= options.batch_ops) {
      if (Status s = flush(); !s.ok()) return fail(s);
    }
    if (page_done) break;
  }
  report.complete = true;
  return report;
}

}  // namespace vigil::exchange
