// A fresh embedded store per test (a scratch folder named after the test, removed after),
// and a queued item recorded through the store, for the store and queue suites.
#ifndef VIGIL_TESTS_UNIT_HOST_TEMP_STORE_H_
#define VIGIL_TESTS_UNIT_HOST_TEMP_STORE_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"

namespace vigil::host {

// Records an item with a review (or other) outcome; its row id, 0 (and a failure) when
// the store refuses it.
inline int64_t AddQueuedItem(Store& store, const std::string& sha, Disposition disposition,
                             int severity, int priority = 0, const std::string& category = "",
                             const std::string& queue = "") {
  ItemRecord record;
  record.sha256 = sha;
  record.path = "/items/" + sha;
  record.media_kind = "image";
  record.outcome.disposition = disposition;
  record.outcome.priority = priority;
  record.outcome.severity = severity;
  record.outcome.obscure_level = 5;
  record.outcome.category = category;
  record.outcome.rule = "test rule";
  record.outcome.queue = queue;
  auto id = store.RecordItem(record);
  EXPECT_TRUE(id.ok()) << id.status().message();
  return id.ok() ? id.value() : 0;
}

class TempStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-" + std::string(test->test_suite_name()) + "-" + std::to_string(::getpid()) +
            "-" + test->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = Store::Open(dir_ / "store.db");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace vigil::host

#endif  // VIGIL_TESTS_UNIT_HOST_TEMP_STORE_H_
