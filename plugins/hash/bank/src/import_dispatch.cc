// Format names and file reading for the importers.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "import_common.h"

namespace vigil::hashbank {

std::optional<ImportFormat> ParseImportFormat(std::string_view name) {
  if (name == "hma") return ImportFormat::kHma;
  if (name == "te-csv") return ImportFormat::kTeCsv;
  if (name == "ncmec-xml") return ImportFormat::kNcmecXml;
  if (name == "stopncii-json") return ImportFormat::kStopNciiJson;
  if (name == "vics-json") return ImportFormat::kVicsJson;
  return std::nullopt;
}

std::string_view ImportFormatName(ImportFormat format) {
  switch (format) {
    case ImportFormat::kHma:
      return "hma";
    case ImportFormat::kTeCsv:
      return "te-csv";
    case ImportFormat::kNcmecXml:
      return "ncmec-xml";
    case ImportFormat::kStopNciiJson:
      return "stopncii-json";
    case ImportFormat::kVicsJson:
      return "vics-json";
  }
  return "unknown";
}

Result<ImportResult> ImportDocument(ImportFormat format, std::string_view text,
                                    const ImportOptions& options) {
  switch (format) {
    case ImportFormat::kHma:
      return ImportHma(text, options);
    case ImportFormat::kTeCsv:
      return ImportTeCsv(text, options);
    case ImportFormat::kNcmecXml:
      return ImportNcmecXml(text, options);
    case ImportFormat::kStopNciiJson:
      return ImportStopNciiJson(text, options);
    case ImportFormat::kVicsJson:
      return ImportVicsJson(text, options);
  }
  return Status::InvalidArgument("unknown import format");
}

Result<ImportResult> ImportFile(ImportFormat format, const std::string& path,
                                const ImportOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Status::NotFound("cannot read " + path + ": no such file");
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + " is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > options.max_document_bytes) {
    return Status::InvalidArgument(path + " has " + std::to_string(st.st_size) +
                                   " bytes, more than the import limit of " +
                                   std::to_string(options.max_document_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (!in && !in.eof()) return Status::IoError("cannot read " + path);
  const std::string text = buffer.str();
  return ImportDocument(format, text, options);
}

}  // namespace vigil::hashbank
