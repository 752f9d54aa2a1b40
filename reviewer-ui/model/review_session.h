// ReviewSession: the console's state machine. It owns every moderation decision the
// console makes (what to serve, what may be revealed, when a break is due); the UI only
// draws its state and forwards input through InputRouter.
//
// Screens:
//   kCheckIn  the optional private check-in (start, after a break)
//   kWorking  one claimed item, obscured; decide, skip, reveal
//   kReason   typing the reason a decision needs (not-illegal, escalate)
//   kBreak    a break; a mandatory one cannot be ended before its time
//   kNoWork   nothing to serve: the queue is empty or the rest is over budget
//   kPanic    every pixel blank, the session timer paused
//   kBrowse   browse only: one listed item, obscured, not claimed (a read-only store)
//
// Browse only: a session on a store opened read-only (an auditor's copy, a folder
// without write access, `vigil-review --browse`) shows the queue and each item's
// evidence with the picture obscured as usual, but claims nothing, reveals nothing (a
// reveal must be logged and cannot be), decides nothing and records no exposure: every
// key that would write is refused with the reason in notice().
#ifndef VIGIL_REVIEWER_UI_MODEL_REVIEW_SESSION_H_
#define VIGIL_REVIEWER_UI_MODEL_REVIEW_SESSION_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/clock.h"
#include "model/exposure_ledger.h"
#include "model/item_details.h"
#include "model/reveal_controller.h"
#include "model/reviewer_config.h"
#include "model/session_timer.h"
#include "store/review_queue.h"
#include "store/store.h"
#include "video/storyboard_frames.h"
#include "video/storyboard_layout.h"

namespace vigil::review {

enum class Screen { kCheckIn, kWorking, kReason, kBreak, kNoWork, kPanic, kBrowse };
const char* ScreenName(Screen screen);

// The banner of a browse-only session.
inline constexpr const char* kBrowseBanner = "Read-only store: browse only";

// The claimed item and what happened to it while open.
struct OpenItem {
  host::QueueEntry entry;
  ItemDetails details;
  double opened_at = 0;
  double seconds_unobscured = 0;
  int reveals = 0;

  // A video item is shown as a storyboard of sampled frames (video/), never played.
  bool is_video() const { return entry.media_kind == "video"; }
  // The storyboard's layout once the console has built it (null until then: no reveal).
  std::shared_ptr<const StoryboardLayout> storyboard;
  int storyboard_extra = 0;      // evenly spaced frames asked for with M
  std::set<int> revealed_tiles;  // storyboard frames a reveal showed (the ledger's)
};

class ReviewSession {
 public:
  ReviewSession(host::Store& store, std::string reviewer, ReviewerSettings settings,
                const Clock& clock);

  // Loads today's ledger and shows the check-in, or claims the first item.
  Status Start();
  // Call every frame: reveal timeouts, the session timer, queue list refresh.
  void Tick();
  // Releases the held item and records its exposure (quit, window closed).
  Status Finish();

  // [SECTION] Decisions. A1, A2, B1, B2 commit at once; not-illegal and escalate open
  // the reason dialog first.
  Status Decide(const std::string& decision);
  void TypeReason(const std::string& utf8);
  void EraseReason();            // one code point
  Status ChooseReason(int index);  // a configured reason, submitted at once
  Status SubmitReason();
  void CancelReason();
  // K (issue 13 item 6): the open item's hashes also go to the bank `decision_bank` (a
  // local bank) with its next confirmed decision (A1, A2, B1, B2); K again takes it back.
  // Reset when the item is left. Refused browsing and with no item open.
  Status ToggleAddToBank();
  bool add_to_bank() const { return add_to_bank_; }

  // [SECTION] Navigation. Next skips (releases) the item; Previous returns to the last
  // skipped one if nobody else took it. Browsing, both move through the list.
  Status Next();
  Status Previous();
  // On the no-work screen: try again, skipped items included.
  Status Retry();
  void ScrollList(int delta);  // browsing, the item under the cursor opens
  void CycleListFilter();  // list shows all, then severity >= 3, >= 4, 5 only

  // [SECTION] Reveal (region in normalised image coordinates).
  bool BeginReveal(const Rect& region);
  void MoveReveal(const Rect& region);
  void EndReveal();
  void ChangeObscureLevel(int delta);
  // The region a reveal at (u, v) on the picture shows (`inside`: the pointer is on it,
  // else the picture's centre): for an image RegionAround; for a video's storyboard the
  // same fraction of the frame under the pointer (or the nearest), kept inside that frame.
  Rect RevealRegionAt(bool inside, float u, float v) const;

