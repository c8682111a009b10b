// PostgreSQL stopped under a serving meshid-identity (a real server process
// on a real PostgreSQL of the test's own, stopped with `-m immediate`):
//   - IssueToken for known clients keeps working, from memory, and the
//     tokens validate;
//   - admin writes return UNAVAILABLE, and leave nothing behind;
//   - when the database returns, writes succeed again and reach the
//     validators, with the same meshid-identity process (never restarted).
#include <signal.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/keyset/key_set_watcher.h"
#include "common/keyset/token_validator.h"
#include "gtest/gtest.h"
#include "tests/reliability/identity_process.h"
#include "tests/testing/postgres_cluster.h"

namespace meshid::reliability {
namespace {

namespace ka = ::meshid::keyadmin::v1;
using keyset::KeySetWatcher;
using keyset::KeySetWatcherOptions;
using keyset::TokenValidator;

constexpr char kCaller[] = "careergpt-backend";
constexpr char kService[] = "logging-service";

ka::RotateKeyRequest RotatePair() {
  ka::RotateKeyRequest request;
  request.mutable_slot()->mutable_pair()->set_client_id(kCaller);
  request.mutable_slot()->mutable_pair()->set_audience(kService);
  return request;
}

TEST(PostgresOutageTest, TokensKeepFlowingWritesFailCleanlyAndRecover) {
  absl::StatusOr<std::unique_ptr<test_process::TempDir>> dir =
      test_process::TempDir::Create("meshid-outage-");
  ASSERT_TRUE(dir.ok()) << dir.status();
  absl::StatusOr<std::unique_ptr<test_process::PostgresCluster>> cluster =
      test_process::PostgresCluster::Create();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  ASSERT_TRUE((*cluster)->Start().ok());

  absl::StatusOr<std::unique_ptr<IdentityProcess>> identity =
      IdentityProcess::Create((*cluster)->url(), (*dir)->path());
  ASSERT_TRUE(identity.ok()) << identity.status();
  IdentityProcess& server = **identity;
  ASSERT_TRUE(server.Start().ok());
  const pid_t pid = server.process()->pid();

  absl::StatusOr<std::string> caller_secret =
      server.CreateClient(kCaller, {{kService, {"logs:write"}}});
  ASSERT_TRUE(caller_secret.ok()) << caller_secret.status();
  absl::StatusOr<std::string> watcher_secret =
      server.CreateClient(kService, {{"meshid-keyadmin", {"keys:watch"}}});
  ASSERT_TRUE(watcher_secret.ok()) << watcher_secret.status();
  KeySetWatcherOptions options;
  options.identity_address = server.identity_target();
  options.keyadmin_address = server.keyadmin_target();
  options.client_id = kService;
  options.client_secret = crypto::SecretBytes(*watcher_secret);
  options.backoff.initial = absl::Milliseconds(20);
  options.backoff.max = absl::Milliseconds(200);
  KeySetWatcher watcher(std::move(options));
  ASSERT_TRUE(watcher.Start().ok());
  ASSERT_TRUE(watcher.WaitForVersion(1, absl::Seconds(20)));
  VerifyPolicy policy;
  policy.issuer = kTestIssuer;
  policy.audience = kService;
  policy.clock_skew = absl::Seconds(30);
  policy.max_lifetime = absl::Hours(1);
  TokenValidator validator(&watcher, policy);
  // The admin token is taken before the outage: issuing keeps working, but
  // this test also wants the write to reach the store check.
  absl::StatusOr<std::string> admin_token =
      server.Issue("meshid-admin", kTestAdminSecret, "meshid-keyadmin");
  ASSERT_TRUE(admin_token.ok()) << admin_token.status();
  auto admin_context = [&] {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + *admin_token);
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(10));
    return context;
  };

  // The outage.
  ASSERT_TRUE((*cluster)->Stop().ok());

  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<std::string> token =
        server.Issue(kCaller, *caller_secret, kService);
    ASSERT_TRUE(token.ok()) << "IssueToken during the outage: "
                            << token.status();
    VerifyResult result = validator.Validate(*token);
    EXPECT_TRUE(result.ok()) << VerifyErrorName(result.error());
  }
  ka::RotateKeyResponse rotated;
  grpc::Status write =
      server.keyadmin().RotateKey(admin_context().get(), RotatePair(),
                                  &rotated);
  EXPECT_EQ(write.error_code(), grpc::StatusCode::UNAVAILABLE)
      << write.error_message();
  EXPECT_EQ(write.error_message().find("postgres@"), std::string::npos)
      << "the store URL leaked into an error: " << write.error_message();

  // The database returns: writes recover without restarting meshid.
  ASSERT_TRUE((*cluster)->Start().ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  do {
    write = server.keyadmin().RotateKey(admin_context().get(), RotatePair(),
                                        &rotated);
    if (!write.ok()) absl::SleepFor(absl::Milliseconds(50));
  } while (!write.ok() && absl::Now() < deadline);
  ASSERT_TRUE(write.ok()) << "no recovery: " << write.error_message();
  EXPECT_EQ(server.process()->pid(), pid);
  EXPECT_TRUE(server.process()->Running());

  // The change reaches the validator, and the new key signs valid tokens.
  const std::string& kid = rotated.new_key().kid();
  const absl::Time watch_deadline = absl::Now() + absl::Seconds(30);
  while (watcher.Current()->Find(kid) == nullptr &&
         absl::Now() < watch_deadline) {
    watcher.WaitForVersion(watcher.Current()->version() + 1,
                           absl::Milliseconds(200));
  }
  ASSERT_NE(watcher.Current()->Find(kid), nullptr);
  absl::StatusOr<std::string> token =
      server.Issue(kCaller, *caller_secret, kService);
  ASSERT_TRUE(token.ok()) << token.status();
  VerifyResult result = validator.Validate(*token);
  EXPECT_TRUE(result.ok()) << VerifyErrorName(result.error());
  watcher.Stop();
}

}  // namespace
}  // namespace meshid::reliability
