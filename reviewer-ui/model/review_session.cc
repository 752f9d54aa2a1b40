#include "model/review_session.h"

#include "store/local_banks.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "store/db/database.h"
#include "store/exposure_budget.h"

namespace vigil::review {
namespace {

constexpr double kListRefreshSeconds = 2.0;
constexpr int kListPending = 500;
constexpr int kListClaimed = 100;

bool NeedsReason(const std::string& decision) {
  return decision == "not-illegal" || decision == "escalate";
}

}  // namespace

const char* ScreenName(Screen screen) {
  switch (screen) {
    case Screen::kCheckIn: return "check-in";
    case Screen::kWorking: return "working";
    case Screen::kReason: return "reason";
    case Screen::kBreak: return "break";
    case Screen::kNoWork: return "no-work";
    case Screen::kPanic: return "panic";
    case Screen::kBrowse: return "browse";
  }
  return "unknown";
}

ReviewSession::ReviewSession(host::Store& store, std::string reviewer, ReviewerSettings settings,
                             const Clock& clock)
    : store_(store),
      browse_(store.read_only()),
      queue_store_(store),
      reviewer_(std::move(reviewer)),
      settings_(std::move(settings)),
      clock_(clock),
      budget_(settings_.budgets),
      timer_(clock, settings_.session_limit_minutes * 60, settings_.break_minutes * 60),
      reveal_(clock, settings_.reveal_timeout_seconds) {}

Status ReviewSession::Start() {
  if (browse_) {
    // Nothing to budget (no reveal is possible) and nothing to claim: the list, and
    // the first item in it.
    // A list or an item that cannot be read is said in notice() (the window shows it).
    if (!RefreshQueue().ok() || !ShowListed(0).ok()) return Status::Ok();
    Say(std::string(kBrowseBanner) +
        (queue_.empty() ? ": the queue is empty."
                        : ". Items are not claimed; decisions, reveals and exposure cannot be "
                          "recorded. N/P or Up/Down move through the list."));
    return Status::Ok();
  }
  auto totals = ExposureLedger::LoadFromStore(store_, reviewer_, TodayUtc());
  if (!totals.ok()) return totals.status();
  ledger_.Reset(totals.value());
  RefreshQueue();
  if (settings_.checkin) {
    screen_ = Screen::kCheckIn;
    return Status::Ok();
  }
  return ClaimNext(0);
}

void ReviewSession::Tick() {
  LogReveal(reveal_.Tick());
  timer_.Tick();
  if (timer_.on_break() && screen_ != Screen::kBreak && screen_ != Screen::kPanic) {
    // The sitting is over: give the item back so nobody waits on it during the break.
    if (Status s = LeaveItem(true); !s.ok()) Say(s.message());
    reason_text_.clear();
    pending_decision_.clear();
    screen_ = Screen::kBreak;
    Say("Time for a break. The console resumes when the break is over.");
  }
  if (screen_ != Screen::kPanic && clock_.Now() - last_refresh_ >= kListRefreshSeconds) {
    RefreshQueue();
  }
}

double ReviewSession::next_refresh_at() const { return last_refresh_ + kListRefreshSeconds; }

Status ReviewSession::Finish() {
  Status s = LeaveItem(true);
  screen_ = Screen::kNoWork;
  return s;
}

int ReviewSession::obscure_level() const {
  const int policy = current_ ? current_->entry.obscure_level : kMaxObscureLevel;
  const int base = std::max(policy, settings_.min_obscure_level);
  return std::clamp(base + obscure_adjust_, settings_.min_obscure_level, kMaxObscureLevel);
}

// [SECTION] Decisions

Status ReviewSession::Decide(const std::string& decision) {
  if (browse_) {
    return RefuseBrowsing("the store is read-only, so " +
                          (host::IsValidDecision(decision) ? decision : std::string("a decision")) +
                          " cannot be recorded. Nothing was decided.");
  }
  if (screen_ != Screen::kWorking || !current_) {
    return Status::InvalidArgument("no item is open to decide");
  }
  if (!host::IsValidDecision(decision)) {
    return Status::InvalidArgument("unknown decision '" + decision + "'");
  }
  if (NeedsReason(decision)) {
    pending_decision_ = decision;
    reason_text_.clear();
    screen_ = Screen::kReason;
    return Status::Ok();
  }
  return CommitDecision(decision, "");
}

void ReviewSession::TypeReason(const std::string& utf8) {
  if (screen_ != Screen::kReason) return;
  constexpr size_t kMaxReason = 500;
  for (char c : utf8) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) continue;  // no control characters in the audit log
    if (reason_text_.size() < kMaxReason) reason_text_.push_back(c);
  }
}

