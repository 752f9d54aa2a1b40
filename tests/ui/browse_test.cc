// Browse only (issue 12, item 9): the console on a store it cannot write (an auditor's
// copy) lists the queue and shows each item's evidence, obscured as usual, but claims,
// reveals, decides and records nothing; each refused key says why. The store file and
// its folder are byte for byte what they were.
//
// The read-only copy is real: the file and its folder lose their write bits and, when
// the test runs as root (who may write anything), the session runs as `nobody` (real and
// effective uid; the saved uid brings root back afterwards).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "model/input_router.h"
#include "model/keys.h"
#include "session_fixture.h"
#include "store/review_queue.h"
#include "store/store_access.h"

namespace vigil::review {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::SessionTest;

constexpr uid_t kNobody = 65534;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every file under `dir` with its size and content digest (the bytes, for small files).
std::map<std::string, std::string> Listing(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string name = fs::relative(entry.path(), dir).string();
    out[name] = entry.is_regular_file() ? Slurp(entry.path()) : "<dir>";
  }
  return out;
}

class BrowseTest : public SessionTest {
 protected:
  // Three queued items (severities 4, 3, 2 in list order): the most severe decided A1,
  // the next escalated with a reason (back to pending, its decision kept).
  void SetUp() override {
    SessionTest::SetUp();
    ids_ = Queue(3, {3, 4, 2});
    host::ReviewQueue queue(*store_);
    for (int i = 0; i < 2; ++i) {
      host::ClaimOptions options;
      auto claimed = queue.Claim("carol", options);
      ASSERT_TRUE(claimed.ok() && claimed.value().has_value());
      const int64_t id = claimed.value()->item_id;
      ASSERT_TRUE(queue
                      .Decide(id, "carol", i == 0 ? "A1" : "escalate",
                              i == 0 ? "" : "second opinion please")
                      .ok());
      (i == 0 ? decided_ : escalated_) = id;
    }
    // Closed, so the write-ahead log is folded into the file and removed.
    store_.reset();
    ASSERT_FALSE(fs::exists(dir_ / "store.db-wal"));
  }
  void TearDown() override {
    session_.reset();
    ro_.reset();
    BecomeWriter();
    SessionTest::TearDown();
  }

  // Takes write access away (file, folder; root becomes nobody) and opens the store as
  // vigil-review does for a store it cannot write.
  ReviewSession& OpenReadOnlyCopy() {
    before_ = Listing(dir_);
    fs::permissions(dir_ / "store.db",
                    fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec);
    if (::geteuid() == 0) {
      EXPECT_EQ(::setresuid(kNobody, kNobody, 0), 0) << "cannot become nobody";
      as_nobody_ = true;
    }
    EXPECT_TRUE(host::StoreIsReadOnly(dir_ / "store.db")) << "the copy must not be writable";
    return OpenBrowsing();
  }
  ReviewSession& OpenBrowsing() {
    auto ro = host::Store::Open(dir_ / "store.db", host::OpenMode::kReadOnly);
    EXPECT_TRUE(ro.ok()) << ro.status().message();
    ro_ = std::move(ro).value();
    session_ = std::make_unique<ReviewSession>(*ro_, "auditor", settings_, clock_);
    Status s = session_->Start();
    EXPECT_TRUE(s.ok()) << s.message();
    return *session_;
  }
  // Ends the session, closes the store and gives write access back.
  void CloseAndRestore() {
    if (session_) {
      EXPECT_TRUE(session_->Finish().ok());
    }
    session_.reset();
    ro_.reset();
    BecomeWriter();
  }
  void BecomeWriter() {
    if (as_nobody_) {
      EXPECT_EQ(::setresuid(0, 0, 0), 0);
      as_nobody_ = false;
    }
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::permissions(dir_ / "store.db", fs::perms::owner_write, fs::perm_options::add, ec);
  }
  // What the writable store holds now, for "nothing changed" after a browse.
  std::string QueueSnapshot() {
    auto store = host::Store::Open(dir_ / "store.db", host::OpenMode::kReadOnly);
    EXPECT_TRUE(store.ok()) << store.status().message();
    std::string out;
    host::Statement rows(store.value()->db(),
                         "SELECT item_id || ' ' || state || ' ' || coalesce(lease_owner, '-') "
                         "FROM queue ORDER BY item_id");
    while (rows.ok() && rows.Step() == vigil::host::kRow) out += rows.ColumnText(0) + "\n";
    for (const char* table : {"decisions", "exposure", "reveals", "audit_log"}) {
      host::Statement count(store.value()->db(),
                            (std::string("SELECT count(*) FROM ") + table).c_str());
      if (count.ok() && count.Step() == vigil::host::kRow) {
        out += std::string(table) + " " + std::to_string(count.ColumnInt(0)) + "\n";
      }
    }
    return out;
  }

