// The detector canonicalises with a lenient Safe Browsing splitter; a browser loads
// what the WHATWG parser makes of the same string. For every special-scheme WPT input
// a browser accepts, both routes must reach the same lookup expression, otherwise an
// attacker could write a URL that a browser loads and the list check reads otherwise.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "vigil/url/safe_browsing.h"
#include "vigil/url/whatwg_url.h"

namespace vigil::url {
namespace {

TEST(BrowserConsistency, SafeBrowsingAgreesWithWhatwgOnWptInputs) {
  const std::string path = std::string(VIGIL_TESTDATA) + "/url/urltestdata.json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing shared test data: " << path;
  const nlohmann::json tests = nlohmann::json::parse(in);
  int compared = 0, agreed = 0;
  for (const auto& t : tests) {
    if (!t.is_object() || t.value("failure", false)) continue;
    if (t.contains("base") && !t["base"].is_null()) continue;
    const std::string input = t["input"].get<std::string>();
    auto browser = ParseUrl(input);
    if (!browser.ok()) continue;
    const std::string& scheme = browser->scheme;
    if (scheme != "http" && scheme != "https" && scheme != "ws" && scheme != "wss" &&
        scheme != "ftp") {
      continue;
    }
    ++compared;
    auto from_browser = CanonicalizeUrl(browser->Href());
    auto from_raw = CanonicalizeUrl(input);
    const std::string a = from_browser.ok() ? from_browser->Expression()
                                            : "<" + from_browser.status().message() + ">";
    const std::string b =
        from_raw.ok() ? from_raw->Expression() : "<" + from_raw.status().message() + ">";
    if (a == b) {
      ++agreed;
    } else {
      ADD_FAILURE() << "input " << nlohmann::json(input).dump() << ": via browser " << a << ", raw "
                    << b;
    }
  }
  std::cout << "[browser-consistency] " << agreed << " / " << compared
            << " special-scheme WPT inputs reach the same expression\n";
  EXPECT_GT(compared, 100);
}

}  // namespace
}  // namespace vigil::url
