// Intake (lists, manifests) and the policy (strict parsing, outcomes).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "intake/intake.h"
#include "policy/policy.h"

namespace vigil::host {
namespace {

using ::testing::HasSubstr;

TEST(IntakeTest, ListMixesPathsAndUrlsAndSkipsComments) {
  std::istringstream in("# a comment\nhttp://example.com/a\n\n/nonexistent/file.jpg\r\n");
  auto items = ItemsFromList(in);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].url, "http://example.com/a");
  EXPECT_TRUE(items[0].path.empty());
  EXPECT_EQ(items[1].path, "/nonexistent/file.jpg");
  EXPECT_EQ(items[1].error.code(), Status::Code::kNotFound);
}

TEST(IntakeTest, ManifestCarriesMetadataAndNamesBadLines) {
  std::istringstream in(
      R"({"path": "/x/a.jpg", "source": "upload", "uploader_id": "u1", "received": "2026-11-29T10:00:00Z", "attributes": {"k": "v", "n": 3}})"
      "\n"
      R"({"url": "https://example.com/p"})"
      "\nnot json\n"
      R"({"source": "upload"})"
      "\n"
      R"({"path": 42})"
      "\n");
  auto items = ItemsFromManifest(in, "m.jsonl");
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0].source, "upload");
  EXPECT_EQ(items[0].uploader_id, "u1");
  EXPECT_EQ(items[0].received_unix_ms, 1795946400000);
  EXPECT_EQ(items[0].attributes["k"], "v");
  EXPECT_EQ(items[0].attributes["n"], "3");
  EXPECT_TRUE(items[0].error.ok());
  EXPECT_EQ(items[1].url, "https://example.com/p");
  EXPECT_THAT(items[2].error.message(), HasSubstr("m.jsonl:3: not a JSON object"));
  EXPECT_THAT(items[3].error.message(), HasSubstr("m.jsonl:4: needs a \"path\" or a \"url\""));
  EXPECT_THAT(items[4].error.message(), HasSubstr("m.jsonl:5"));
}

TEST(IntakeTest, UrlDetection) {
  EXPECT_TRUE(LooksLikeUrl("https://example.com"));
  EXPECT_TRUE(LooksLikeUrl("ftp://x"));
  EXPECT_FALSE(LooksLikeUrl("/tmp/a://b"));
  EXPECT_FALSE(LooksLikeUrl("://x"));
  EXPECT_FALSE(LooksLikeUrl("photo.jpg"));
}

ItemRecord WithDetection(const std::string& detector, const std::string& label, int severity,
                         double score, const std::string& category) {
  ItemRecord record;
  record.sha256 = "x";
  DetectorRun run;
  run.detector = detector;
  auto* d = run.result.add_detections();
  d->set_label(label);
  d->set_severity(static_cast<vigil::v1::Severity>(severity));
  d->set_score(score);
  if (!category.empty()) d->mutable_match()->set_category(category);
  record.runs.push_back(run);
  return record;
}

// The first-party detectors of a default installation.
const std::set<std::string> kFirstParty = {"vigil.pdq", "vigil.exact", "vigil.url",
                                           "vigil.classifier"};

TEST(PolicyTest, DefaultPolicyParsesAndDecides) {
  auto policy = Policy::Parse(kDefaultPolicyToml, "default");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  Policy p = policy.value();
  EXPECT_EQ(p.Decide(ItemRecord(), kFirstParty).disposition, Disposition::kClear);

  Outcome severe = p.Decide(WithDetection("vigil.pdq", "hash-match", 5, 1.0, "A1"), kFirstParty);
  EXPECT_EQ(severe.disposition, Disposition::kAutoAction);
  EXPECT_EQ(severe.category, "A1");
  EXPECT_EQ(severe.obscure_level, 7);

  Outcome b2 = p.Decide(WithDetection("vigil.exact", "hash-match", 4, 1.0, "B2"), kFirstParty);
  EXPECT_EQ(b2.disposition, Disposition::kReview);
  EXPECT_EQ(b2.priority, 500);

  Outcome url = p.Decide(WithDetection("vigil.url", "url-listed", 4, 1.0, ""), kFirstParty);
  EXPECT_EQ(url.disposition, Disposition::kReview);
  EXPECT_EQ(url.priority, 300);
}