  std::vector<int64_t> ids_;
  int64_t decided_ = 0, escalated_ = 0;
  std::unique_ptr<host::Store> ro_;
  std::map<std::string, std::string> before_;
  bool as_nobody_ = false;
};

TEST_F(BrowseTest, ListsTheQueueAndShowsEachItemsEvidenceWithoutClaiming) {
  ReviewSession& s = OpenReadOnlyCopy();
  EXPECT_TRUE(s.browse_only());
  EXPECT_EQ(s.screen(), Screen::kBrowse);
  EXPECT_THAT(s.notice(), HasSubstr(kBrowseBanner));
  // Every queued item is listed, the decided one too (an auditor reads decisions).
  ASSERT_EQ(s.queue().size(), 3u);
  std::map<int64_t, std::string> states;
  for (const auto& e : s.queue()) states[e.item_id] = e.state;
  EXPECT_EQ(states[decided_], "decided");
  EXPECT_EQ(states[escalated_], "pending");
  EXPECT_EQ(s.badges().at(decided_), "vigil.test");

  // The first listed item is open, obscured at its usual level, with its evidence.
  ASSERT_TRUE(s.current().has_value());
  EXPECT_EQ(s.current()->entry.item_id, s.queue()[0].item_id);
  EXPECT_EQ(s.list_cursor(), 0);
  EXPECT_EQ(s.obscure_level(),
            std::max(s.current()->entry.obscure_level, settings_.min_obscure_level));
  EXPECT_EQ(s.current()->details.detections.size(), 1u);
  EXPECT_FALSE(s.current()->details.signals.empty());

  // Walk the list: N, Down and P open the neighbours; the ends say so.
  std::vector<int64_t> seen = {s.current()->entry.item_id};
  ASSERT_TRUE(s.Next().ok());
  seen.push_back(s.current()->entry.item_id);
  s.ScrollList(1);
  seen.push_back(s.current()->entry.item_id);
  EXPECT_EQ(s.list_cursor(), 2);
  ASSERT_TRUE(s.Next().ok());
  EXPECT_THAT(s.notice(), HasSubstr("last item"));
  EXPECT_EQ(s.current()->entry.item_id, seen[2]);
  EXPECT_EQ(seen, (std::vector<int64_t>{s.queue()[0].item_id, s.queue()[1].item_id,
                                        s.queue()[2].item_id}));
  ASSERT_TRUE(s.Previous().ok());
  EXPECT_EQ(s.current()->entry.item_id, seen[1]);

  // The escalated item shows the decision made on it, with its reason.
  int escalated_at = -1;
  for (size_t i = 0; i < s.queue().size(); ++i) {
    if (s.queue()[i].item_id == escalated_) escalated_at = static_cast<int>(i);
  }
  ASSERT_GE(escalated_at, 0);
  s.ScrollList(escalated_at - s.list_cursor());
  ASSERT_EQ(s.current()->entry.item_id, escalated_);
  ASSERT_EQ(s.current()->details.decisions.size(), 1u);
  EXPECT_EQ(s.current()->details.decisions[0].decision, "escalate");
  EXPECT_EQ(s.current()->details.decisions[0].reviewer, "carol");
  EXPECT_EQ(s.current()->details.decisions[0].reason, "second opinion please");

  // The list reloads on the timer and stays on the open item.
  clock_.Advance(5);
  s.Tick();
  EXPECT_EQ(s.current()->entry.item_id, escalated_);
  EXPECT_EQ(s.queue()[static_cast<size_t>(s.list_cursor())].item_id, escalated_);

  CloseAndRestore();
  EXPECT_EQ(Listing(dir_), before_) << "the store and its folder must be left as they were";
  EXPECT_FALSE(fs::exists(dir_ / "store.db-wal"));
  EXPECT_FALSE(fs::exists(dir_ / "store.db-shm"));
}

