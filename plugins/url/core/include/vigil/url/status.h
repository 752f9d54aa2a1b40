// Status and Result<T>: how every vigil_urlcore function reports bad input.
// Library code never throws on bad input and never exits; it returns one of these.
#ifndef VIGIL_URL_STATUS_H_
#define VIGIL_URL_STATUS_H_

#include <optional>
#include <string>
#include <utility>

namespace vigil::url {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument = 1,  // the caller's input is malformed (a URL, a list line)
  kNotFound = 2,         // a file or key does not exist
  kCorruption = 3,       // a list file is damaged or not a list file
  kIoError = 4,          // the operating system refused a read, write or map
  kUnsupported = 5,      // well-formed but not something this library checks
};

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(StatusCode::kInvalidArgument, std::move(msg));
  }
  static Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) {
    return Status(StatusCode::kCorruption, std::move(msg));
  }
  static Status IoError(std::string msg) { return Status(StatusCode::kIoError, std::move(msg)); }
  static Status Unsupported(std::string msg) {
    return Status(StatusCode::kUnsupported, std::move(msg));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok()
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace vigil::url

#endif  // VIGIL_URL_STATUS_H_
