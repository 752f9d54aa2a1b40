// Streaming input for the importers (internal): a file or an in-memory document read in chunks of
// ImportOptions::read_chunk_bytes, and a line reader over it that keeps at most one chunk plus one
// line (bounded by ImportOptions::max_record_bytes) in memory.
#ifndef VIGIL_HASHBANK_SRC_IMPORT_READER_H_
#define VIGIL_HASHBANK_SRC_IMPORT_READER_H_

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/hashbank/status.h"

namespace vigil::hashbank::internal {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to `n` bytes into `out`; 0 at the end of the input. A read error is returned as a status and
  // ends the input.
  virtual Result<size_t> Read(char* out, size_t n) = 0;
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string_view text) : text_(text) {}
  Result<size_t> Read(char* out, size_t n) override;

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Reads an open file descriptor (owned: closed in the destructor).
class FileSource : public ByteSource {
 public:
  FileSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  Result<size_t> Read(char* out, size_t n) override;

 private:
  int fd_;
  std::string path_;
};

// Lines ('\n'-terminated; the last may lack it) with their 1-based numbers. A line longer than
// `max_line` bytes is not buffered: Next() returns it with `too_long` set and an empty text, after
// skipping the rest of it.
class LineReader {
 public:
  LineReader(ByteSource& source, size_t chunk_bytes, size_t max_line);

  // False at the end of the input or after a read error (see status()).
  bool Next(std::string_view& line, size_t& line_no, bool& too_long);
  const Status& status() const { return status_; }
  size_t max_line() const { return max_line_; }
  // Bytes the reader has allocated (at most about max_line + 2 chunks), for tests.
  size_t buffered_capacity() const { return buffer_.capacity(); }

 private:
  bool Fill();  // reads one more chunk at the end of the buffer; false at the end
  ByteSource& source_;
  size_t chunk_;
  size_t max_line_;
  std::vector<char> buffer_;
  size_t begin_ = 0, end_ = 0;  // unread bytes are buffer_[begin_, end_)
  size_t line_no_ = 0;
  bool eof_ = false;
  Status status_ = Status::Ok();
};

// Bytes one at a time with one byte of lookahead, read in chunks (the CSV reader: its records
// may span lines). Holds one chunk.
class CharReader {
 public:
  CharReader(ByteSource& source, size_t chunk_bytes)
      : source_(source), buffer_(std::max<size_t>(chunk_bytes, 1)) {}
  // False at the end of the input or after a read error (see status()).
  bool Get(char& c) {
    if (pos_ == end_ && !Fill()) return false;
    c = buffer_[pos_++];
    return true;
  }
  bool Peek(char& c) {
    if (pos_ == end_ && !Fill()) return false;
    c = buffer_[pos_];
    return true;
  }
  const Status& status() const { return status_; }

 private:
  bool Fill();
  ByteSource& source_;
  std::vector<char> buffer_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  Status status_ = Status::Ok();
};

}  // namespace vigil::hashbank::internal

#endif  // VIGIL_HASHBANK_SRC_IMPORT_READER_H_
