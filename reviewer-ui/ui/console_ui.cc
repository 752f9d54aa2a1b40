#include "ui/console_ui.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "model/keys.h"
#include "ui/theme.h"

namespace vigil::review {
namespace {

constexpr ImGuiWindowFlags kPanel = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                                    ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse |
                                    ImGuiWindowFlags_NoSavedSettings |
                                    ImGuiWindowFlags_NoBringToFrontOnFocus |
                                    // The frame is cleared to the panel colour instead: on
                                    // software rendering every shaded pixel counts.
                                    ImGuiWindowFlags_NoBackground;

std::string MinSec(double seconds) {
  const int s = std::max(0, static_cast<int>(std::lround(seconds)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d:%02d", s / 60, s % 60);
  return buf;
}

// "3m", "2h", "4d" since an ISO-8601 UTC timestamp.
std::string Age(const std::string& iso) {
  std::tm tm{};
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return "?";
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const double age = std::difftime(std::time(nullptr), timegm(&tm));
  char buf[16];
  if (age < 3600) std::snprintf(buf, sizeof buf, "%dm", static_cast<int>(age / 60));
  else if (age < 86400) std::snprintf(buf, sizeof buf, "%dh", static_cast<int>(age / 3600));
  else std::snprintf(buf, sizeof buf, "%dd", static_cast<int>(age / 86400));
  return buf;
}

void Begin(const char* name, ImVec2 pos, ImVec2 size) {
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize(size);
  ImGui::Begin(name, nullptr, kPanel);
}

}  // namespace

void ConsoleUi::Press(int key) {
  router_.OnKey(key, true, 0);
  router_.OnKey(key, false, 0);
}

ImageRect ConsoleUi::Draw(float width, float height, const ItemPicture& picture) {
  const float line = ImGui::GetFrameHeightWithSpacing();
  const float status_h = line + 8;
  const float bar_h = line * 2 + 16;
  const float left_w = std::max(260.0f, width * 0.26f);
  const float right_w = std::max(240.0f, width * 0.24f);
  const float middle_h = height - status_h - bar_h;

  Begin("status", ImVec2(0, 0), ImVec2(width, status_h));
  StatusLine();
  ImGui::End();

  Begin("queue", ImVec2(0, status_h), ImVec2(left_w, middle_h));
  QueueList();
  ImGui::End();

  Begin("item", ImVec2(left_w, status_h), ImVec2(width - left_w - right_w, middle_h));
  const ImageRect rect = ItemView(picture);
  ImGui::End();

  Begin("evidence", ImVec2(width - right_w, status_h), ImVec2(right_w, middle_h));
  Evidence();
  ImGui::End();

  Begin("decisions", ImVec2(0, height - bar_h), ImVec2(width, bar_h));
  DecisionBar();
  ImGui::End();

  Overlay();
  return rect;
}

// [SECTION] status line
void ConsoleUi::StatusLine() {
  const SessionTimer& timer = session_.timer();
  if (session_.browse_only()) {
    // The banner comes first and stays; the last message (why a key was refused) follows.
    ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.2f, 1.0f), "%s", kBrowseBanner);
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::Text("Session %s left", MinSec(timer.remaining_seconds()).c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    // The opening message repeats the banner: say what it means instead.
    std::string notice = session_.notice();
    if (notice.empty() || notice.rfind(kBrowseBanner, 0) == 0) {
      notice = "nothing is claimed, revealed, decided or recorded";
    } else if (notice.rfind("Browse only: ", 0) == 0) {
      notice.erase(0, 13);
    }
    ImGui::TextUnformatted(notice.c_str());
    return;
  }
  ImGui::Text("Reviewer %s", session_.reviewer().c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("|");
  ImGui::SameLine();
  ImGui::Text("Session %s left", MinSec(timer.remaining_seconds()).c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("|");
  ImGui::SameLine();
  ImGui::TextUnformatted("Budget left:");
  for (int s = kMaxSeverity; s >= 3; --s) {
    ImGui::SameLine();
    const double secs = session_.budget().SecondsLeft(session_.ledger(), s);
    const int items = session_.budget().ItemsLeft(session_.ledger(), s);
    std::string text = std::string(SeverityName(s)) + " ";
    text += secs < 0 ? "no limit" : MinSec(secs);
    if (items >= 0) text += " / " + std::to_string(items) + " items";
    ImGui::TextColored(SeverityColour(s), "%s", text.c_str());
  }
  if (session_.settings().developer_mode) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.2f, 1.0f), "  DEVELOPER MODE: unsigned plugins loaded");
  }
}

// [SECTION] queue list
void ConsoleUi::QueueList() {
  const auto& queue = session_.queue();
  const int filter = session_.list_filter_min_severity();
  ImGui::Text("Queue: %zu items%s", queue.size(),
              filter > 0 ? (std::string(" (severity ") + SeverityName(filter) + "+, F)").c_str()
                         : "  (F filters)");
  const int64_t open_id = session_.current() ? session_.current()->entry.item_id : 0;
  if (ImGui::BeginTable("queue-table", 5,
                        ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                            ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Pri", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 2.5f);
    ImGui::TableSetupColumn("Sev", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 4.0f);
    ImGui::TableSetupColumn("Cat", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 2.2f);
    ImGui::TableSetupColumn("Detectors");
    ImGui::TableSetupColumn("Age", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 2.5f);
    ImGui::TableHeadersRow();
    const int cursor = session_.list_cursor();
    ImGuiListClipper clipper;  // only visible rows are laid out: 500 items cost ~30
    clipper.Begin(static_cast<int>(queue.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const host::QueueEntry& e = queue[static_cast<size_t>(i)];
        ImGui::TableNextRow();
        if (e.item_id == open_id) {
          ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(40, 80, 120, 255));
        } else if (i == cursor) {
          ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(60, 60, 70, 255));
        }
        ImGui::TableSetColumnIndex(0);
        ImGui::Text("%d", e.priority);
        ImGui::TableSetColumnIndex(1);
        ImGui::TextColored(SeverityColour(e.severity), "%s", SeverityName(e.severity));
        ImGui::TableSetColumnIndex(2);
        ImGui::TextUnformatted(e.category.empty() ? "-" : e.category.c_str());
        ImGui::TableSetColumnIndex(3);
        auto badge = session_.badges().find(e.item_id);
        std::string badge_text = badge == session_.badges().end()
                                     ? (e.state == "claimed" ? "(held)" : "-")
                                     : badge->second;
        // Browsing lists decided items too: the decision first, where the column shows it.
        if (e.state == "decided") badge_text = "decided " + e.decision + " · " + badge_text;
        ImGui::TextUnformatted(badge_text.c_str());
        ImGui::TableSetColumnIndex(4);
        ImGui::TextUnformatted(Age(e.enqueued_at).c_str());
      }
    }
    if (cursor != last_cursor_ && cursor >= 0) {
      ImGui::SetScrollY(std::max(0.0f, cursor * ImGui::GetTextLineHeightWithSpacing() -
                                          ImGui::GetWindowHeight() / 2));
      last_cursor_ = cursor;
    }
    ImGui::EndTable();
  }
}