void ReviewSession::EraseReason() {
  if (screen_ != Screen::kReason || reason_text_.empty()) return;
  // Drop UTF-8 continuation bytes, then the lead byte.
  while (!reason_text_.empty() && (static_cast<unsigned char>(reason_text_.back()) & 0xC0) == 0x80) {
    reason_text_.pop_back();
  }
  if (!reason_text_.empty()) reason_text_.pop_back();
}

Status ReviewSession::ChooseReason(int index) {
  if (screen_ != Screen::kReason) return Status::InvalidArgument("no reason is being asked for");
  if (index < 0 || index >= static_cast<int>(settings_.reasons.size())) {
    return Status::InvalidArgument("there is no reason number " + std::to_string(index + 1));
  }
  reason_text_ = settings_.reasons[static_cast<size_t>(index)];
  return SubmitReason();
}

Status ReviewSession::SubmitReason() {
  if (screen_ != Screen::kReason) return Status::InvalidArgument("no reason is being asked for");
  std::string reason = reason_text_;
  reason.erase(0, reason.find_first_not_of(' '));
  while (!reason.empty() && reason.back() == ' ') reason.pop_back();
  if (reason.empty()) {
    Say("A reason is required for " + pending_decision_ + ": type one or pick F1..F9.");
    return Status::InvalidArgument("a reason is required for '" + pending_decision_ + "'");
  }
  screen_ = Screen::kWorking;
  const std::string decision = pending_decision_;
  pending_decision_.clear();
  reason_text_.clear();
  return CommitDecision(decision, reason);
}

void ReviewSession::CancelReason() {
  if (screen_ != Screen::kReason) return;
  pending_decision_.clear();
  reason_text_.clear();
  screen_ = Screen::kWorking;
}

Status ReviewSession::ToggleAddToBank() {
  if (browse_) {
    return RefuseBrowsing("the store is read-only: nothing can be added to a bank.");
  }
  if (screen_ != Screen::kWorking || !current_) {
    return Status::InvalidArgument("no item is open to add to a bank");
  }
  add_to_bank_ = !add_to_bank_;
  const std::string item = "item " + std::to_string(current_->entry.item_id);
  Say(add_to_bank_ ? "The hashes of " + item + " go to bank " + settings_.decision_bank +
                         " with its decision (A1, A2, B1 or B2). K again: they do not."
                   : "The hashes of " + item + " do not go to a bank.");
  return Status::Ok();
}

Status ReviewSession::CommitDecision(const std::string& decision, const std::string& reason) {
  if (browse_) return RefuseBrowsing("the store is read-only: nothing was decided.");
  LogReveal(reveal_.Cancel());
  const int64_t item_id = current_->entry.item_id;
  // K: only a confirmed decision adds the hashes (clearing or escalating adds nothing).
  std::vector<std::string> banks;
  const bool to_bank = add_to_bank_ && host::IsConfirmedDecision(decision);
  if (to_bank) banks.push_back(settings_.decision_bank);
  Status decided = queue_store_.Decide(item_id, reviewer_, decision, reason, banks);
  if (!decided.ok()) {
    // Most likely the lease expired and someone else holds it: move on, say so.
    Say("Could not record " + decision + ": " + decided.message());
    LeaveItem(false).message();  // the decision error is the one worth reporting
    ClaimNext(0).message();
    return decided;
  }
  ++decisions_made_;
  if (decision == "escalate") escalated_.push_back(item_id);
  Say("Recorded " + decision + " for item " + std::to_string(item_id) +
      (to_bank ? "; its hashes are in bank " + settings_.decision_bank : "") + ".");
  if (Status s = LeaveItem(false); !s.ok()) return s;
  return ClaimNext(0);
}

// [SECTION] Navigation