TEST(PolicyTest, FailedDetectorIsNeverClear) {
  Policy p = Policy::Default();
  ItemRecord record;
  record.sha256 = "x";
  DetectorRun run;
  run.detector = "acme.x";
  run.status = Status::PluginError("boom");
  record.runs.push_back(run);
  Outcome o = p.Decide(record, kFirstParty);
  EXPECT_EQ(o.disposition, Disposition::kFailed);
  EXPECT_EQ(o.priority, 50);
  EXPECT_THAT(o.reason, HasSubstr("boom"));
  // ...but a known severe match still acts automatically.
  record.runs.push_back(WithDetection("vigil.pdq", "hash-match", 5, 1, "A2").runs[0]);
  EXPECT_EQ(p.Decide(record, kFirstParty).disposition, Disposition::kAutoAction);
}

TEST(PolicyTest, StrongestOutcomeWinsAndFirstRuleMatches) {
  auto policy = Policy::Parse(R"(
[defaults]
unmatched = "clear"
[[rules]]
name = "first"
labels = ["x"]
outcome = "review"
priority = 7
[[rules]]
name = "second"
detectors = ["d"]
labels = ["x"]
outcome = "auto-action"
)",
                              "test");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  Outcome o = policy.value().Decide(WithDetection("d", "x", 3, 1, ""), {"d"});
  EXPECT_EQ(o.disposition, Disposition::kReview);
  EXPECT_EQ(o.rule, "first");
  EXPECT_EQ(o.priority, 7);
  EXPECT_EQ(policy.value().Decide(WithDetection("d", "other", 3, 1, ""), {"d"}).disposition,
            Disposition::kClear);
}

TEST(PolicyTest, RefusesTyposAndBadValuesWithTheirLine) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"[[rules]]\nname = \"a\"\noutcome = \"review\"\nlabel = [\"x\"]\n", "test:4:"},
      {"[[rules]]\nname = \"a\"\noutcome = \"review\"\nlabel = [\"x\"]\n", "unknown key 'label'"},
      {"[[rules]]\nname = \"a\"\noutcome = \"delete\"\n", "unknown outcome 'delete'"},
      {"[[rules]]\nname = \"a\"\noutcome = \"review\"\nobscure_level = 9\n", "from 0 to 7"},
      {"[[rules]]\nname = \"a\"\noutcome = \"review\"\nmin_severity = \"huge\"\n", "unknown severity"},
      {"[[rules]]\nname = \"a\"\noutcome = \"review\"\nlabels = \"x\"\n", "must be a list of strings"},
      {"[[rules]]\noutcome = \"review\"\n", "needs 'name' and 'outcome'"},
      {"[defaults]\nunmatched = \"maybe\"\n", "unknown outcome 'maybe'"},
      {"this is = = not toml", "test:1"},
      {"[surprise]\n", "unknown key 'surprise'"},
  };
  for (const auto& c : cases) {
    auto policy = Policy::Parse(c.text, "test");
    ASSERT_FALSE(policy.ok()) << c.text;
    EXPECT_THAT(policy.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(PolicyTest, RulesThatSkipReviewMustNameTheDetectorsTheyTrust) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"[[rules]]\nname = \"act\"\nlabels = [\"hash-match\"]\noutcome = \"auto-action\"\n",
       "test:1:1: rule 'act' has outcome 'auto-action', which skips human review, so it must "
       "name the detectors it trusts"},
      {"[[rules]]\nname = \"quiet\"\nlabels = [\"benign\"]\noutcome = \"clear\"\n",
       "rule 'quiet' has outcome 'clear'"},
      {"[[rules]]\nname = \"act\"\ndetectors = []\noutcome = \"auto-action\"\n",
       "must name the detectors it trusts"},
      {"[defaults]\nunmatched = \"auto-action\"\n", "cannot be 'auto-action'"},
  };
  for (const auto& c : cases) {
    auto policy = Policy::Parse(c.text, "test");
    ASSERT_FALSE(policy.ok()) << c.text;
    EXPECT_THAT(policy.status().message(), HasSubstr(c.message)) << c.text;
  }
  // The same rules naming their detectors load; review rules need not name any.
  EXPECT_TRUE(Policy::Parse("[[rules]]\nname = \"act\"\ndetectors = [\"vigil.pdq\"]\n"
                            "outcome = \"auto-action\"\n[[rules]]\nname = \"look\"\n"
                            "outcome = \"review\"\n",
                            "test")
                  .ok());
  // The shipped policy trusts exactly the first-party hash matchers to act.
  auto shipped = Policy::Parse(kDefaultPolicyToml, "default");
  ASSERT_TRUE(shipped.ok()) << shipped.status().message();
  ASSERT_FALSE(shipped.value().rules().empty());
  const PolicyRule act = shipped.value().rules().front();
  EXPECT_EQ(act.outcome, Disposition::kAutoAction);
  EXPECT_EQ(act.detectors, (std::vector<std::string>{"vigil.pdq", "vigil.exact"}));
}