TEST_F(BrowseTest, RefusesDecisionsRevealsAndWeakerObscuringSayingWhy) {
  ReviewSession& s = OpenReadOnlyCopy();
  ASSERT_EQ(s.screen(), Screen::kBrowse);
  const int64_t open = s.current()->entry.item_id;

  for (const char* decision : {"A1", "A2", "B1", "B2", "not-illegal", "escalate"}) {
    Status d = s.Decide(decision);
    EXPECT_FALSE(d.ok()) << decision;
    EXPECT_THAT(s.notice(), HasSubstr("Browse only")) << decision;
    EXPECT_THAT(s.notice(), HasSubstr(std::string(decision) + " cannot be recorded"));
    EXPECT_EQ(s.screen(), Screen::kBrowse) << decision << ": no reason dialog either";
  }
  EXPECT_EQ(s.decisions_made(), 0);
  EXPECT_EQ(s.current()->entry.item_id, open) << "a refused decision moves nowhere";

  // Fail closed: a reveal must be logged, and it cannot be.
  EXPECT_FALSE(s.BeginReveal(Rect{0.25f, 0.25f, 0.5f, 0.5f}));
  EXPECT_FALSE(s.reveal().active());
  EXPECT_THAT(s.notice(), HasSubstr("reveal must be logged"));

  // Obscuring only ever gets stronger than the item's usual level.
  const int usual = s.obscure_level();
  ASSERT_LT(usual, kMaxObscureLevel);
  s.ChangeObscureLevel(-1);
  EXPECT_EQ(s.obscure_level(), usual);
  EXPECT_THAT(s.notice(), HasSubstr("cannot be weakened"));
  s.ChangeObscureLevel(1);
  EXPECT_EQ(s.obscure_level(), usual + 1);
  s.ChangeObscureLevel(-1);
  EXPECT_EQ(s.obscure_level(), usual) << "back to the usual level is allowed";

  // The same through the keymap: each refused key says why; N moves.
  InputRouter router(s, clock_);
  auto press = [&](int key) {
    router.OnKey(key, true, 0);
    router.OnKey(key, false, 0);
  };
  press('2');
  EXPECT_THAT(s.notice(), HasSubstr("A2 cannot be recorded"));
  press('E');
  EXPECT_THAT(s.notice(), HasSubstr("escalate cannot be recorded"));
  EXPECT_EQ(s.screen(), Screen::kBrowse);
  router.OnPointer(true, 0.5f, 0.5f);
  router.OnMouseButton(true);
  EXPECT_FALSE(s.reveal().active());
  EXPECT_THAT(s.notice(), HasSubstr("reveal must be logged"));
  router.OnMouseButton(false);
  press(keys::kSpace);
  EXPECT_FALSE(s.reveal().active());
  press(keys::kLeftBracket);
  EXPECT_THAT(s.notice(), HasSubstr("cannot be weakened"));
  EXPECT_EQ(s.obscure_level(), usual);
  press('N');
  EXPECT_NE(s.current()->entry.item_id, open);
  clock_.Advance(60);
  s.Tick();
  EXPECT_FALSE(s.reveal().active());

  CloseAndRestore();
  EXPECT_EQ(Listing(dir_), before_);
}

TEST_F(BrowseTest, BreaksPanicAndQuittingRecordNothing) {
  settings_.checkin = true;  // a check-in only adjusts reveal budgets: not offered here
  settings_.session_limit_minutes = 1;
  settings_.break_minutes = 1;
  ReviewSession& s = OpenReadOnlyCopy();
  ASSERT_EQ(s.screen(), Screen::kBrowse) << "no check-in when browsing";
  s.ScrollList(1);
  const int64_t open = s.current()->entry.item_id;
  s.Panic();
  EXPECT_EQ(s.screen(), Screen::kPanic);
  s.LeavePanic();
  EXPECT_EQ(s.screen(), Screen::kBrowse);
  EXPECT_EQ(s.current()->entry.item_id, open);
  s.TakeBreak();
  EXPECT_EQ(s.screen(), Screen::kBreak);
  EXPECT_TRUE(s.EndBreak());
  EXPECT_EQ(s.screen(), Screen::kBrowse);
  EXPECT_EQ(s.current()->entry.item_id, open) << "back where the browse was";
  // The session limit still brings a break.
  clock_.Advance(61);
  s.Tick();
  EXPECT_EQ(s.screen(), Screen::kBreak);
  clock_.Advance(61);
  s.Tick();
  EXPECT_TRUE(s.EndBreak());
  EXPECT_EQ(s.screen(), Screen::kBrowse);

  CloseAndRestore();
  EXPECT_EQ(Listing(dir_), before_);
}

