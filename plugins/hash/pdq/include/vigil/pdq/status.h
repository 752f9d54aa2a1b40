// Status and Result for vigil_pdq. The library is plugin-side (it must build against
// the SDK alone, like a vendor's), so it carries its own two-field error type instead
// of the host's vigil::Status; a wrapper maps kInvalidArgument to VIGIL_ERR_* itself.
#ifndef VIGIL_PDQ_STATUS_H_
#define VIGIL_PDQ_STATUS_H_

#include <optional>
#include <string>
#include <utility>

namespace vigil::pdq {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // the caller's pixels or text are malformed
    kResource,         // the input is larger than this library will allocate for
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return Status(Code::kInvalidArgument, std::move(m));
  }
  static Status Resource(std::string m) { return Status(Code::kResource, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status saying why there is none. REQUIRES: value() only when ok().
template <class T>
class Result {
 public:
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
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

}  // namespace vigil::pdq

#endif  // VIGIL_PDQ_STATUS_H_