Status ReviewSession::Next() {
  if (browse_) {
    if (screen_ != Screen::kBrowse) return Status::InvalidArgument("no item is open");
    ScrollList(1);
    return Status::Ok();
  }
  if (screen_ != Screen::kWorking || !current_) return Status::InvalidArgument("no item is open");
  LogReveal(reveal_.Cancel());
  const int64_t held = current_->entry.item_id;
  // Claim before releasing so the item just skipped cannot come straight back.
  skipped_.push_back(held);
  OpenItem previous = *current_;
  current_.reset();
  Status claimed = ClaimNext(0);
  if (!current_) {
    skipped_.pop_back();
    current_ = std::move(previous);
    screen_ = Screen::kWorking;
    if (claimed.ok()) Say("No other item to move to.");
    return claimed;
  }
  // Record the skipped item's exposure and give it back.
  std::optional<OpenItem> now_open = std::move(current_);
  current_ = std::move(previous);
  Status left = LeaveItem(true);
  current_ = std::move(now_open);
  return left;
}

Status ReviewSession::Previous() {
  if (browse_) {
    if (screen_ != Screen::kBrowse) return Status::InvalidArgument("no item is open");
    ScrollList(-1);
    return Status::Ok();
  }
  if (screen_ != Screen::kWorking || !current_ || skipped_.empty()) {
    Say("No skipped item to go back to.");
    return Status::NotFound("no skipped item to go back to");
  }
  LogReveal(reveal_.Cancel());
  const int64_t target = skipped_.back();
  OpenItem held = *current_;
  current_.reset();
  Status claimed = ClaimNext(target);
  if (!current_) {
    current_ = std::move(held);
    screen_ = Screen::kWorking;
    skipped_.pop_back();  // somebody else has it now, or it was decided
    Say("Item " + std::to_string(target) + " is no longer available.");
    return claimed.ok() ? Status::NotFound("item is no longer available") : claimed;
  }
  skipped_.pop_back();
  std::optional<OpenItem> now_open = std::move(current_);
  current_ = std::move(held);
  skipped_.push_back(current_->entry.item_id);
  Status left = LeaveItem(true);
  current_ = std::move(now_open);
  return left;
}

Status ReviewSession::Retry() {
  if (screen_ != Screen::kNoWork) return Status::Ok();
  if (browse_) {
    RefreshQueue();
    return ShowListed(0);
  }
  skipped_.clear();
  RefreshQueue();
  return ClaimNext(0);
}

void ReviewSession::ScrollList(int delta) {
  if (queue_.empty()) {
    list_cursor_ = 0;
    return;
  }
  const int target = std::clamp(list_cursor_ + delta, 0, static_cast<int>(queue_.size()) - 1);
  if (browse_ && screen_ == Screen::kBrowse) {
    // Browsing, the cursor is the open item.
    const bool moved = !current_ || target != list_cursor_ ||
                       current_->entry.item_id != queue_[static_cast<size_t>(target)].item_id;
    if (!moved) {
      Say(delta > 0 ? "This is the last item in the list." : "This is the first item in the list.");
      return;
    }
    ShowListed(target).message();  // ShowListed says what went wrong
    return;
  }
  list_cursor_ = target;
}

void ReviewSession::CycleListFilter() {
  static constexpr int kFilters[] = {0, 3, 4, 5};
  int index = 0;
  for (int i = 0; i < 4; ++i) {
    if (kFilters[i] == list_filter_) index = i;
  }
  list_filter_ = kFilters[(index + 1) % 4];
  RefreshQueue();
  if (browse_ && screen_ == Screen::kBrowse) {
    // The open item follows the list: keep it when it is still listed.
    const bool listed = current_ && std::any_of(queue_.begin(), queue_.end(), [&](const auto& e) {
                          return e.item_id == current_->entry.item_id;
                        });
    if (queue_.empty()) {
      // Keep the item open (F is only read on an item's screen): the next F shows more.
      Say("No item at severity " + std::string(SeverityName(list_filter_)) +
          " or above; F shows more.");
    } else if (!listed) {
      ShowListed(0).message();
    }
  }
}

