// WHATWG URL Standard conformance: urltestdata.json (web-platform-tests), run in
// place from the shared test data. Reports the pass count; every case with a special
// scheme (input or base) must pass, and the overall count may not fall below the
// floor recorded here (raise it when the parser improves).
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "vigil/url/whatwg_url.h"

namespace vigil::url {
namespace {

constexpr int kOverallFloor = 891;  // all of them; a regression fails

nlohmann::json LoadJson(const std::string& name) {
  const std::string path = std::string(VIGIL_TESTDATA) + "/url/" + name;
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "missing shared test data: " << path;
    return nlohmann::json::array();
  }
  return nlohmann::json::parse(in);
}

bool HasSpecialScheme(const std::string& s) {
  for (const char* scheme : {"http:", "https:", "ws:", "wss:", "ftp:", "file:"}) {
    const std::string prefix = scheme;
    if (s.size() >= prefix.size()) {
      bool eq = true;
      for (size_t i = 0; i < prefix.size(); ++i) {
        eq = eq && std::tolower(static_cast<unsigned char>(s[i])) == prefix[i];
      }
      if (eq) return true;
    }
  }
  return false;
}

// Compares one test object; returns an empty string on success, else the mismatch.
std::string RunCase(const nlohmann::json& test) {
  const std::string input = test["input"].get<std::string>();
  std::optional<Url> base;
  if (test.contains("base") && !test["base"].is_null()) {
    auto b = ParseUrl(test["base"].get<std::string>());
    if (!b.ok()) return "base failed to parse: " + b.status().message();
    base = *b;
  }
  auto parsed = ParseUrl(input, base ? &*base : nullptr);
  const bool expect_failure = test.value("failure", false);
  if (expect_failure) {
    return parsed.ok() ? "expected failure, got " + parsed->Href() : "";
  }
  if (!parsed.ok()) return "unexpected failure: " + parsed.status().message();
  const Url& u = *parsed;
  std::string diff;
  auto check = [&](const char* key, const std::string& got) {
    if (test.contains(key) && test[key].get<std::string>() != got) {
      diff +=
          std::string(key) + ": got '" + got + "' want '" + test[key].get<std::string>() + "'; ";
    }
  };
  check("href", u.Href());
  check("protocol", u.Protocol());
  check("username", u.username);
  check("password", u.password);
  check("host", u.Host());
  check("hostname", u.host);
  check("port", u.Port());
  check("pathname", u.Pathname());
  check("search", u.Search());
  check("hash", u.Hash());
  check("origin", u.Origin());
  return diff;
}

TEST(WhatwgConformance, UrlTestData) {
  const nlohmann::json tests = LoadJson("urltestdata.json");
  int total = 0, passed = 0, special_total = 0, special_passed = 0;
  std::vector<std::string> special_failures, other_failures;
  for (const auto& test : tests) {
    if (!test.is_object()) continue;
    ++total;
    const std::string input = test["input"].get<std::string>();
    const std::string base =
        (test.contains("base") && !test["base"].is_null()) ? test["base"].get<std::string>() : "";
    const bool special = HasSpecialScheme(input) || (!base.empty() && HasSpecialScheme(base));
    const std::string diff = RunCase(test);
    if (special) ++special_total;
    if (diff.empty()) {
      ++passed;
      if (special) ++special_passed;
    } else {
      (special ? special_failures : other_failures)
          .push_back("input=" + nlohmann::json(input).dump() +
                     " base=" + nlohmann::json(base).dump() + " -> " + diff);
    }
  }
  std::cout << "[urltestdata] passed " << passed << " / " << total << " (special-scheme "
            << special_passed << " / " << special_total << ")\n";
  for (const auto& f : other_failures) std::cout << "  [non-special failure] " << f << "\n";
  for (const auto& f : special_failures) ADD_FAILURE() << "special-scheme case failed: " << f;
  EXPECT_EQ(total, 891);
  EXPECT_GE(passed, kOverallFloor);
}

}  // namespace
}  // namespace vigil::url
