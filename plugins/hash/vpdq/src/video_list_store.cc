// Writing a bank's video entries as per-frame files, one atomic rename each.
#include "vigil/vpdq/video_list_store.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

namespace vigil::vpdq {
namespace {

namespace fs = std::filesystem;

Status WriteAtomically(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(temp, ec);
      return Status::IoError("cannot write " + temp.string());
    }
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    return Status::IoError("cannot rename into " + path.string() + ": " + ec.message());
  }
  return Status::Ok();
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

StatusOr<VideoListStats> ApplyVideoList(const std::string& dir, const VideoListImport& import,
                                        bool replace) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    return Status::IoError("cannot create the video list folder " + dir);
  }
  std::set<std::string> before;
  for (const auto& file : fs::directory_iterator(dir, ec)) {
    if (file.is_regular_file() && file.path().extension() == ".vpdq") {
      before.insert(file.path().stem().string());
    }
  }
  // The final state by id: the frames' text, or nothing (deleted). Deletions in te-csv
  // follow their rows; a later entry with the same id wins.
  std::map<std::string, std::string> wanted;
  std::set<std::string> deleted;
  for (const VideoEntry& e : import.entries) {
    if (!IsValidVideoEntryId(e.id)) return Status::InvalidArgument("bad entry id " + e.id);
    wanted[e.id] = FormatFrameHashes(e.frames);
  }
  for (const std::string& id : import.deletions) {
    if (!IsValidVideoEntryId(id)) return Status::InvalidArgument("bad entry id " + id);
    wanted.erase(id);
    deleted.insert(id);
  }
  VideoListStats stats;
  for (const auto& [id, text] : wanted) {
    const fs::path path = fs::path(dir) / (id + ".vpdq");
    if (before.count(id)) {
      if (ReadAll(path) == text) {
        ++stats.unchanged;
        continue;
      }
      ++stats.updated;
    } else {
      ++stats.added;
    }
    if (Status s = WriteAtomically(path, text); !s.ok()) return s;
  }
  for (const std::string& id : before) {
    if (wanted.count(id)) continue;
    if (deleted.count(id) || replace) {
      fs::remove(fs::path(dir) / (id + ".vpdq"), ec);
      if (ec) return Status::IoError("cannot remove " + id + ".vpdq: " + ec.message());
      ++stats.deleted;
    } else {
      ++stats.unchanged;
    }
  }
  stats.now = stats.added + stats.updated + stats.unchanged;
  return stats;
}

}  // namespace vigil::vpdq