// [SECTION] item (centre)
ImageRect ConsoleUi::ItemView(const ItemPicture& picture) {
  const auto& item = session_.current();
  if (!item || session_.screen() == Screen::kBreak || session_.screen() == Screen::kCheckIn) {
    ImGui::TextDisabled("No item open.");
    return {};
  }
  const host::QueueEntry& e = item->entry;
  ImGui::Text("Item %lld", static_cast<long long>(e.item_id));
  ImGui::SameLine();
  ImGui::TextColored(SeverityColour(e.severity), "%s", SeverityName(e.severity));
  ImGui::SameLine();
  ImGui::Text("%s  queue %s  obscured at level %d of 7  ([ ] to change)", e.category.c_str(),
              e.queue.c_str(), session_.obscure_level());
  if (e.round >= 2) {  // store/review_rounds.h: the earlier decision is not shown
    ImGui::Text(e.round == 2 ? "Round 2: a second review (the first decision is not shown)"
                             : "Round 3: the two reviews disagreed; your decision is final");
  }
  if (!picture.problem.empty()) {
    ImGui::TextWrapped("No picture: %s. Decide from the evidence on the right.",
                       picture.problem.c_str());
    return {};
  }
  if (!picture.ready || !textures_.has_item()) {
    ImGui::TextDisabled("Preparing the obscured picture...");
    return {};
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  // A video's storyboard keeps room for its timeline and what it shows.
  const float hint_h = ImGui::GetTextLineHeightWithSpacing() * (picture.storyboard ? 5 : 2);
  const float box_w = avail.x, box_h = std::max(10.0f, avail.y - hint_h);
  const float aspect = static_cast<float>(textures_.item_width()) / textures_.item_height();
  float w = box_w, h = box_w / aspect;
  if (h > box_h) {
    h = box_h;
    w = box_h * aspect;
  }
  ImVec2 pos = ImGui::GetCursorScreenPos();
  pos.x += (box_w - w) / 2;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddImage(textures_.item(), pos, ImVec2(pos.x + w, pos.y + h));
  if (picture.revealed) {
    const Rect& r = *picture.revealed;
    const ImVec2 a(pos.x + r.x * w, pos.y + r.y * h);
    const ImVec2 b(pos.x + (r.x + r.w) * w, pos.y + (r.y + r.h) * h);
    draw->AddImage(textures_.reveal(), a, b);
    draw->AddRect(a, b, IM_COL32(255, 200, 80, 255), 0, 0, 2);
  }
  ImGui::Dummy(ImVec2(box_w, h));
  timeline_rect_ = {};
  if (picture.storyboard) {
    StoryboardMarks(*picture.storyboard, ImageRect{pos.x, pos.y, w, h});
    Timeline(*picture.storyboard, box_w);
  }
  const RevealController& reveal = session_.reveal();
  if (session_.browse_only()) {
    ImGui::TextDisabled("Browse only: reveals are off (a reveal must be logged). N/P move.");
  } else if (reveal.active()) {
    ImGui::Text("Revealed: re-obscures in %.1f s (let go of Space to end now)", reveal.remaining());
  } else {
    ImGui::TextDisabled("Hold Space (or the mouse button on the picture) to reveal a region for %.0f s.",
                        reveal.timeout());
  }
  return ImageRect{pos.x, pos.y, w, h};
}

void ConsoleUi::StoryboardMarks(const StoryboardLayout& layout, const ImageRect& image) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (const StoryboardTile& tile : layout.tiles) {
    const ImVec2 a(image.x + tile.rect.x * image.w, image.y + tile.rect.y * image.h);
    const ImVec2 b(a.x + tile.rect.w * image.w, a.y + tile.rect.h * image.h);
    // Matched frames are framed in amber, the evenly spaced others in grey.
    draw->AddRect(a, b, tile.matched ? IM_COL32(255, 170, 60, 255) : IM_COL32(140, 140, 140, 255),
                  0, 0, tile.matched ? 2.0f : 1.0f);
    const std::string when = VideoTime(tile.timestamp_seconds);
    const ImVec2 size = ImGui::CalcTextSize(when.c_str());
    draw->AddRectFilled(ImVec2(a.x + 1, a.y + 1), ImVec2(a.x + size.x + 5, a.y + size.y + 3),
                        IM_COL32(0, 0, 0, 200));
    draw->AddText(ImVec2(a.x + 3, a.y + 2), IM_COL32(235, 235, 235, 255), when.c_str());
  }
}

