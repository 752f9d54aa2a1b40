// A temporary store with a queue of drawn items and a session on a manual clock.
#ifndef VIGIL_TESTS_UI_SESSION_FIXTURE_H_
#define VIGIL_TESTS_UI_SESSION_FIXTURE_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fixture_store.h"
#include "model/review_session.h"
#include "store/db/database.h"

namespace vigil::review::testing {

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-review-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = host::Store::Open(dir_ / "store.db");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    settings_ = DefaultReviewerSettings();
    settings_.checkin = false;
    settings_.interleave = false;
    for (auto& b : settings_.budgets) b = SeverityBudget{};
  }
  void TearDown() override {
    session_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<int64_t> Queue(int count, const std::vector<int>& severities) {
    return MakeQueue(*store_, dir_ / "images", count, severities, 64, 48);
  }
  ReviewSession& Open(const std::string& reviewer = "alice") {
    session_ = std::make_unique<ReviewSession>(*store_, reviewer, settings_, clock_);
    Status s = session_->Start();
    EXPECT_TRUE(s.ok()) << s.message();
    return *session_;
  }
  int64_t Count(const std::string& sql) {
    host::Statement row(store_->db(), sql.c_str());
    return row.ok() && row.Step() == host::kRow ? row.ColumnInt(0) : -1;
  }
  std::string Text(const std::string& sql) {
    host::Statement row(store_->db(), sql.c_str());
    return row.ok() && row.Step() == host::kRow ? row.ColumnText(0) : "<none>";
  }

  std::filesystem::path dir_;
  std::unique_ptr<host::Store> store_;
  ManualClock clock_;
  ReviewerSettings settings_;
  std::unique_ptr<ReviewSession> session_;
};

}  // namespace vigil::review::testing

#endif  // VIGIL_TESTS_UI_SESSION_FIXTURE_H_
