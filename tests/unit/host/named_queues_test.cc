// Named queues (issue 13, item 4): the policy's [[queues]] and [[routes]] are read
// strictly, the first route that holds names the queue, the store keeps each item's
// queue, and claims and listings keep to the queues asked for.
#include "store/named_queues.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "policy/policy.h"
#include "store/review_queue.h"
#include "store/store.h"
#include "store_backend.h"

namespace vigil::host {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kRoutedPolicy[] = R"toml(
[[queues]]
name = "known-matches"
description = "hash matches against listed material"
roles = ["senior"]

[[queues]]
name = "urls"

[[routes]]
name = "bank B matches of category A2"
queue = "known-matches"
banks = ["bank-b"]
categories = ["A2"]

[[routes]]
name = "partner uploads"
queue = "urls"
sources = ["partner"]

[[routes]]
name = "listed URLs"
queue = "urls"
labels = ["url-listed"]
min_severity = "high"

[[rules]]
name = "review everything"
min_severity = "none"
outcome = "review"
)toml";

DetectorRun MakeRun(const std::string& detector, const std::string& label, int severity,
                    const std::string& bank = "", const std::string& category = "") {
  DetectorRun run;
  run.detector = detector;
  auto* d = run.result.add_detections();
  d->set_label(label);
  d->set_score(1.0f);
  d->set_severity(static_cast<vigil::v1::Severity>(severity));
  if (!bank.empty()) {
    d->mutable_match()->set_bank(bank);
    d->mutable_match()->set_category(category);
  }
  return run;
}

Policy Routed() {
  auto policy = Policy::Parse(kRoutedPolicy, "routed.toml");
  EXPECT_TRUE(policy.ok()) << policy.status().message();
  return policy.ok() ? policy.value() : Policy();
}

TEST(QueueRoutingTest, QueuesAreDefinedWithRolesAndDefaultIsImplicit) {
  const Policy policy = Routed();
  const auto& queues = policy.routing().queues();
  ASSERT_EQ(queues.size(), 3u);
  EXPECT_EQ(queues[0].name, "known-matches");
  EXPECT_THAT(queues[0].roles, ElementsAre("senior"));
  EXPECT_EQ(queues[1].name, "urls");
  EXPECT_THAT(queues[1].roles, ElementsAre("reviewer", "senior"));  // the default roles
  EXPECT_EQ(queues[2].name, kDefaultQueue);
}

TEST(QueueRoutingTest, FirstRouteThatHoldsWins) {
  const Policy policy = Routed();
  ItemRecord record;
  // A detection of bank B but category A1, and another of category A2 from bank C: no
  // single detection satisfies the first route, so it does not take the item.
  record.runs = {MakeRun("vigil.pdq", "hash-match", 4, "bank-b", "A1"),
                 MakeRun("vigil.exact", "hash-match", 4, "bank-c", "A2")};
  EXPECT_EQ(policy.Decide(record, {}).queue, kDefaultQueue);
  record.runs.push_back(MakeRun("vigil.exact", "hash-match", 4, "bank-b", "A2"));
  EXPECT_EQ(policy.Decide(record, {}).queue, "known-matches");
  // The first route holds, though the second (source) holds too.
  record.source = "partner";
  EXPECT_EQ(policy.Decide(record, {}).queue, "known-matches");
}

TEST(QueueRoutingTest, SourceAndSeverityConditions) {
  const Policy policy = Routed();
  ItemRecord low_url;
  low_url.runs = {MakeRun("vigil.url", "url-listed", 3)};  // medium: below the route's "high"
  EXPECT_EQ(policy.Decide(low_url, {}).queue, kDefaultQueue);
  ItemRecord high_url;
  high_url.runs = {MakeRun("vigil.url", "url-listed", 5)};
  EXPECT_EQ(policy.Decide(high_url, {}).queue, "urls");
  ItemRecord partner;
  partner.source = "partner";
  partner.runs = {MakeRun("vigil.classifier", "explicit", 2)};
  EXPECT_EQ(policy.Decide(partner, {}).queue, "urls");
}

TEST(QueueRoutingTest, ClearItemsGoToNoQueue) {
  const Policy policy = Routed();
  ItemRecord record;  // no detections
  const Outcome outcome = policy.Decide(record, {});
  EXPECT_EQ(outcome.disposition, Disposition::kClear);
  EXPECT_EQ(outcome.queue, "");
}

TEST(QueueRoutingTest, BadDefinitionsAreRefusedWithTheirLine) {
  struct Case {
    const char* toml;
    const char* says;
  } cases[] = {
      {"[[queues]]\nname = \"Known Matches\"\n", "a queue needs a 'name' of lower-case"},
      {"[[queues]]\nname = \"a\"\n[[queues]]\nname = \"a\"\n", "defined twice"},
      {"[[queues]]\nname = \"a\"\nroles = [\"janitor\"]\n", "unknown role 'janitor'"},
      {"[[queues]]\nname = \"a\"\nowner = \"x\"\n", "unknown key 'owner'"},
      {"[[routes]]\nname = \"r\"\nqueue = \"nowhere\"\n", "which no [[queues]] table defines"},
      {"[[routes]]\nname = \"r\"\n", "a route needs 'name' and 'queue'"},
      {"[[routes]]\nname = \"r\"\nqueue = \"default\"\noutcomes = [\"maybe\"]\n",
       "unknown outcome 'maybe'"},
      {"[[routes]]\nname = \"r\"\nqueue = \"default\"\nmin_severity = 3\n", "min_severity"},
      {"queues = 3\n", "use [[queues]] tables"},
  };
  for (const Case& c : cases) {
    auto policy = Policy::Parse(c.toml, "bad.toml");
    ASSERT_FALSE(policy.ok()) << c.toml;
    EXPECT_THAT(policy.status().message(), HasSubstr(c.says)) << c.toml;
    EXPECT_THAT(policy.status().message(), HasSubstr("bad.toml:")) << c.toml;
  }
}