void ConsoleUi::Timeline(const StoryboardLayout& layout, float width) {
  const float bar_h = ImGui::GetTextLineHeight() * 0.8f;
  ImVec2 a = ImGui::GetCursorScreenPos();
  a.y += 2;
  const ImVec2 b(a.x + width, a.y + bar_h);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(a, b, IM_COL32(60, 62, 66, 255));
  const double length = layout.duration_seconds;
  if (length > 0) {
    auto x_of = [&](double seconds) {
      return a.x + static_cast<float>(std::clamp(seconds / length, 0.0, 1.0)) * width;
    };
    for (const host::TimeSpan& span : layout.matched) {
      // A one-frame range still gets a visible mark.
      const float x0 = x_of(span.start_seconds);
      const float x1 = std::max(x0 + 2.0f, x_of(span.end_seconds));
      draw->AddRectFilled(ImVec2(x0, a.y), ImVec2(x1, b.y), IM_COL32(255, 170, 60, 255));
    }
    for (const StoryboardTile& tile : layout.tiles) {
      const float x = x_of(tile.timestamp_seconds);
      draw->AddLine(ImVec2(x, b.y - bar_h * 0.45f), ImVec2(x, b.y), IM_COL32(240, 240, 240, 255),
                    1.0f);
    }
  }
  timeline_rect_ = ImageRect{a.x, a.y, width, bar_h};
  ImGui::Dummy(ImVec2(width, bar_h + 4));
  int matched_shown = 0;
  for (const StoryboardTile& tile : layout.tiles) matched_shown += tile.matched ? 1 : 0;
  ImGui::TextWrapped(
      "Video %s: %zu frames shown, %d matched (amber on the timeline); M adds evenly "
      "spaced frames. Never played, no sound.",
      length > 0 ? VideoTime(length).c_str() : "of unknown length", layout.tiles.size(),
      matched_shown);
  if (!layout.note.empty()) ImGui::TextDisabled("%s", layout.note.c_str());
}