Status ReviewSession::ClaimNext(int64_t only_item) {
  if (browse_) return ShowListed(list_cursor_);  // never claims
  current_.reset();
  // The console's own budget; the store's (the team's, store/exposure_budget.h) caps every
  // claim too, and is named below when it is the lower.
  const int own_cap = budget_.MaxServable(ledger_);
  auto team_cap = host::MaxServableSeverity(store_.db(), reviewer_);
  if (!team_cap.ok()) return team_cap.status();
  const int max_servable = std::min(own_cap, team_cap.value());
  host::ClaimOptions options;
  options.order = settings_.order;
  options.lease_seconds = settings_.lease_seconds;
  options.exclude_items = escalated_;
  if (only_item == 0) {
    options.exclude_items.insert(options.exclude_items.end(), skipped_.begin(), skipped_.end());
  }
  options.only_item = only_item;
  std::optional<host::QueueEntry> claimed;
  // Lighter work first after a severe item (interleaving) or after a rough check-in.
  const bool lighter = settings_.interleave && (lighter_first_ || last_severity_ >= settings_.severe_from);
  if (lighter && only_item == 0) {
    options.max_severity = std::min(max_servable, settings_.severe_from - 1);
    auto first = queue_store_.Claim(reviewer_, options);
    if (!first.ok()) return first.status();
    claimed = first.value();
  }
  if (!claimed) {
    options.max_severity = max_servable;
    auto second = queue_store_.Claim(reviewer_, options);
    if (!second.ok()) return second.status();
    claimed = second.value();
  }
  if (!claimed) {
    screen_ = Screen::kNoWork;
    if (only_item) return Status::Ok();
    if (max_servable < kMaxSeverity) {
      Say(std::string(team_cap.value() < own_cap ? "The team's exposure budget"
                                                 : "Your exposure budget") +
          " for " + std::string(SeverityName(max_servable + 1)) +
          " items is used up for today and no lighter work is left. Take a break (B).");
    } else if (!skipped_.empty()) {
      Say("Only items you skipped are left. Press R to go through them again.");
    } else {
      Say("The queue is empty.");
    }
    return Status::Ok();
  }
  if (max_servable < kMaxSeverity) {
    Say("Budget reached for " + std::string(SeverityName(max_servable + 1)) +
        " items: serving lighter work only. Take a break any time (B).");
  }
  OpenItem item;
  item.entry = *claimed;
  item.opened_at = clock_.Now();
  auto details = LoadItemDetails(store_, item.entry.item_id);
  if (details.ok()) item.details = std::move(details).value();
  last_severity_ = item.entry.severity;
  current_ = std::move(item);
  screen_ = Screen::kWorking;
  RefreshQueue();
  return Status::Ok();
}

Status ReviewSession::LeaveItem(bool release) {
  add_to_bank_ = false;  // K holds for the item it was pressed on
  if (browse_) {
    // Nothing was claimed or revealed: nothing to release or record.
    reveal_.Cancel();
    current_.reset();
    return Status::Ok();
  }
  LogReveal(reveal_.Cancel());
  if (!current_) return Status::Ok();
  OpenItem item = std::move(*current_);
  current_.reset();
  const int frames = static_cast<int>(item.revealed_tiles.size());
  ledger_.Add(item.entry.severity, item.seconds_unobscured, item.reveals, item.is_video(), frames);
  Status recorded = queue_store_.RecordExposure(
      reviewer_, item.entry.item_id, item.entry.severity, item.seconds_unobscured, item.reveals,
      item.is_video() ? frames : 0, item.is_video() ? item.seconds_unobscured : 0);
  if (release) {
    Status released = queue_store_.Release(item.entry.item_id, reviewer_);
    if (!released.ok() && recorded.ok()) return released;
  }
  return recorded;
}

