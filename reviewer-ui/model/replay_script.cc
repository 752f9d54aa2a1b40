#include "model/replay_script.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "model/keys.h"

namespace vigil::review {
namespace {

Status LineError(int line, const std::string& what) {
  return Status::InvalidArgument("replay line " + std::to_string(line) + ": " + what);
}

bool ParseFloat(const std::string& text, float* out) {
  if (text.empty() || text.size() > 32) return false;
  size_t used = 0;
  try {
    const double v = std::stod(text, &used);
    if (used != text.size() || !std::isfinite(v) || std::fabs(v) > 1e6) return false;
    *out = static_cast<float>(v);
  } catch (...) {
    return false;
  }
  return true;
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

StatusOr<std::vector<ReplayStep>> ParseReplayScript(const std::string& text) {
  if (text.size() > kMaxReplayBytes) {
    return Status::Resource("the replay script is larger than 1 MiB");
  }
  std::vector<ReplayStep> steps;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  int64_t last = 0;
  while (std::getline(in, line)) {
    ++number;
    // Whole-line comments only, so `text` can type a '#'.
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream words(line);
    std::string time_word, command;
    if (!(words >> time_word)) continue;
    if (!(words >> command)) return LineError(number, "expected '<ms> <command>'");
    int64_t at = -1;
    {
      size_t used = 0;
      try {
        at = std::stoll(time_word, &used);
      } catch (...) {
        used = 0;
      }
      if (used != time_word.size() || at < 0 || at > kMaxReplayMs) {
        return LineError(number, "the time must be whole milliseconds from 0 to 86400000");
      }
    }
    if (at < last) return LineError(number, "times must not decrease");
    last = at;
    ReplayStep step;
    step.at_ms = at;
    std::vector<std::string> args;
    if (command == "text") {
      std::string rest;
      std::getline(words, rest);
      if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
      if (rest.empty()) return LineError(number, "text needs something to type");
      step.event.type = InputEvent::Type::kText;
      step.event.text = rest;
      steps.push_back(std::move(step));
      continue;
    }
    for (std::string w; words >> w;) args.push_back(w);
    if (command == "key") {
      if (args.size() < 2) return LineError(number, "key needs a NAME and down|up|tap");
      const int code = keys::FromName(args[0]);
      if (code < 0) return LineError(number, "unknown key '" + args[0] + "'");
      step.event.type = InputEvent::Type::kKey;
      step.event.key = code;
      if (args[1] == "down") step.event.down = true;
      else if (args[1] == "up") step.event.down = false;
      else if (args[1] == "tap") step.event.down = step.tap = true;
      else return LineError(number, "key action must be down, up or tap");
      for (size_t i = 2; i < args.size(); ++i) {
        if (args[i] == "ctrl") step.event.mods |= keys::kModControl;
        else if (args[i] == "shift") step.event.mods |= keys::kModShift;
        else if (args[i] == "alt") step.event.mods |= keys::kModAlt;
        else return LineError(number, "unknown modifier '" + args[i] + "'");
      }
    } else if (command == "pointer" || command == "pointer-image") {
      step.event.type = InputEvent::Type::kPointer;
      step.event.image_coords = command == "pointer-image";
      if (args.size() != 2 || !ParseFloat(args[0], &step.event.x) ||
          !ParseFloat(args[1], &step.event.y)) {
        return LineError(number, command + " needs two numbers");
      }
    } else if (command == "button") {
      step.event.type = InputEvent::Type::kButton;
      if (args.size() != 1 || (args[0] != "down" && args[0] != "up")) {
        return LineError(number, "button needs down or up");
      }
      step.event.down = args[0] == "down";
    } else if (command == "screenshot") {
      if (args.size() != 1 || !ValidName(args[0])) {
        return LineError(number, "screenshot needs a name of letters, digits, '-' or '_'");
      }
      step.kind = ReplayStep::Kind::kScreenshot;
      step.name = args[0];
    } else if (command == "quit") {
      if (!args.empty()) return LineError(number, "quit takes no arguments");
      step.kind = ReplayStep::Kind::kQuit;
    } else {
      return LineError(number, "unknown command '" + command + "'");
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

StatusOr<std::vector<ReplayStep>> LoadReplayScript(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read the replay script " + path);
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxReplayBytes) return Status::Resource("the replay script is larger than 1 MiB");
  }
  return ParseReplayScript(text);
}

}  // namespace vigil::review
