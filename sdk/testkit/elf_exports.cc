#include "elf_exports.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace vigil::testkit {
namespace {

// Copies a T from bytes[offset..] when it fits entirely.
template <class T>
bool ReadAt(const std::string& bytes, uint64_t offset, T* out) {
  if (offset > bytes.size() || sizeof(T) > bytes.size() - offset) return false;
  std::memcpy(out, bytes.data() + offset, sizeof(T));
  return true;
}

}  // namespace

StatusOr<std::vector<std::string>> ParseElfExports(const std::string& bytes) {
  Elf64_Ehdr header;
  if (!ReadAt(bytes, 0, &header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    return Status::InvalidArgument("not an ELF file");
  }
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB) {
    return Status::InvalidArgument("not a 64-bit little-endian ELF file");
  }
  if (header.e_shentsize != sizeof(Elf64_Shdr)) {
    return Status::Corruption("unexpected ELF section header size");
  }
  std::vector<Elf64_Shdr> sections(header.e_shnum);
  for (uint16_t i = 0; i < header.e_shnum; ++i) {
    if (!ReadAt(bytes, header.e_shoff + uint64_t{i} * sizeof(Elf64_Shdr), &sections[i])) {
      return Status::Corruption("ELF section header " + std::to_string(i) + " is outside the file");
    }
  }
  std::vector<std::string> names;
  bool found = false;
  for (const Elf64_Shdr& section : sections) {
    if (section.sh_type != SHT_DYNSYM) continue;
    found = true;
    if (section.sh_link >= sections.size()) return Status::Corruption("bad .dynsym string table");
    const Elf64_Shdr& strtab = sections[section.sh_link];
    if (strtab.sh_offset > bytes.size() || strtab.sh_size > bytes.size() - strtab.sh_offset) {
      return Status::Corruption(".dynstr is outside the file");
    }
    if (section.sh_entsize != sizeof(Elf64_Sym)) return Status::Corruption("bad .dynsym entry size");
    const uint64_t count = section.sh_size / sizeof(Elf64_Sym);
    for (uint64_t i = 1; i < count; ++i) {  // entry 0 is the undefined symbol
      Elf64_Sym symbol;
      if (!ReadAt(bytes, section.sh_offset + i * sizeof(Elf64_Sym), &symbol)) {
        return Status::Corruption(".dynsym entry " + std::to_string(i) + " is outside the file");
      }
      const unsigned binding = ELF64_ST_BIND(symbol.st_info);
      if (symbol.st_shndx == SHN_UNDEF || (binding != STB_GLOBAL && binding != STB_WEAK)) continue;
      if (symbol.st_name >= strtab.sh_size) return Status::Corruption("symbol name outside .dynstr");
      const char* start = bytes.data() + strtab.sh_offset + symbol.st_name;
      const size_t max = strtab.sh_size - symbol.st_name;
      names.emplace_back(start, strnlen(start, max));
    }
  }
  if (!found) return Status::InvalidArgument("no dynamic symbol table (not a shared library?)");
  return names;
}

StatusOr<std::vector<std::string>> ReadElfExports(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path.string());
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseElfExports(bytes);
}

}  // namespace vigil::testkit