Status ReviewSession::RefreshQueue() {
  last_refresh_ = clock_.Now();
  std::vector<host::QueueEntry> rows;
  // Browsing also lists decided items (an auditor reads what was decided).
  std::vector<const char*> states = {"claimed", "pending"};
  if (browse_) states.push_back("decided");
  for (const char* state : states) {
    auto listed = queue_store_.List(state, settings_.order,
                                    std::string(state) == "claimed" ? kListClaimed : kListPending);
    if (!listed.ok()) {
      Say(listed.status().message());
      return listed.status();
    }
    for (auto& e : listed.value()) {
      if (e.severity >= list_filter_) rows.push_back(std::move(e));
    }
  }
  queue_ = std::move(rows);
  badges_.clear();
  host::Statement badges(store_.db(),
                         "SELECT d.item_id, group_concat(DISTINCT d.detector) FROM detections d "
                         "JOIN queue q ON q.item_id = d.item_id "
                         "WHERE (?1 = 1 OR q.state != 'decided') GROUP BY d.item_id");
  if (badges.ok()) badges.Bind(1, static_cast<int64_t>(browse_ ? 1 : 0));
  while (badges.ok() && badges.Step() == host::kRow) {
    badges_[badges.ColumnInt(0)] = badges.ColumnText(1);
  }
  if (browse_ && current_) {
    // Browsing, the cursor stays on the open item wherever the reload put it, and the
    // item's queue state is the one just read (another reviewer may have decided it).
    for (size_t i = 0; i < queue_.size(); ++i) {
      if (queue_[i].item_id == current_->entry.item_id) {
        list_cursor_ = static_cast<int>(i);
        current_->entry = queue_[i];
        break;
      }
    }
  }
  list_cursor_ = std::clamp(list_cursor_, 0, std::max(0, static_cast<int>(queue_.size()) - 1));
  return Status::Ok();
}

Status ReviewSession::ShowListed(int index) {
  current_.reset();
  if (queue_.empty()) {
    screen_ = Screen::kNoWork;
    return Status::Ok();
  }
  list_cursor_ = std::clamp(index, 0, static_cast<int>(queue_.size()) - 1);
  OpenItem item;
  item.entry = queue_[static_cast<size_t>(list_cursor_)];
  item.opened_at = clock_.Now();
  auto details = LoadItemDetails(store_, item.entry.item_id);
  if (details.ok()) {
    item.details = std::move(details).value();
  } else {
    Say("Could not read the evidence of item " + std::to_string(item.entry.item_id) + ": " +
        details.status().message());
  }
  current_ = std::move(item);
  screen_ = Screen::kBrowse;
  return details.ok() ? Status::Ok() : details.status();
}

Status ReviewSession::RefuseBrowsing(const std::string& what) {
  Say("Browse only: " + what);
  return Status::Unsupported("browse only (read-only store): " + what);
}

// [SECTION] Reveal

bool ReviewSession::BeginReveal(const Rect& region) {
  if (browse_) {
    // Fail closed: every reveal is logged, and this store cannot log one.
    if (current_) {
      RefuseBrowsing(
          "a reveal must be logged and this read-only store cannot log it, so "
          "nothing is revealed.");
    }
    return false;
  }
  if (screen_ != Screen::kWorking || !current_) return false;
  if (current_->is_video() && (!current_->storyboard || current_->storyboard->tiles.empty())) {
    // Nothing is shown yet, so there is no frame to reveal a region of.
    Say("The storyboard is not ready: nothing to reveal yet.");
    return false;
  }
  if (budget_.Exhausted(ledger_, current_->entry.severity) ||
      (budget_.SecondsLeft(ledger_, current_->entry.severity) >= 0 &&
       budget_.SecondsLeft(ledger_, current_->entry.severity) <= current_->seconds_unobscured)) {
    Say("Your reveal budget for " + std::string(SeverityName(current_->entry.severity)) +
        " items is used up: decide from the evidence, or skip.");
    return false;
  }
  return reveal_.Begin(region);
}

void ReviewSession::MoveReveal(const Rect& region) { reveal_.Move(region); }

void ReviewSession::EndReveal() { LogReveal(reveal_.Release()); }

void ReviewSession::LogReveal(const std::optional<RevealRecord>& record) {
  if (!record || !current_ || browse_) return;
  current_->seconds_unobscured += record->seconds;
  current_->reveals += 1;
  if (current_->is_video() && current_->storyboard) {
    // Every frame the shown region overlapped counts as revealed.
    for (int tile : TilesTouched(*current_->storyboard, record->region)) {
      current_->revealed_tiles.insert(tile);
    }
  }
  const auto ms = static_cast<int64_t>(std::llround(record->seconds * 1000));
  Status s = queue_store_.RecordReveal(reviewer_, current_->entry.item_id, record->region.x,
                                       record->region.y, record->region.w, record->region.h, ms);
  if (!s.ok()) Say("Could not log a reveal: " + s.message());
}

