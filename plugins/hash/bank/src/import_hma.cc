// pytx / HMA local file: one signal per line, "<signal type> <value>" or "<value>" when the
// collaboration (here ImportOptions::signal_type) fixes the type. As in pytx, the type is the
// text before the first space. Extensions: blank lines and lines starting with '#' are skipped,
// CRLF line ends are accepted.
#include <algorithm>
#include <string>

#include "import_common.h"
#include "import_reader.h"

namespace vigil::hashbank {

namespace internal {

Result<CompactImport> ImportHmaFrom(ByteSource& source, const ImportOptions& options) {
  ImportContext ctx("hma", options);
  LineReader reader(source, options.read_chunk_bytes, options.max_record_bytes);
  size_t record = 0;
  std::string_view raw;
  size_t line_no = 0;
  bool too_long = false;
  while (reader.Next(raw, line_no, too_long)) {
    if (too_long) {
      ++record;
      ctx.Error(line_no, record,
                "line is longer than " + std::to_string(reader.max_line()) +
                    " bytes; skipped (a hash list line is \"<signal type> "
                    "<value>\")");
      continue;
    }
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    ++record;
    const size_t space = line.find_first_of(" \t");
    std::string_view value = line;
    std::optional<SignalType> type = options.signal_type;
    if (space != std::string_view::npos) {
      const std::string_view type_text = line.substr(0, space);
      value = Trim(line.substr(space + 1));
      type = ParseSignalType(type_text);
      if (!type) {
        ctx.Error(line_no, record,
                  "unknown signal type \"" + Excerpt(type_text) +
                      "\" (expected pdq, md5, sha1 or sha256)");
        continue;
      }
      if (value.find_first_of(" \t") != std::string_view::npos) {
        ctx.Error(line_no, record, "expected \"<signal type> <value>\", found more fields");
        continue;
      }
    } else if (!type) {
      ctx.Error(line_no, record,
                "line has a value but no signal type; write \"pdq <hash>\" or "
                "import with a type");
      continue;
    }
    ctx.AddValue(line_no, record, *type, value, UnsetMeta());
  }
  if (!reader.status().ok()) return reader.status();
  return ctx.Finish();
}

}  // namespace internal

Result<ImportResult> ImportHma(std::string_view text, const ImportOptions& options) {
  return internal::GuardImport("hma", [&]() -> Result<ImportResult> {
    if (Status s = internal::CheckDocumentSize(text, options, "hma"); !s.ok()) return s;
    internal::MemorySource source(text);
    Result<CompactImport> r = internal::ImportHmaFrom(source, options);
    if (!r.ok()) return r.status();
    return r.value().ToImportResult();
  });
}

}  // namespace vigil::hashbank