// [SECTION] evidence (right)
void ConsoleUi::Evidence() {
  const auto& item = session_.current();
  if (!item || session_.screen() == Screen::kBreak) return;
  const host::QueueEntry& e = item->entry;
  const ItemDetails& d = item->details;
  ImGui::TextWrapped("Why queued: %s", e.reason.empty() ? "-" : e.reason.c_str());
  ImGui::Text("Priority %d · %s", e.priority, e.outcome.c_str());
  if (!d.format.empty()) ImGui::Text("%s %dx%d", d.format.c_str(), d.width, d.height);
  ImGui::Separator();
  ImGui::Text("Detections (%zu)", d.detections.size());
  for (const std::string& note : d.truncations) {
    ImGui::TextColored(SeverityColour(4), "%s", note.c_str());
  }
  for (const DetectionRow& det : d.detections) {
    ImGui::TextColored(SeverityColour(det.severity), "%s", det.label.c_str());
    ImGui::TextWrapped("  %s  score %.2f", det.detector.c_str(), det.score);
    if (!det.bank.empty()) {
      ImGui::TextWrapped("  bank %s  entry %s  %s  distance %d", det.bank.c_str(),
                         det.entry_id.c_str(), det.category.c_str(), det.distance);
    }
    // Where in a video (the storyboard's amber frames), and where in the listed video.
    auto spans = [](const std::vector<host::TimeSpan>& list) {
      std::string text;
      for (const host::TimeSpan& span : list) {
        text += (text.empty() ? "" : ", ") + VideoTime(span.start_seconds) + "-" +
                VideoTime(span.end_seconds);
      }
      return text;
    };
    if (!det.item_ranges.empty()) {
      ImGui::TextWrapped("  in this video at %s", spans(det.item_ranges).c_str());
    }
    if (!det.match_ranges.empty()) {
      ImGui::TextWrapped("  in the listed video at %s", spans(det.match_ranges).c_str());
    }
  }
  if (!d.url.empty()) {
    ImGui::Separator();
    ImGui::TextWrapped("URL: %s", d.url.c_str());
  }
  if (!d.decisions.empty()) {
    ImGui::Separator();
    ImGui::Text("Decisions (%zu)", d.decisions.size());
    for (const DecisionRow& row : d.decisions) {
      ImGui::TextWrapped("  %s %s by %s%s%s", row.decided_at.c_str(), row.decision.c_str(),
                         row.reviewer.c_str(), row.reason.empty() ? "" : ": ", row.reason.c_str());
    }
  }
  ImGui::Separator();
  ImGui::Text("Signals (%zu)", d.signals.size());
  for (const SignalRow& s : d.signals) {
    const std::string shown = s.value.size() > 20 ? s.value.substr(0, 20) + "..." : s.value;
    ImGui::Text("  %s %s", s.type.c_str(), shown.c_str());
  }
  ImGui::Separator();
  ImGui::Text("Near-duplicates (%zu)", d.duplicates.size());
  for (const DuplicateRow& dup : d.duplicates) {
    const std::string how = dup.match == "pdq"
                                ? "PDQ distance " + std::to_string(dup.distance) + " (" +
                                      dup.orientation + ")"
                                : "same " + dup.match;
    ImGui::Text("  item %lld: %s, %s", static_cast<long long>(dup.item_id), how.c_str(),
                dup.decision.empty() ? "undecided" : dup.decision.c_str());
  }
  if (!d.duplicates_note.empty()) ImGui::TextWrapped("  %s", d.duplicates_note.c_str());
}

