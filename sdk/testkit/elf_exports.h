// Reads the dynamic symbol table of an ELF shared object: which symbols it defines and
// exports. The conformance kit uses it to check that a plugin exports only its entry.
#ifndef VIGIL_TESTKIT_ELF_EXPORTS_H_
#define VIGIL_TESTKIT_ELF_EXPORTS_H_

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::testkit {

// Names of the defined global and weak symbols in .dynsym (what `nm -D --defined-only`
// lists). Refuses files that are not 64-bit little-endian ELF, and any table that points
// outside the file.
StatusOr<std::vector<std::string>> ReadElfExports(const std::filesystem::path& path);
// The same, from bytes already in memory (used by the fuzz target).
StatusOr<std::vector<std::string>> ParseElfExports(const std::string& bytes);

}  // namespace vigil::testkit

#endif  // VIGIL_TESTKIT_ELF_EXPORTS_H_