class NamedQueueStoreTest : public StoreBackendTest {
 protected:
  // On PostgreSQL alice is a senior: these queues have no definition in the store, and
  // only a senior may work an undefined queue other than "default" (vigil_may_work).
  void SetUp() override {
    StoreBackendTest::SetUp();
    if (!HasFatalFailure()) P("alice", {"vigil_senior"});
  }
  int64_t Add(const std::string& sha, const std::string& queue, int severity) {
    return AddQueuedItem(*store_, sha, Disposition::kReview, severity, 0, "", queue);
  }
};

TEST_P(NamedQueueStoreTest, ClaimsAndListsKeepToTheQueuesAskedFor) {
  const int64_t url = Add("a", "urls", 5);
  const int64_t known = Add("b", "known-matches", 4);
  const int64_t other = Add("c", "", 3);  // no queue named: the default queue
  ReviewQueue queue(*store_);
  auto urls = queue.List("pending", QueueOrder::kPriority, 10, "urls");
  ASSERT_TRUE(urls.ok());
  ASSERT_EQ(urls.value().size(), 1u);
  EXPECT_EQ(urls.value()[0].item_id, url);
  EXPECT_EQ(urls.value()[0].queue, "urls");

  ClaimOptions options;
  options.queues = {"known-matches", kDefaultQueue};
  auto first = QueueOf("alice").Claim(Who("alice"), options);
  ASSERT_TRUE(first.ok() && first.value().has_value());
  EXPECT_EQ(first.value()->item_id, known);  // the most severe of the two queues
  auto second = QueueOf("alice").Claim(Who("alice"), options);
  ASSERT_TRUE(second.ok() && second.value().has_value());
  EXPECT_EQ(second.value()->item_id, other);
  EXPECT_EQ(second.value()->queue, kDefaultQueue);
  auto none =
      QueueOf("alice").Claim(Who("alice"), options);  // the URL item is in a queue not asked for
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().has_value());

  options.queues = {"no such queue!"};
  EXPECT_FALSE(QueueOf("alice").Claim(Who("alice"), options).ok());
}

TEST_P(NamedQueueStoreTest, RescanMovesPendingItemsButNotDecidedOnes) {
  const int64_t pending = Add("a", "urls", 3);
  const int64_t decided = Add("b", "urls", 3);
  ReviewQueue queue(*store_);
  ClaimOptions options;
  options.only_item = decided;
  ASSERT_TRUE(QueueOf("alice").Claim(Who("alice"), options).ok());
  ASSERT_TRUE(QueueOf("alice").Decide(decided, Who("alice"), "B1", "").ok());
  Add("a", "known-matches", 3);  // a newer policy routes both elsewhere
  Add("b", "known-matches", 3);
  auto a = queue.Get(pending);
  auto b = queue.Get(decided);
  ASSERT_TRUE(a.ok() && a.value() && b.ok() && b.value());
  EXPECT_EQ(a.value()->queue, "known-matches");
  EXPECT_EQ(b.value()->queue, "urls");  // where it was decided
}

TEST_P(NamedQueueStoreTest, ListQueuesCountsAndKeepsUndefinedQueuesWithItems) {
  Add("a", "urls", 3);
  Add("b", "old-queue", 3);
  ASSERT_TRUE(RecordQueueSpecs(store_->db(), Routed().routing().queues()).ok());
  // Recording again changes nothing (and is not an error).
  ASSERT_TRUE(RecordQueueSpecs(store_->db(), Routed().routing().queues()).ok());
  auto queues = ListQueues(store_->db());
  ASSERT_TRUE(queues.ok()) << queues.status().message();
  std::map<std::string, QueueSummary> by_name;
  for (const QueueSummary& q : queues.value()) by_name[q.spec.name] = q;
  ASSERT_EQ(by_name.size(), 4u);
  EXPECT_EQ(by_name["urls"].pending, 1);
  EXPECT_TRUE(by_name["urls"].defined);
  EXPECT_THAT(by_name["known-matches"].spec.roles, ElementsAre("senior"));
  EXPECT_EQ(by_name["known-matches"].spec.description, "hash matches against listed material");
  EXPECT_EQ(by_name["old-queue"].pending, 1);
  EXPECT_FALSE(by_name["old-queue"].defined);
  EXPECT_EQ(by_name[kDefaultQueue].pending, 0);
}

// The store part runs on both stores (issue 13, item 1).
VIGIL_ON_BOTH_STORES(NamedQueueStoreTest);

TEST(QueueNameTest, Validity) {
  EXPECT_TRUE(IsValidQueueName("default"));
  EXPECT_TRUE(IsValidQueueName("known-matches.v2_b"));
  EXPECT_FALSE(IsValidQueueName(""));
  EXPECT_FALSE(IsValidQueueName("-x"));
  EXPECT_FALSE(IsValidQueueName("Upper"));
  EXPECT_FALSE(IsValidQueueName("a b"));
  EXPECT_FALSE(IsValidQueueName("a'); DROP TABLE queue; --"));
  EXPECT_FALSE(IsValidQueueName(std::string(65, 'a')));
}

}  // namespace
}  // namespace vigil::host
