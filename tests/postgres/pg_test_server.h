// The throw-away PostgreSQL server of the tests (scripts/postgres.sh; the ctest
// fixture `postgres` starts it and writes its state file). Each test gets its
// own database (vigil_t_<pid>_<n>) and, when it asks, its own login roles; both
// are dropped at the end. No server: the test FAILS with what to do, it never
// skips.
#ifndef VIGIL_TESTS_POSTGRES_PG_TEST_SERVER_H_
#define VIGIL_TESTS_POSTGRES_PG_TEST_SERVER_H_

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/db/postgres_database.h"

namespace vigil::host::testing {

inline std::string PgStatePath() {
  const char *env = std::getenv("VIGIL_PG_STATE");
  return env != nullptr && *env != '\0' ? env : VIGIL_BINARY_DIR "/postgres.env";
}

// KEY=value lines of the state file; empty when there is none.
inline std::map<std::string, std::string> ReadPgState() {
  std::map<std::string, std::string> out;
  std::ifstream in(PgStatePath());
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

// Runs scripts/postgres.sh with the tests' state file; its exit status.
inline int RunPostgresScript(const std::string &command) {
  const std::string line = "VIGIL_PG_STATE='" + PgStatePath() +
                           "' bash '" VIGIL_SOURCE_DIR "/scripts/postgres.sh' " + command +
                           " >/dev/null";
  return std::system(line.c_str());
}

// One test's database on the test server, and login roles made for it.
class PgTestServer : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = ReadPgState();
    ASSERT_FALSE(state_["VIGIL_PG_URL"].empty())
        << "no PostgreSQL test server: the state file " << PgStatePath()
        << " is missing or empty. Run the test through ctest (the `postgres` "
           "fixture starts "
           "one) or start one: VIGIL_PG_STATE="
        << PgStatePath() << " bash scripts/postgres.sh start";
    admin_url_ = state_["VIGIL_PG_URL"];
    port_ = state_["VIGIL_PG_PORT"];
    // Our own pgpass: the superuser's line, then one per login a test makes.
    pgpass_dir_ = std::filesystem::temp_directory_path() /
                  ("vigil-pgpass." + std::to_string(getpid()) + "." + std::to_string(Next()));
    std::filesystem::create_directories(pgpass_dir_);
    pgpass_ = (pgpass_dir_ / "pgpass").string();
    std::ifstream admin_pass(state_["PGPASSFILE"]);
    std::getline(admin_pass, pgpass_text_);
    ASSERT_FALSE(pgpass_text_.empty())
        << "the server's pgpass " << state_["PGPASSFILE"] << " is unreadable";
    pgpass_text_ += "\n";
    WritePgpass();
    setenv("PGPASSFILE", pgpass_.c_str(), 1);

    StatusOr<std::unique_ptr<PostgresDatabase>> admin = PostgresDatabase::Open(admin_url_);
    ASSERT_TRUE(admin.ok()) << "cannot reach the PostgreSQL test server at " << admin_url_
                            << " (state " << PgStatePath() << "): " << admin.status().message();
    cluster_ = std::move(admin.value());
    prefix_ = "vigil_t_" + std::to_string(getpid()) + "_" + std::to_string(Next());
    database_ = prefix_;
    Status created = cluster_->Exec("CREATE DATABASE " + database_);
    ASSERT_TRUE(created.ok()) << created.message();
    url_ = UrlFor("postgres", database_);
  }

  void TearDown() override {
    if (cluster_ == nullptr) return;
    // A fresh connection: a test may have restarted the server under the old
    // one.
    StatusOr<std::unique_ptr<PostgresDatabase>> admin = PostgresDatabase::Open(admin_url_);
    ASSERT_TRUE(admin.ok()) << admin.status().message();
    cluster_ = std::move(admin.value());
    Status dropped = cluster_->Exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    EXPECT_TRUE(dropped.ok()) << dropped.message();
    for (const std::string &login : logins_) {
      Status s = cluster_->Exec("DROP ROLE IF EXISTS " + login);
      EXPECT_TRUE(s.ok()) << s.message();
    }
    std::error_code ignored;
    std::filesystem::remove_all(pgpass_dir_, ignored);
  }

  // postgresql://<user>@127.0.0.1:<port>/<db>: over TCP, so SCRAM with our
  // pgpass.
  std::string UrlFor(const std::string &user, const std::string &db) const {
    return "postgresql://" + user + "@127.0.0.1:" + port_ + "/" + db;
  }

  // A new login role (password auth over TCP) in the group roles `groups`; its
  // name.
  std::string MakeLogin(const std::string &name, const std::vector<std::string> &groups) {
    const std::string login = prefix_ + "_" + name;
    std::random_device random;
    const std::string password = "pw" + std::to_string(random()) + std::to_string(random());
    Status s = cluster_->Exec("CREATE ROLE " + login + " LOGIN PASSWORD '" + password + "'");
    EXPECT_TRUE(s.ok()) << s.message();
    logins_.push_back(login);
    for (const std::string &group : groups) {
      s = cluster_->Exec("GRANT " + group + " TO " + login);
      EXPECT_TRUE(s.ok()) << s.message();
    }
    pgpass_text_ += "127.0.0.1:" + port_ + ":*:" + login + ":" + password + "\n";
    WritePgpass();
    return login;
  }

  // A connection to this test's database as `login` (TCP, SCRAM).
  std::unique_ptr<PostgresDatabase> Connect(const std::string &login) {
    StatusOr<std::unique_ptr<PostgresDatabase>> db =
        PostgresDatabase::Open(UrlFor(login, database_));
    EXPECT_TRUE(db.ok()) << db.status().message();
    return db.ok() ? std::move(db.value()) : nullptr;
  }

  std::map<std::string, std::string> state_;
  std::string admin_url_;
  std::string port_;
  std::string database_;
  std::string url_;                            // this test's database as the superuser
  std::unique_ptr<PostgresDatabase> cluster_;  // the superuser on the `postgres` database

 private:
  static int Next() {
    static std::atomic<int> n{0};
    return ++n;
  }
  void WritePgpass() {
    {
      std::ofstream out(pgpass_, std::ios::trunc);
      out << pgpass_text_;
    }
    chmod(pgpass_.c_str(), 0600);  // libpq ignores a pgpass others may read
  }

  std::filesystem::path pgpass_dir_;
  std::string pgpass_;
  std::string pgpass_text_;
  std::string prefix_;
  std::vector<std::string> logins_;
};

// Runs one statement without results; "" or the error message.
inline std::string RunSql(Database &db, const std::string &sql) {
  Statement statement(db, sql);
  const int rc = statement.Step();
  return rc == kDone || rc == kRow ? "" : statement.Error("run").message();
}

// The first column of the first row as text ("" when there is none).
inline std::string Scalar(Database &db, const std::string &sql) {
  Statement statement(db, sql);
  return statement.Step() == kRow ? statement.ColumnText(0) : "";
}

}  // namespace vigil::host::testing

#endif  // VIGIL_TESTS_POSTGRES_PG_TEST_SERVER_H_
