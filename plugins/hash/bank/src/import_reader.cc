#include "import_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vigil::hashbank::internal {

Result<size_t> MemorySource::Read(char* out, size_t n) {
  const size_t count = std::min(n, text_.size() - pos_);
  if (count > 0) std::memcpy(out, text_.data() + pos_, count);
  pos_ += count;
  return count;
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> FileSource::Read(char* out, size_t n) {
  for (;;) {
    const ssize_t got = ::read(fd_, out, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno == EINTR) continue;
    return Status::IoError("cannot read " + path_ + ": " + std::strerror(errno));
  }
}

LineReader::LineReader(ByteSource& source, size_t chunk_bytes, size_t max_line)
    : source_(source), chunk_(std::max<size_t>(chunk_bytes, 1)), max_line_(max_line) {}

bool LineReader::Fill() {
  if (eof_) return false;
  // Keep the unread tail, then read one chunk after it. The buffer never holds more than one line's
  // worth of unread bytes (at most max_line_, checked by Next) plus one chunk.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buffer_.size() < end_ + chunk_) buffer_.resize(end_ + chunk_);
  Result<size_t> got = source_.Read(buffer_.data() + end_, chunk_);
  if (!got.ok()) {
    status_ = got.status();
    eof_ = true;
    return false;
  }
  if (got.value() == 0) {
    eof_ = true;
    return false;
  }
  end_ += got.value();
  return true;
}

bool LineReader::Next(std::string_view& line, size_t& line_no, bool& too_long) {
  too_long = false;
  size_t scanned = 0;  // bytes of [begin_, end_) known to hold no newline
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const void* nl = end_ - begin_ > scanned
                         ? std::memchr(start + scanned, '\n', end_ - begin_ - scanned)
                         : nullptr;
    if (nl != nullptr) {
      const size_t length = static_cast<size_t>(static_cast<const char*>(nl) - start);
      line_no = ++line_no_;
      if (length > max_line_) {
        too_long = true;
        line = {};
      } else {
        line = std::string_view(start, length);
      }
      begin_ += length + 1;
      return true;
    }
    scanned = end_ - begin_;
    if (scanned > max_line_) {
      // Too long: drop what is buffered and skip to the end of the line without keeping it.
      line_no = ++line_no_;
      too_long = true;
      line = {};
      begin_ = end_ = 0;
      for (;;) {
        if (!Fill()) return status_.ok();
        const void* end_nl = std::memchr(buffer_.data(), '\n', end_);
        if (end_nl != nullptr) {
          begin_ = static_cast<size_t>(static_cast<const char*>(end_nl) - buffer_.data()) + 1;
          return true;
        }
        begin_ = end_ = 0;
      }
    }
    if (!Fill()) {
      if (!status_.ok()) return false;
      if (begin_ == end_) return false;
      // The last line, without a final newline.
      line_no = ++line_no_;
      line = std::string_view(buffer_.data() + begin_, end_ - begin_);
      begin_ = end_;
      return true;
    }
  }
}

bool CharReader::Fill() {
  if (eof_) return false;
  Result<size_t> got = source_.Read(buffer_.data(), buffer_.size());
  if (!got.ok()) status_ = got.status();
  if (!got.ok() || got.value() == 0) {
    eof_ = true;
    return false;
  }
  pos_ = 0;
  end_ = got.value();
  return true;
}

}  // namespace vigil::hashbank::internal
