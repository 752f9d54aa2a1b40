// vigil._vigil: the Python package's native half (issue 17 item 1). Thin
// bindings over the very libraries the CLI and plugins use, so results are
// identical to theirs:
//   PDQ         vigil_decode + vigil_pdq (the vigil.pdq plugin's decode and
//   hash) banks       vigil_hashbank + vigil_bankset (the hash plugins' bank
//   opening and matching) URL lists   vigil_urlcore + vigil_urllists (the
//   vigil.url plugin's canonicalisation) store       host::Store opened
//   read-only + store/store_records.h
// Every error is raised as vigil.Error (or TypeError / ValueError for a wrong
// argument) with the library's one-line message. Long computations release the
// GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "bank_set.h"
#include "store/store.h"
#include "store/store_records.h"
#include "url_lists.h"
#include "vigil/decode/image_decoder.h"
#include "vigil/hashbank/bank.h"
#include "vigil/hashbank/signal.h"
#include "vigil/pdq/pdq.h"
#include "vigil/url/check.h"
#include "vigil/url/safe_browsing.h"

namespace py = pybind11;

namespace {

// vigil.Error, created in the module init.
PyObject* g_error = nullptr;

[[noreturn]] void Raise(const std::string& message) {
  PyErr_SetString(g_error, message.c_str());
  throw py::error_already_set();
}

// (hash hex, quality, the 8 dihedral hashes' hex).
using PdqTuple = std::tuple<std::string, int, std::vector<std::string>>;

PdqTuple HashView(const vigil::pdq::ImageView& view) {
  std::optional<vigil::pdq::Result<vigil::pdq::DihedralHashes>> hashes;
  {
    py::gil_scoped_release release;
    thread_local vigil::pdq::PdqHasher hasher;
    hashes.emplace(hasher.HashDihedral(view));
  }
  if (!hashes->ok()) Raise("pdq: " + hashes->status().message());
  std::vector<std::string> variants;
  for (const auto& h : hashes->value().hashes) variants.push_back(h.ToHex());
  return {variants[0], hashes->value().quality, variants};
}

PdqTuple PdqOfFile(const std::string& path) {
  std::optional<vigil::StatusOr<vigil::decode::DecodedImage>> image;
  {
    py::gil_scoped_release release;
    image.emplace(vigil::decode::DecodeImageFile(path));
  }
  if (!image->ok()) Raise(path + ": " + image->status().message());
  const vigil::decode::DecodedImage& decoded = image->value();
  vigil::pdq::ImageView view;
  view.pixels = decoded.pixel_data();
  view.size_bytes = decoded.pixel_bytes();
  view.width = decoded.width;
  view.height = decoded.height;
  view.stride = decoded.stride;
  view.format = vigil::pdq::PixelFormat::kRgb8;
  return HashView(view);
}

std::string ShapeText(const py::array& array) {
  std::string text = "(";
  for (py::ssize_t i = 0; i < array.ndim(); ++i) {
    if (i) text += ", ";
    text += std::to_string(array.shape(i));
  }
  return text + (array.ndim() == 1 ? ",)" : ")");
}

PdqTuple PdqOfArray(const py::array& array) {
  if (!array.dtype().is(py::dtype::of<uint8_t>())) {
    PyErr_SetString(PyExc_TypeError, ("pdq: the array must have dtype uint8 (8-bit RGB), not " +
                                      std::string(py::str(array.dtype())))
                                         .c_str());
    throw py::error_already_set();
  }
  if (array.ndim() != 3 || array.shape(2) != 3 || array.shape(0) == 0 || array.shape(1) == 0) {
    PyErr_SetString(
        PyExc_ValueError,
        ("pdq: the array must be height x width x 3 (RGB), not shape " + ShapeText(array)).c_str());
    throw py::error_already_set();
  }
  if (array.shape(0) > 30000 || array.shape(1) > 30000) {
    Raise(
        "pdq: the image is larger than 30000 pixels on a side, the decoder's "
        "limit");
  }
  // Rows of packed RGB, as the decoder hands the plugin; a strided view is
  // copied.
  auto packed = py::array_t<uint8_t, py::array::c_style>::ensure(array);
  if (!packed) throw py::error_already_set();
  vigil::pdq::ImageView view;
  view.pixels = packed.data();
  view.width = static_cast<uint32_t>(array.shape(1));
  view.height = static_cast<uint32_t>(array.shape(0));
  view.stride = static_cast<size_t>(view.width) * 3;
  view.size_bytes = view.stride * view.height;
  view.format = vigil::pdq::PixelFormat::kRgb8;
  return HashView(view);
}

py::dict MatchDict(const vigil::hashbank::Match& m, const std::string& signal_type) {
  py::dict d;
  d["bank"] = m.bank;
  d["entry_index"] = m.entry_index;
  // As the hash plugins report it (bank_set.cc): the external id, else the
  // entry's index.
  d["entry_id"] = m.entry.external_id.empty() ? std::to_string(m.entry_index) : m.entry.external_id;
  d["signal_type"] = signal_type;
  d["value"] = m.entry.value.ToHex();
  d["distance"] = m.distance;
  d["variant"] = m.variant;
  d["source"] = m.entry.source;
  d["category"] = m.entry.category;
  d["severity"] = m.entry.severity;
  d["added_unix"] = m.entry.added_unix;
  return d;
}

// vigil.Banks: bank files and lists folders (<folder>/hash-banks/*.bank, with
// the held entries file), matched as the hash plugins match.
class Banks {
 public:
  explicit Banks(const std::vector<std::string>& paths) {
    if (paths.empty()) Raise("Banks: name at least one .bank file or lists folder");
    for (const std::string& path : paths) {
      std::error_code ec;
      if (std::filesystem::is_directory(path, ec)) {
        try {
          sets_.push_back(std::make_unique<vigil::hashdetect::BankSet>(path));
        } catch (const std::exception& e) {
          Raise(e.what());
        }
        continue;
      }
      if (!std::filesystem::exists(path, ec)) Raise(path + ": no such bank file or folder");
      auto bank = vigil::hashbank::Bank::Open(path);
      if (!bank.ok()) Raise(path + ": " + bank.status().message());
      files_.push_back(std::move(bank).value());
    }
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    ForEach([&out](const vigil::hashbank::Bank& b, const vigil::hashdetect::BankSet*) {
      out.push_back(b.name());
    });
    return out;
  }