TEST_F(BrowseTest, TheFilterChangesWhatIsListedAndTheOpenItemFollows) {
  ReviewSession& s = OpenReadOnlyCopy();
  ASSERT_EQ(s.queue().size(), 3u);
  int low = 0;  // the low-severity item (pending, after the escalated one)
  while (low < 3 && s.queue()[static_cast<size_t>(low)].severity != 2) ++low;
  ASSERT_LT(low, 3);
  s.ScrollList(low);
  ASSERT_EQ(s.current()->entry.severity, 2);
  s.CycleListFilter();  // medium and above: the low item is not listed any more
  EXPECT_EQ(s.list_filter_min_severity(), 3);
  ASSERT_EQ(s.queue().size(), 2u);
  ASSERT_TRUE(s.current().has_value());
  EXPECT_EQ(s.current()->entry.item_id, s.queue()[0].item_id) << "opens the first listed";
  EXPECT_EQ(s.list_cursor(), 0);
  s.CycleListFilter();  // high and above: only the decided high item, which opens
  ASSERT_EQ(s.queue().size(), 1u);
  const int64_t high = s.queue()[0].item_id;
  EXPECT_EQ(high, decided_);
  EXPECT_EQ(s.current()->entry.item_id, high);
  s.CycleListFilter();  // critical only: nothing listed, the item stays open, F goes on
  EXPECT_TRUE(s.queue().empty());
  EXPECT_EQ(s.screen(), Screen::kBrowse);
  EXPECT_EQ(s.current()->entry.item_id, high);
  EXPECT_THAT(s.notice(), HasSubstr("F shows more"));
  ASSERT_TRUE(s.Next().ok());  // nothing to move to; no crash
  s.CycleListFilter();  // all again
  EXPECT_EQ(s.queue().size(), 3u);
  EXPECT_EQ(s.current()->entry.item_id, high);
  EXPECT_EQ(s.queue()[static_cast<size_t>(s.list_cursor())].item_id, high);
  CloseAndRestore();
  EXPECT_EQ(Listing(dir_), before_);
}

TEST_F(BrowseTest, AnEmptyQueueSaysSo) {
  // A store nothing was ever queued in.
  fs::remove(dir_ / "store.db");
  ASSERT_TRUE(host::Store::Open(dir_ / "store.db").ok());
  ReviewSession& s = OpenReadOnlyCopy();
  EXPECT_EQ(s.screen(), Screen::kNoWork);
  EXPECT_FALSE(s.current().has_value());
  EXPECT_THAT(s.notice(), HasSubstr(kBrowseBanner));
  EXPECT_THAT(s.notice(), HasSubstr("the queue is empty"));
  EXPECT_FALSE(s.Decide("A1").ok());
  EXPECT_TRUE(s.Retry().ok());
  EXPECT_EQ(s.screen(), Screen::kNoWork);
  CloseAndRestore();
  EXPECT_EQ(Listing(dir_), before_);
}

// `vigil-review --browse` on a store that could be written: opened read-only all the
// same, so nothing in it changes (SQLite may leave its -wal/-shm companions; the
// store's content and file are untouched).
TEST_F(BrowseTest, BrowseFlagOnAWritableStoreChangesNothing) {
  const std::string before = QueueSnapshot();
  const std::string bytes = Slurp(dir_ / "store.db");
  ReviewSession& s = OpenBrowsing();
  ASSERT_TRUE(s.browse_only());
  EXPECT_FALSE(s.Decide("B1").ok());
  EXPECT_FALSE(s.BeginReveal(Rect{0, 0, 1, 1}));
  ASSERT_TRUE(s.Next().ok());
  s.TakeBreak();
  EXPECT_TRUE(s.EndBreak());
  CloseAndRestore();
  EXPECT_EQ(Slurp(dir_ / "store.db"), bytes);
  EXPECT_EQ(QueueSnapshot(), before);
  EXPECT_THAT(before, Not(HasSubstr("auditor")));
}

// A read-write store is never browsed: the console claims as before.
TEST_F(BrowseTest, AWritableOpenIsNotBrowsing) {
  auto store = host::Store::Open(dir_ / "store.db");
  ASSERT_TRUE(store.ok());
  ReviewSession s(*store.value(), "dave", settings_, clock_);
  ASSERT_TRUE(s.Start().ok());
  EXPECT_FALSE(s.browse_only());
  EXPECT_EQ(s.screen(), Screen::kWorking);
  EXPECT_THAT(s.notice(), Not(HasSubstr(kBrowseBanner)));
  ASSERT_TRUE(s.Finish().ok());
}

}  // namespace
}  // namespace vigil::review