  // [SECTION] Video storyboard.
  // The console built the open video item's storyboard: reveals may start, by frame.
  void SetStoryboard(int64_t item_id, std::shared_ptr<const StoryboardLayout> layout);
  // M: kMoreStoryboardFrames more evenly spaced frames (up to the tile cap). Refused for
  // an image.
  Status MoreFrames();
  // What the open video's storyboard shows: its detections' ranges and the frames asked
  // for. Empty ranges and no extra frames when no item is open.
  StoryboardRequest storyboard_request() const;

  // [SECTION] Wellbeing.
  void Panic();
  void LeavePanic();
  void TakeBreak();
  bool EndBreak();
  // 1: fine; 2: heavier than usual (budgets x0.75); 3: rough day (x0.5, lighter work
  // first). 0: skipped. Private: never written to the store or the audit log.
  Status CheckIn(int answer);

  // [SECTION] State for the UI.
  Screen screen() const { return screen_; }
  // True when the store was opened read-only: nothing is claimed, revealed, decided or
  // recorded (see the top of this file).
  bool browse_only() const { return browse_; }
  const std::optional<OpenItem>& current() const { return current_; }
  const std::vector<host::QueueEntry>& queue() const { return queue_; }
  // Detector names per listed item ("vigil.hash, vigil.url"), for the list's badges.
  const std::map<int64_t, std::string>& badges() const { return badges_; }
  int list_cursor() const { return list_cursor_; }
  int list_filter_min_severity() const { return list_filter_; }
  const ExposureLedger& ledger() const { return ledger_; }
  const ExposureBudget& budget() const { return budget_; }
  const SessionTimer& timer() const { return timer_; }
  const RevealController& reveal() const { return reveal_; }
  const ReviewerSettings& settings() const { return settings_; }
  const std::string& reviewer() const { return reviewer_; }
  const std::string& notice() const { return notice_; }
  const std::string& reason_text() const { return reason_text_; }
  const std::string& pending_decision() const { return pending_decision_; }
  int max_servable_severity() const { return budget_.MaxServable(ledger_); }
  // The level the current item is obscured at: the policy's level, never below the
  // reviewer's floor, plus the reviewer's adjustment.
  int obscure_level() const;
  int decisions_made() const { return decisions_made_; }
  // When Tick() next reloads the queue list (clock seconds).
  double next_refresh_at() const;

 private:
  Status ClaimNext(int64_t only_item);
  // Browsing: opens the listed item at `index` (clamped) without claiming it.
  Status ShowListed(int index);
  // Browsing: refuses an action that would write, saying why. Returns the error.
  Status RefuseBrowsing(const std::string& what);
  Status CommitDecision(const std::string& decision, const std::string& reason);
  // Ends a reveal and logs it (RecordReveal) against the current item.
  void LogReveal(const std::optional<RevealRecord>& record);
  // Records the current item's exposure and forgets it; releases it when `release`.
  Status LeaveItem(bool release);
  Status RefreshQueue();  // says what went wrong in notice()
  void Say(const std::string& text) { notice_ = text; }

  host::Store& store_;
  const bool browse_;
  host::ReviewQueue queue_store_;
  std::string reviewer_;
  bool add_to_bank_ = false;  // K: the open item's hashes go to settings_.decision_bank
  ReviewerSettings settings_;
  const Clock& clock_;
  ExposureLedger ledger_;
  ExposureBudget budget_;
  SessionTimer timer_;
  RevealController reveal_;

  Screen screen_ = Screen::kNoWork;
  Screen before_panic_ = Screen::kNoWork;
  std::optional<OpenItem> current_;
  std::vector<int64_t> skipped_;
  std::vector<int64_t> escalated_;  // passed on: never served back to the same reviewer
  std::vector<host::QueueEntry> queue_;
  std::map<int64_t, std::string> badges_;
  double last_refresh_ = -1e9;
  int list_cursor_ = 0;
  int list_filter_ = 0;
  int obscure_adjust_ = 0;
  int last_severity_ = 0;
  bool lighter_first_ = false;
  int decisions_made_ = 0;
  std::string notice_;
  std::string reason_text_;
  std::string pending_decision_;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_MODEL_REVIEW_SESSION_H_
