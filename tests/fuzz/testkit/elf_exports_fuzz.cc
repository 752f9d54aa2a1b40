// libFuzzer target: the ELF export reader of the conformance kit on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "elf_exports.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)vigil::testkit::ParseElfExports(bytes);
  return 0;
}