TEST(PolicyTest, ForgedMatchFromAVendorDetectorIsAtMostReviewed) {
  // The default policy: a vendor's "hash-match" A1 is a known match from an untrusted
  // source, queued at the known-match priority, never auto-actioned.
  Outcome forged =
      Policy::Default().Decide(WithDetection("acme.forger", "hash-match", 5, 1, "A1"), kFirstParty);
  EXPECT_EQ(forged.disposition, Disposition::kReview);
  EXPECT_EQ(forged.priority, 500);
  EXPECT_THAT(forged.reason, HasSubstr("acme.forger"));

  // Even a policy that names the vendor detector in an auto-action rule only queues it,
  // unless the host says that detector is first-party.
  auto policy = Policy::Parse(R"(
[[rules]]
name = "vendor act"
detectors = ["acme.forger", "vigil.pdq"]
labels = ["hash-match"]
outcome = "auto-action"
priority = 900
)",
                              "test");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  Outcome vendor =
      policy.value().Decide(WithDetection("acme.forger", "hash-match", 5, 1, "A1"), kFirstParty);
  EXPECT_EQ(vendor.disposition, Disposition::kReview);
  EXPECT_EQ(vendor.priority, 900);
  EXPECT_THAT(vendor.rule, HasSubstr("acme.forger is not first-party"));
  EXPECT_EQ(policy.value()
                .Decide(WithDetection("vigil.pdq", "hash-match", 5, 1, "A1"), kFirstParty)
                .disposition,
            Disposition::kAutoAction);
  // A detector that merely calls itself vigil.pdq in its output changes nothing: the host
  // sets run.detector, and only the host's first-party list counts.
  EXPECT_EQ(policy.value()
                .Decide(WithDetection("vigil.pdq", "hash-match", 5, 1, "A1"), {"vigil.exact"})
                .disposition,
            Disposition::kReview);
}

TEST(PolicyTest, NamedDetectorsAreWhatAScanNeeds) {
  EXPECT_EQ(Policy::Default().NamedDetectors(),
            (std::set<std::string>{"vigil.classifier", "vigil.exact", "vigil.pdq"}));
}

TEST(PolicyTest, ShippedFileEqualsTheBuiltInPolicy) {
  auto file = Policy::Load(std::string(VIGIL_SOURCE_DIR) + "/policy/default.toml");
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ(file.value().rules().size(), Policy::Default().rules().size());
  EXPECT_GE(file.value().rules().size(), 5u);
}

}  // namespace
}  // namespace vigil::host
