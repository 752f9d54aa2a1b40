// Format names and file reading for the importers.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "import_common.h"
#include "import_reader.h"

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

Result<CompactImport> ImportDocumentCompact(ImportFormat format, std::string_view text,
                                            const ImportOptions& options) {
  switch (format) {
    case ImportFormat::kHma:
      return internal::GuardImport("hma", [&]() -> Result<CompactImport> {
        if (Status s = internal::CheckDocumentSize(text, options, "hma"); !s.ok()) return s;
        internal::MemorySource source(text);
        return internal::ImportHmaFrom(source, options);
      });
    case ImportFormat::kTeCsv:
      return internal::GuardImport("te-csv", [&]() -> Result<CompactImport> {
        if (Status s = internal::CheckDocumentSize(text, options, "te-csv"); !s.ok()) return s;
        internal::MemorySource source(text);
        return internal::ImportTeCsvFrom(source, options);
      });
    case ImportFormat::kNcmecXml:
      return internal::ImportNcmecXmlCompact(text, options);
    case ImportFormat::kStopNciiJson:
      return internal::ImportStopNciiJsonCompact(text, options);
    case ImportFormat::kVicsJson:
      return internal::ImportVicsJsonCompact(text, options);
  }
  return Status::InvalidArgument("unknown import format");
}

namespace {

// Opens `path` for reading after checking it is a regular file within the size limit.
Result<int> OpenListFile(const std::string& path, const ImportOptions& options, off_t& size) {
  struct stat before {};
  if (::stat(path.c_str(), &before) != 0)
    return Status::NotFound("cannot read " + path + ": no such file");
  if (!S_ISREG(before.st_mode)) return Status::InvalidArgument(path + " is not a regular file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("cannot read " + path + ": no such file");
    return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + " is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > options.max_document_bytes) {
    ::close(fd);
    return Status::InvalidArgument(path + " has " + std::to_string(st.st_size) +
                                   " bytes, more than the import limit of " +
                                   std::to_string(options.max_document_bytes));
  }
  size = st.st_size;
  return fd;
}

// The whole file, for the formats that parse a whole document.
Result<std::string> ReadWholeFile(const std::string& path, const ImportOptions& options) {
  off_t size = 0;
  Result<int> fd = OpenListFile(path, options, size);
  if (!fd.ok()) return fd.status();
  internal::FileSource source(fd.value(), path);
  std::string text;
  text.reserve(static_cast<size_t>(size));
  char chunk[1 << 16];
  for (;;) {
    Result<size_t> got = source.Read(chunk, sizeof chunk);
    if (!got.ok()) return got.status();
    if (got.value() == 0) break;
    if (text.size() + got.value() > options.max_document_bytes) {
      return Status::InvalidArgument(path + " grew past the import limit of " +
                                     std::to_string(options.max_document_bytes) +
                                     " bytes while being read");
    }
    text.append(chunk, got.value());
  }
  return text;
}

}  // namespace

Result<CompactImport> ImportFileCompact(ImportFormat format, const std::string& path,
                                        const ImportOptions& options) {
  if (format == ImportFormat::kHma || format == ImportFormat::kTeCsv) {  // streamed
    off_t size = 0;
    Result<int> fd = OpenListFile(path, options, size);
    if (!fd.ok()) return fd.status();
    internal::FileSource source(fd.value(), path);
    if (format == ImportFormat::kTeCsv) return internal::ImportTeCsvFrom(source, options);
    return internal::GuardImport("hma", [&] { return internal::ImportHmaFrom(source, options); });
  }
  Result<std::string> text = ReadWholeFile(path, options);
  if (!text.ok()) return text.status();
  return ImportDocumentCompact(format, text.value(), options);
}

Result<ImportResult> ImportFile(ImportFormat format, const std::string& path,
                                const ImportOptions& options) {
  Result<std::string> text = ReadWholeFile(path, options);
  if (!text.ok()) return text.status();
  return ImportDocument(format, text.value(), options);
}

}  // namespace vigil::hashbank
