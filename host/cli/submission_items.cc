#include "cli/submission_items.h"

#include <fcntl.h>
#include <unistd.h>

#include "scan/sha256.h"

namespace vigil::cli {
namespace {

// Writes bytes to a new file (0600, never an existing one).
Status WriteNewFile(const std::string& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot create " + path);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(path.c_str());
      return Status::IoError("cannot write " + path + " (disk full?)");
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace

std::string SafeFileName(const std::string& name) {
  std::string base = std::filesystem::path(name).filename().string();
  std::string out;
  for (char c : base) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    out += ok ? c : '_';
    if (out.size() >= 96) break;
  }
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  return out;
}

StatusOr<host::IntakeItem> IntakeItemOf(const service::Submission& s,
                                        const std::filesystem::path& dir,
                                        std::filesystem::path* file) {
  file->clear();
  host::IntakeItem item;
  item.url = s.url;
  item.source = s.source.empty() ? "api" : s.source;
  item.uploader_id = s.uploader_id;
  item.received_unix_ms = s.received_unix_ms;
  item.attributes = s.attributes;
  item.content_type = s.content_type;
  item.submission_id = s.id;
  if (!s.bytes.empty() || s.url.empty()) {
    const std::string name = SafeFileName(s.name);
    std::filesystem::path path = dir / (s.id + (name.empty() ? "" : "-" + name));
    if (Status written = WriteNewFile(path.string(), s.bytes); !written.ok()) return written;
    *file = path;
    item.path = path.string();
  }
  return item;
}

host::SubmissionRecord SubmissionRecordOf(const std::string& id,
                                          const service::Submission* submission) {
  host::SubmissionRecord record;
  record.id = id;
  if (submission != nullptr) {
    record.name = submission->name;
    record.content_type = submission->content_type;
    record.url = submission->url;
    record.uploader_id = submission->uploader_id;
    record.source = submission->source;
    record.size = static_cast<int64_t>(submission->bytes.size());
    if (!submission->bytes.empty()) record.sha256 = host::Sha256Hex(submission->bytes);
  }
  return record;
}

}  // namespace vigil::cli