  size_t size() const {
    size_t n = 0;
    ForEach(
        [&n](const vigil::hashbank::Bank& b, const vigil::hashdetect::BankSet*) { n += b.size(); });
    return n;
  }

  // `hashes`: one PDQ hex value, or up to 8 (an image's dihedral variants).
  py::list MatchPdq(const std::vector<std::string>& hashes, int threshold) const {
    if (hashes.empty() || hashes.size() > vigil::hashbank::kMaxPdqVariants) {
      PyErr_SetString(PyExc_ValueError, "match_pdq: give 1 to 8 PDQ hashes");
      throw py::error_already_set();
    }
    if (threshold < 0 || threshold > 256) {
      PyErr_SetString(PyExc_ValueError, "match_pdq: threshold must be 0..256");
      throw py::error_already_set();
    }
    std::vector<vigil::hashbank::PdqWords> variants;
    for (const std::string& hex : hashes) {
      auto words = vigil::hashbank::ParsePdqHex(hex);
      if (!words.ok()) Raise("match_pdq: '" + hex + "': " + words.status().message());
      variants.push_back(words.value());
    }
    std::vector<vigil::hashbank::Match> found;
    std::string error;
    {
      py::gil_scoped_release release;
      ForEach([&](const vigil::hashbank::Bank& bank, const vigil::hashdetect::BankSet* set) {
        if (!error.empty()) return;
        auto matches = bank.MatchPdq(variants.data(), variants.size(), threshold);
        if (!matches.ok()) {
          error = bank.name() + ": " + matches.status().message();
          return;
        }
        std::vector<vigil::hashbank::Match> got = std::move(matches).value();
        if (set) set->DropDisabled(got);
        found.insert(found.end(), got.begin(), got.end());
      });
    }
    if (!error.empty()) Raise(error);
    py::list out;
    for (const auto& m : found) out.append(MatchDict(m, "pdq"));
    return out;
  }

