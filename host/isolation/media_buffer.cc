#include "isolation/media_buffer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vigil::isolation {
namespace {

constexpr size_t kGranule = 1u << 20;  // grow in whole MiB so sizes settle quickly

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

StatusOr<SealedMemfd> CreateSealedMemfd(size_t capacity, const char* name) {
  SealedMemfd out;
  out.fd.reset(::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!out.fd.valid()) return Status::IoError(Errno("memfd_create"));
  if (::ftruncate(out.fd.get(), static_cast<off_t>(capacity)) != 0) {
    return Status::Resource(Errno("cannot size the item memfd"));
  }
  void* data = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, out.fd.get(), 0);
  if (data == MAP_FAILED) return Status::Resource(Errno("cannot map the item memfd"));
  // The host's mapping exists before the seal, so only it can write from now on.
  if (::fcntl(out.fd.get(), F_ADD_SEALS,
              F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) != 0) {
    ::munmap(data, capacity);
    return Status::IoError(Errno("cannot seal the item memfd"));
  }
  out.data = static_cast<uint8_t*>(data);
  return out;
}

MediaBuffer::~MediaBuffer() { Unmap(); }

void MediaBuffer::Unmap() {
  if (data_ != nullptr) ::munmap(data_, capacity_);
  data_ = nullptr;
  capacity_ = 0;
}

Status MediaBuffer::Reserve(size_t size) {
  if (size <= capacity_) return Status::Ok();
  const size_t capacity = (size + kGranule - 1) / kGranule * kGranule;
  auto created = CreateSealedMemfd(capacity, "vigil-item");
  if (!created.ok()) return created.status();
  Unmap();
  fd_ = std::move(created.value().fd);
  data_ = created.value().data;
  capacity_ = capacity;
  return Status::Ok();
}

}  // namespace vigil::isolation
