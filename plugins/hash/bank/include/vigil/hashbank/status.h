// Status and Result<T>: how every hashbank function reports failure.
//
// Rationale: library code never throws across its public surface, never exits and never
// returns a bare bool. A Status carries a code that says whose fault it is and a message a
// person can act on ("line 12: pdq value has 63 hex digits, expected 64").
#ifndef VIGIL_HASHBANK_STATUS_H_
#define VIGIL_HASHBANK_STATUS_H_

#include <optional>
#include <string>
#include <utility>

namespace vigil::hashbank {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller passed something malformed (bad hex, bad option)
  kCorruption,       // a bank file or import document is damaged or hostile
  kNotFound,         // a file that must exist does not
  kIoError,          // the operating system refused (open, write, rename, mmap)
  kUnsupported,      // well-formed input this build does not handle
};

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status IoError(std::string msg) { return {StatusCode::kIoError, std::move(msg)}; }
  static Status Unsupported(std::string msg) { return {StatusCode::kUnsupported, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-ok Status. REQUIRES: ok() before value().
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace vigil::hashbank

#endif  // VIGIL_HASHBANK_STATUS_H_