  // An exact digest: type "md5", "sha1", "sha256" (or "pdq": distance 0).
  py::list MatchExact(const std::string& type, const std::string& hex) const {
    auto signal = vigil::hashbank::ParseSignalType(type);
    if (!signal) {
      PyErr_SetString(PyExc_ValueError,
                      ("match: unknown hash type '" + type + "' (md5, sha1, sha256, pdq)").c_str());
      throw py::error_already_set();
    }
    auto value = vigil::hashbank::ParseHashValue(*signal, hex);
    if (!value.ok()) Raise("match: " + type + " '" + hex + "': " + value.status().message());
    std::vector<vigil::hashbank::Match> found;
    std::string error;
    ForEach([&](const vigil::hashbank::Bank& bank, const vigil::hashdetect::BankSet* set) {
      if (!error.empty()) return;
      auto matches = bank.MatchExact(value.value());
      if (!matches.ok()) {
        error = bank.name() + ": " + matches.status().message();
        return;
      }
      std::vector<vigil::hashbank::Match> got = std::move(matches).value();
      if (set) set->DropDisabled(got);
      found.insert(found.end(), got.begin(), got.end());
    });
    if (!error.empty()) Raise(error);
    py::list out;
    for (const auto& m : found) out.append(MatchDict(m, type));
    return out;
  }

 private:
  template <typename F>
  void ForEach(F&& f) const {
    for (const auto& set : sets_) {
      for (const auto& bank : set->banks()) f(*bank, set.get());
    }
    for (const auto& bank : files_) f(*bank, nullptr);
  }

  std::vector<std::unique_ptr<vigil::hashdetect::BankSet>> sets_;
  std::vector<std::unique_ptr<vigil::hashbank::Bank>> files_;
};

std::string CanonicalizeUrl(const std::string& url) {
  auto canonical = vigil::url::CanonicalizeUrl(url);
  if (!canonical.ok()) Raise("'" + url + "': " + canonical.status().message());
  return canonical.value().Spec();
}

// vigil.UrlLists: .ulist files and lists folders (<folder>/url-lists/*.ulist).
class UrlLists {
 public:
  explicit UrlLists(const std::vector<std::string>& paths) {
    if (paths.empty()) Raise("UrlLists: name at least one .ulist file or lists folder");
    for (const std::string& path : paths) {
      std::error_code ec;
      if (std::filesystem::is_directory(path, ec)) {
        auto opened = vigil::urldetect::OpenLists(path);
        if (!opened.ok()) Raise(opened.status().message());
        for (auto& named : opened.value()) {
          names_.push_back(named.name);
          lists_.push_back(std::make_unique<vigil::url::Blocklist>(std::move(named.list)));
        }
        continue;
      }
      if (!std::filesystem::exists(path, ec)) Raise(path + ": no such URL list or folder");
      auto list = vigil::url::Blocklist::Open(path);
      if (!list.ok()) Raise(path + ": " + list.status().message());
      names_.push_back(std::filesystem::path(path).stem().string());
      lists_.push_back(std::make_unique<vigil::url::Blocklist>(std::move(list).value()));
    }
    std::vector<const vigil::url::Blocklist*> raw;
    for (const auto& l : lists_) raw.push_back(l.get());
    checker_ = std::make_unique<vigil::url::UrlChecker>(std::move(raw));
  }

  const std::vector<std::string>& names() const { return names_; }

  py::list Check(const std::string& url) {
    vigil::url::CheckReport report = checker_->CheckToReport(url);
    if (!report.status.ok()) Raise("'" + url + "': " + report.status.message());
    py::list out;
    for (const auto& hit : report.hits) {
      py::dict d;
      d["list"] = names_[hit.list_index];
      d["canonical_url"] = report.canonical_url;
      d["expression"] = hit.expression;
      d["kind"] = vigil::url::EntryKindName(hit.kind);
      d["severity"] = hit.severity;
      d["source"] = hit.source;
      d["category"] = hit.category;
      d["date_added"] = hit.date_added;
      d["entry_id"] = hit.entry_id;
      out.append(std::move(d));
    }
    return out;
  }

