#include "service/spool_sink.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace vigil::service {
namespace {

constexpr char kMagic[] = "VIGILSUB1\n";

Status WriteAllFd(int fd, const char* data, size_t size, const std::string& what) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError("writing " + what + ": " + std::strerror(errno));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status SyncDir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("opening " + dir.string() + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::IoError("syncing " + dir.string() + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

std::string NewSubmissionId() {
  unsigned char random[16];
  if (RAND_bytes(random, sizeof random) != 1) return "";
  std::string id = "sub-";
  char hex[3];
  for (unsigned char b : random) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    id += hex;
  }
  return id;
}

bool IsSubmissionId(const std::string& id) {
  if (id.size() != 36 || id.rfind("sub-", 0) != 0) return false;
  return std::all_of(id.begin() + 4, id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

StatusOr<std::unique_ptr<SpoolSink>> SpoolSink::Open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Status::IoError("cannot make the spool folder " + dir.string() + ": " + ec.message());
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".part") std::filesystem::remove(entry.path(), ec);
  }
  if (ec)
    return Status::IoError("cannot read the spool folder " + dir.string() + ": " + ec.message());
  return std::unique_ptr<SpoolSink>(new SpoolSink(dir));
}

Status SpoolSink::Submit(const Submission& s) {
  if (!IsSubmissionId(s.id)) return Status::InvalidArgument("bad submission id '" + s.id + "'");
  nlohmann::json meta{{"id", s.id},
                      {"name", s.name},
                      {"content_type", s.content_type},
                      {"url", s.url},
                      {"uploader_id", s.uploader_id},
                      {"source", s.source},
                      {"received_unix_ms", s.received_unix_ms},
                      {"attributes", s.attributes},
                      {"size", s.bytes.size()}};
  std::string head = std::string(kMagic) +
                     meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const std::filesystem::path part = dir_ / (s.id + ".part");
  const std::filesystem::path done = dir_ / (s.id + ".sub");
  int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("spooling " + s.id + ": " + std::strerror(errno));
  Status st = WriteAllFd(fd, head.data(), head.size(), part.string());
  if (st.ok()) st = WriteAllFd(fd, s.bytes.data(), s.bytes.size(), part.string());
  if (st.ok() && ::fsync(fd) != 0)
    st = Status::IoError("syncing " + part.string() + ": " + std::strerror(errno));
  ::close(fd);
  if (st.ok() && ::rename(part.c_str(), done.c_str()) != 0) {
    st = Status::IoError("renaming " + part.string() + ": " + std::strerror(errno));
  }
  if (st.ok()) st = SyncDir(dir_);
  if (!st.ok()) {
    std::error_code ignored;
    std::filesystem::remove(part, ignored);
    return st;
  }
  {
    std::lock_guard<std::mutex> lock(work_mutex_);
    ++submitted_;
  }
  work_cv_.notify_one();
  return st;
}

bool SpoolSink::WaitForWork(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(work_mutex_);
  const bool woken =
      work_cv_.wait_for(lock, timeout, [this] { return submitted_ != waited_upto_; });
  waited_upto_ = submitted_;
  return woken;
}

Status SpoolSink::Remove(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::remove(file, ec);
  if (ec) return Status::IoError("cannot remove " + file.string() + ": " + ec.message());
  return Status::Ok();
}

Status SpoolSink::SetAside(const std::filesystem::path& file) {
  const std::filesystem::path damaged =
      dir_.parent_path() / (dir_.filename().string() + "-damaged");
  std::error_code ec;
  std::filesystem::create_directories(damaged, ec);
  if (!ec) std::filesystem::rename(file, damaged / file.filename(), ec);
  if (ec) {
    return Status::IoError("cannot move " + file.string() + " to " + damaged.string() + ": " +
                           ec.message());
  }
  return Status::Ok();
}

std::vector<std::filesystem::path> SpoolSink::Pending() const {
  std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".sub") continue;
    found.emplace_back(entry.last_write_time(ec), entry.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<std::filesystem::path> files;
  for (auto& f : found) files.push_back(std::move(f.second));
  return files;
}

bool SpoolSink::IsPending(const std::string& id) const {
  std::error_code ec;
  return IsSubmissionId(id) && std::filesystem::exists(dir_ / (id + ".sub"), ec);
}

StatusOr<Submission> SpoolSink::Read(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + file.string());
  std::string magic(sizeof kMagic - 1, '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  if (!in || magic != kMagic)
    return Status::Corruption(file.string() + ": not a spooled submission");
  std::string line;
  if (!std::getline(in, line)) return Status::Corruption(file.string() + ": no metadata line");
  nlohmann::json meta = nlohmann::json::parse(line, nullptr, false);
  if (meta.is_discarded() || !meta.is_object()) {
    return Status::Corruption(file.string() + ": metadata is not JSON");
  }
  Submission s;
  try {
    s.id = meta.at("id").get<std::string>();
    s.name = meta.value("name", "");
    s.content_type = meta.value("content_type", "");
    s.url = meta.value("url", "");
    s.uploader_id = meta.value("uploader_id", "");
    s.source = meta.value("source", "");
    s.received_unix_ms = meta.value("received_unix_ms", int64_t{0});
    s.attributes = meta.value("attributes", std::map<std::string, std::string>{});
    const uint64_t size = meta.at("size").get<uint64_t>();
    std::ostringstream rest;
    rest << in.rdbuf();
    s.bytes = rest.str();
    if (s.bytes.size() != size) {
      return Status::Corruption(file.string() + ": " + std::to_string(s.bytes.size()) +
                                " bytes, the metadata says " + std::to_string(size));
    }
  } catch (const std::exception& e) {
    return Status::Corruption(file.string() + ": " + e.what());
  }
  if (!IsSubmissionId(s.id)) return Status::Corruption(file.string() + ": bad id");
  return s;
}

}  // namespace vigil::service