void ReviewSession::ChangeObscureLevel(int delta) {
  if (browse_ && obscure_adjust_ + delta < 0) {
    // Weaker than the level the item opened at would show more than browsing may.
    RefuseBrowsing(
        "obscuring cannot be weakened below the item's level here (it could not "
        "be logged); ] makes it stronger.");
    return;
  }
  const int before = obscure_level();
  obscure_adjust_ = std::clamp(obscure_adjust_ + delta, -kMaxObscureLevel, kMaxObscureLevel);
  // Keep the adjustment inside what can take effect, so undoing it is one key press.
  const int after = obscure_level();
  if (after == before) obscure_adjust_ -= delta;
}

Rect ReviewSession::RevealRegionAt(bool inside, float u, float v) const {
  const float fraction = settings_.reveal_region;
  if (!inside) u = v = 0.5f;
  if (current_ && current_->is_video()) {
    if (!current_->storyboard) return Rect{};
    const int tile = TileNear(*current_->storyboard, u, v);
    return RegionInTile(*current_->storyboard, tile, u, v, fraction);
  }
  return RegionAround(u, v, fraction);
}

// [SECTION] Video storyboard

void ReviewSession::SetStoryboard(int64_t item_id, std::shared_ptr<const StoryboardLayout> layout) {
  if (!current_ || current_->entry.item_id != item_id) return;
  current_->storyboard = std::move(layout);
}

Status ReviewSession::MoreFrames() {
  if (!current_ || (screen_ != Screen::kWorking && screen_ != Screen::kBrowse)) {
    return Status::InvalidArgument("no item is open");
  }
  if (!current_->is_video()) {
    Say("M (more frames) is for videos; this item is a picture.");
    return Status::InvalidArgument("the open item is not a video");
  }
  if (current_->storyboard_extra >= kMaxStoryboardTiles) {
    Say("The storyboard shows as many frames as it can (" + std::to_string(kMaxStoryboardTiles) +
        ").");
    return Status::Ok();
  }
  // A reveal shows pixels of the old sheet: end it before the sheet changes.
  LogReveal(reveal_.Cancel());
  current_->storyboard_extra =
      std::min(kMaxStoryboardTiles, current_->storyboard_extra + kMoreStoryboardFrames);
  current_->storyboard.reset();  // the layout of the new sheet comes with it
  Say("The storyboard adds up to " + std::to_string(current_->storyboard_extra) +
      " evenly spaced frames (at most " + std::to_string(kMaxStoryboardTiles) + " in all).");
  return Status::Ok();
}

StoryboardRequest ReviewSession::storyboard_request() const {
  StoryboardRequest request;
  if (!current_) return request;
  request.matched = current_->details.MatchedRanges();
  request.extra_frames = current_->storyboard_extra;
  return request;
}

// [SECTION] Wellbeing

void ReviewSession::Panic() {
  if (screen_ == Screen::kPanic) return;
  LogReveal(reveal_.Cancel());
  before_panic_ = screen_;
  screen_ = Screen::kPanic;
  timer_.Pause();
}

void ReviewSession::LeavePanic() {
  if (screen_ != Screen::kPanic) return;
  timer_.Resume();
  screen_ = before_panic_;
  last_refresh_ = -1e9;
}

void ReviewSession::TakeBreak() {
  if (screen_ == Screen::kPanic || screen_ == Screen::kBreak) return;
  if (Status s = LeaveItem(true); !s.ok()) Say(s.message());
  pending_decision_.clear();
  reason_text_.clear();
  timer_.StartBreak();
  screen_ = Screen::kBreak;
  Say("On a break. Press Enter to come back.");
}

bool ReviewSession::EndBreak() {
  if (screen_ != Screen::kBreak) return false;
  if (!timer_.EndBreak()) {
    Say("This break cannot be skipped: the session limit was reached.");
    return false;
  }
  if (settings_.checkin && !browse_) {
    screen_ = Screen::kCheckIn;
    return true;
  }
  Status s = ClaimNext(0);
  if (!s.ok()) Say(s.message());
  return true;
}

Status ReviewSession::CheckIn(int answer) {
  if (screen_ != Screen::kCheckIn) return Status::InvalidArgument("no check-in is open");
  if (answer < 0 || answer > 3) return Status::InvalidArgument("answer 1, 2 or 3 (0 skips)");
  if (answer == 2) budget_.SetScale(0.75);
  if (answer == 3) {
    budget_.SetScale(0.5);
    lighter_first_ = true;
  }
  notice_.clear();
  return ClaimNext(0);
}

}  // namespace vigil::review