 private:
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<vigil::url::Blocklist>> lists_;
  std::unique_ptr<vigil::url::UrlChecker> checker_;
};

// vigil.Store: a workstation store (SQLite file) opened read-only: nothing is
// written, migrated or restored.
class StoreReader {
 public:
  explicit StoreReader(const std::string& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) Raise(path + ": no such store");
    if (path.rfind("postgres", 0) == 0) Raise("vigil.Store reads a SQLite store file only");
    auto opened = vigil::host::Store::Open(path, vigil::host::OpenMode::kReadOnly);
    if (!opened.ok()) Raise(opened.status().message());
    store_ = std::move(opened).value();
  }

  py::list Records(vigil::host::RecordTable table) {
    auto records = vigil::host::ReadRecords(store_->db(), table);
    if (!records.ok()) Raise(path_ + ": " + records.status().message());
    py::list out;
    for (const vigil::host::Record& record : records.value()) {
      py::dict d;
      for (const auto& [column, value] : record) {
        if (const auto* i = std::get_if<int64_t>(&value)) {
          d[column.c_str()] = *i;
        } else if (const auto* f = std::get_if<double>(&value)) {
          d[column.c_str()] = *f;
        } else if (const auto* s = std::get_if<std::string>(&value)) {
          d[column.c_str()] = py::str(*s);
        } else {
          d[column.c_str()] = py::none();
        }
      }
      out.append(std::move(d));
    }
    return out;
  }

  int schema_version() const { return store_->schema_version(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::unique_ptr<vigil::host::Store> store_;
};

}  // namespace

PYBIND11_MODULE(_vigil, m) {
  m.doc() =
      "Native part of the vigil package: PDQ, hash banks, URL lists and "
      "store records";
  g_error = PyErr_NewExceptionWithDoc(
      "vigil.Error", "A Vigil library error; the message is one line.", PyExc_Exception, nullptr);
  m.attr("Error") = py::handle(g_error);

  m.def("pdq_file", &PdqOfFile, py::arg("path"),
        "(hash, quality, dihedral hashes) of an image file, decoded as `vigil "
        "scan` decodes");
  m.def("pdq_array", &PdqOfArray, py::arg("pixels"),
        "(hash, quality, dihedral hashes) of a height x width x 3 uint8 RGB "
        "array");
  m.def("canonicalize_url", &CanonicalizeUrl, py::arg("url"),
        "The Safe Browsing canonical form of a URL, as the vigil.url detector "
        "computes it");

  py::class_<Banks>(m, "Banks")
      .def(py::init<const std::vector<std::string>&>(), py::arg("paths"))
      .def("names", &Banks::names)
      .def("__len__", &Banks::size)
      .def("match_pdq", &Banks::MatchPdq, py::arg("hashes"),
           py::arg("threshold") = vigil::hashbank::kDefaultPdqThreshold)
      .def("match_exact", &Banks::MatchExact, py::arg("type"), py::arg("value"));

  py::class_<UrlLists>(m, "UrlLists")
      .def(py::init<const std::vector<std::string>&>(), py::arg("paths"))
      .def("names", &UrlLists::names)
      .def("check", &UrlLists::Check, py::arg("url"));

  py::enum_<vigil::host::RecordTable>(m, "RecordTable")
      .value("items", vigil::host::RecordTable::kItems)
      .value("detections", vigil::host::RecordTable::kDetections)
      .value("decisions", vigil::host::RecordTable::kDecisions)
      .value("reveals", vigil::host::RecordTable::kReveals);

  py::class_<StoreReader>(m, "Store")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def("records", &StoreReader::Records, py::arg("table"))
      .def_property_readonly("schema_version", &StoreReader::schema_version)
      .def_property_readonly("path", &StoreReader::path);
}
