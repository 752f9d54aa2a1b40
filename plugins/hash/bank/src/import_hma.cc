// pytx / HMA local file: one signal per line, "<signal type> <value>" or "<value>" when the
// collaboration (here ImportOptions::signal_type) fixes the type. As in pytx, the type is the
// text before the first space. Extensions: blank lines and lines starting with '#' are skipped,
// CRLF line ends are accepted.
#include <algorithm>
#include <string>

#include "import_common.h"

namespace vigil::hashbank {

namespace {
Result<ImportResult> ImportHmaImpl(std::string_view text, const ImportOptions& options) {
  if (Status s = internal::CheckDocumentSize(text, options, "hma"); !s.ok()) return s;
  internal::ImportContext ctx("hma", options);
  // One entry per line at most: reserving avoids a doubling copy of a large list.
  const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  ctx.result().entries.reserve(lines);
  ctx.result().ops.reserve(lines);
  size_t line_no = 0;
  size_t record = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = internal::Trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    ++record;
    const size_t space = line.find_first_of(" \t");
    std::string_view value = line;
    std::optional<SignalType> type = options.signal_type;
    if (space != std::string_view::npos) {
      const std::string_view type_text = line.substr(0, space);
      value = internal::Trim(line.substr(space + 1));
      type = ParseSignalType(type_text);
      if (!type) {
        ctx.Error(line_no, record,
                  "unknown signal type \"" + internal::Excerpt(type_text) +
                      "\" (expected pdq, md5, sha1 or sha256)");
        continue;
      }
      if (value.find_first_of(" \t") != std::string_view::npos) {
        ctx.Error(line_no, record, "expected \"<signal type> <value>\", found more fields");
        continue;
      }
    } else if (!type) {
      ctx.Error(line_no, record,
                "line has a value but no signal type; write \"pdq <hash>\" or import with a type");
      continue;
    }
    ctx.AddValue(line_no, record, *type, value, internal::UnsetMeta());
  }
  return ctx.Finish();
}

}  // namespace

Result<ImportResult> ImportHma(std::string_view text, const ImportOptions& options) {
  return internal::GuardImport("hma", [&] { return ImportHmaImpl(text, options); });
}

}  // namespace vigil::hashbank
