// Issue 14 item 3: `vigil webhooks add|list|remove|status|deliver` on both stores (a
// binary of its own: it runs the built `vigil`).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "service/webhook_signature.h"
#include "store_backend.h"
#include "webhook_receiver.h"

namespace vigil::host {
namespace {

using ::vigil::testing::WebhookReceiver;

class WebhooksCliTest : public StoreBackendTest {};

struct Ran {
  int exit_code = -1;
  std::string out, err;
};

// `vigil webhooks ...` on the test's store: add (secret from a file), a refused URL, list
// without secrets, deliver --once to the receiver, status, remove.
TEST_P(WebhooksCliTest, TheCommandLineManagesEndpointsAndDelivers) {
  auto vigil = [&](const std::string& args) {
    const std::string command = "HOME=" + dir_.string() + " " + VIGIL_BINARY_DIR +
                                "/bin/vigil webhooks " + args + " --store '" + location_ + "' >" +
                                (dir_ / "out").string() + " 2>" + (dir_ / "err").string();
    const int status = std::system(command.c_str());
    Ran ran;
    ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream out(dir_ / "out"), err(dir_ / "err");
    ran.out.assign(std::istreambuf_iterator<char>(out), {});
    ran.err.assign(std::istreambuf_iterator<char>(err), {});
    return ran;
  };
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  const std::string secret_file = (dir_ / "hook.secret").string();
  std::ofstream(secret_file) << "cli-secret-0123456789\n";
  Ran added = vigil("add hook " + receiver.Url() + " --secret-file " + secret_file +
                    " --events item.auto_action");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.out.find("hook: added (item.auto_action)"), std::string::npos) << added.out;
  EXPECT_EQ(added.out.find("cli-secret"), std::string::npos);
  Ran refused = vigil("add bad ftp://127.0.0.1/x --secret-file " + secret_file);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.err, "vigil: a webhook URL must start with http:// or https://\n");
  Ran listed = vigil("list --json");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto list = nlohmann::json::parse(listed.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "hook");
  EXPECT_FALSE(list[0].contains("secret"));
  EXPECT_EQ(listed.out.find("cli-secret"), std::string::npos);

  AddQueuedItem(*store_, std::string(64, 'k'), Disposition::kAutoAction, 5, 0, "A1");
  Ran delivered = vigil("deliver --once");
  ASSERT_EQ(delivered.exit_code, 0) << delivered.err;
  EXPECT_NE(delivered.out.find("1 attempted: 1 delivered"), std::string::npos) << delivered.out;
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(service::VerifyWebhookSignature(
      "cli-secret-0123456789", std::stoll(requests[0].header("vigil-timestamp")), requests[0].body,
      requests[0].header("vigil-signature")));
  Ran status = vigil("status --json");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto rows = nlohmann::json::parse(status.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["delivered"], 1);
  EXPECT_EQ(rows[0]["pending"], 0);
  EXPECT_EQ(vigil("remove hook").exit_code, 0);
  Ran again = vigil("remove hook");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "vigil: no webhook endpoint named 'hook'\n");
}

VIGIL_ON_BOTH_STORES(WebhooksCliTest);

}  // namespace
}  // namespace vigil::host