// [SECTION] decision bar
void ConsoleUi::DecisionBar() {
  struct Action {
    const char* label;
    int key;
  };
  static const Action kActions[] = {
      {"[1] A1", '1'},          {"[2] A2", '2'},        {"[3] B1", '3'},
      {"[4] B2", '4'},          {"[0] Not illegal", '0'}, {"[E] Escalate", 'E'},
      {"[N] Next / skip", 'N'}, {"[P] Previous", 'P'},  {"[B] Break", 'B'},
      {"[K] Add to bank", 'K'},
  };
  for (const Action& a : kActions) {
    // Browsing, N and P only move (the other buttons stay, and say why they do nothing).
    const char* label = session_.browse_only() && a.key == 'N' ? "[N] Next" : a.label;
    if (a.key == 'K' && session_.add_to_bank()) label = "[K] Add to bank: ON";
    if (ImGui::Button(label)) Press(a.key);
    ImGui::SameLine();
  }
  if (ImGui::Button("[F12] Panic")) Press(keys::kF12);
  if (session_.browse_only() && session_.screen() == Screen::kBrowse) {
    // The status line above carries the banner and why a key was refused.
    ImGui::TextDisabled(
        "Browse only: N/P or Up/Down move through the list, ] obscures more, F filters, "
        "Ctrl+Q quits.");
  } else if (!session_.notice().empty()) {
    ImGui::TextWrapped("%s", session_.notice().c_str());
  } else {
    ImGui::TextDisabled("Decided this sitting: %d. Space reveals, [ ] obscuring, Up/Down list, Ctrl+Q quits.",
                        session_.decisions_made());
  }
}

// [SECTION] overlays
void ConsoleUi::Overlay() {
  const Screen screen = session_.screen();
  if (screen == Screen::kWorking || screen == Screen::kBrowse) return;
  const ImGuiIO& io = ImGui::GetIO();
  const ImVec2 size(std::min(640.0f, io.DisplaySize.x * 0.8f), 0);
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x / 2, io.DisplaySize.y / 2), 0, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(size);
  ImGui::Begin("overlay", nullptr,
               ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings);
  switch (screen) {
    case Screen::kReason: {
      ImGui::Text("Reason for %s (required)", session_.pending_decision().c_str());
      ImGui::Separator();
      ImGui::TextWrapped("> %s_", session_.reason_text().c_str());
      ImGui::Separator();
      const auto& reasons = session_.settings().reasons;
      for (size_t i = 0; i < reasons.size() && i < 9; ++i) {
        ImGui::Text("F%zu  %s", i + 1, reasons[i].c_str());
      }
      ImGui::TextDisabled("Type a reason and press Enter, or press F1..F9. Escape cancels.");
      break;
    }
    case Screen::kCheckIn:
      ImGui::TextWrapped("A private check-in (not recorded anywhere): how are you right now?");
      ImGui::Separator();
      ImGui::TextUnformatted("1  Fine");
      ImGui::TextUnformatted("2  Heavier than usual: lower my budgets by a quarter today");
      ImGui::TextUnformatted("3  A rough day: halve my budgets and give me lighter work first");
      ImGui::TextDisabled("Enter skips.");
      break;
    case Screen::kBreak: {
      const SessionTimer& t = session_.timer();
      if (t.break_mandatory() && t.break_remaining_seconds() > 0) {
        ImGui::TextWrapped("Break time. The session limit was reached; the console resumes in %s.",
                           MinSec(t.break_remaining_seconds()).c_str());
        ImGui::TextWrapped("Step away from the screen, look into the distance, move around.");
      } else {
        ImGui::TextWrapped("On a break. Press Enter when you are ready to continue.");
      }
      break;
    }
    case Screen::kNoWork:
      ImGui::TextWrapped("%s", session_.notice().empty() ? "Nothing to review." : session_.notice().c_str());
      ImGui::TextDisabled("R tries again · B takes a break · Ctrl+Q quits");
      break;
    case Screen::kWorking:
    case Screen::kPanic:
    case Screen::kBrowse:
      break;
  }
  ImGui::End();
}

}  // namespace vigil::review
