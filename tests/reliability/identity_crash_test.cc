// meshid-identity killed with SIGKILL (three times) in the middle of a stream of
// rotations and admin changes, on SQLite and on PostgreSQL. After a restart
// on the same store:
//   - every change the server acknowledged is there: each rotated-in key
//     exists, each created client exists;
//   - nothing is half-made: the pair has exactly one ACTIVE key and no
//     PENDING one, every key's material opens (tokens signed before the
//     crash still verify, new ones are issued and verify);
//   - the version sequence has no gap: the change log holds every version
//     from its first to the global counter, once;
//   - a validator's watcher that was running before the crash is never
//     restarted: it reconnects by itself and catches up to the counter.
#include <signal.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/base64url.h"
#include "common/keyset/key_set_watcher.h"
#include "common/keyset/token_validator.h"
#include "gtest/gtest.h"
#include "tests/reliability/identity_process.h"
#include "tests/reliability/store_inspector.h"
#include "tests/testing/postgres_env.h"
#include "tests/testing/scratch_database.h"

namespace meshid::reliability {
namespace {

namespace ka = ::meshid::keyadmin::v1;
using keyset::KeySetWatcher;
using keyset::KeySetWatcherOptions;
using keyset::TokenValidator;

enum class Backend { kSqlite, kPostgres };

constexpr char kCaller[] = "careergpt-backend";
constexpr char kService[] = "logging-service";

ka::KeySlot PairSlot() {
  ka::KeySlot slot;
  slot.mutable_pair()->set_client_id(kCaller);
  slot.mutable_pair()->set_audience(kService);
  return slot;
}

std::string KidOf(const std::string& token) {
  std::string header;
  if (!Base64UrlDecode(token.substr(0, token.find('.')), &header)) return "";
  const size_t at = header.find("\"kid\":\"") + 7;
  return header.substr(at, header.find('"', at) - at);
}

class IdentityCrashTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<test_process::TempDir>> dir =
        test_process::TempDir::Create("meshid-crash-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *std::move(dir);
    if (GetParam() == Backend::kSqlite) {
      store_url_ = absl::StrCat("sqlite://", dir_->File("meshid.db"));
    } else {
      std::string base;
      MESHID_ASSIGN_TEST_POSTGRES_URL_OR_RETURN(base);
      absl::StatusOr<std::unique_ptr<ScratchDatabase>> db =
          ScratchDatabase::Create(base);
      ASSERT_TRUE(db.ok()) << db.status();
      database_ = *std::move(db);
      store_url_ = database_->url();
    }
    absl::StatusOr<std::unique_ptr<IdentityProcess>> identity =
        IdentityProcess::Create(store_url_, dir_->path());
    ASSERT_TRUE(identity.ok()) << identity.status();
    identity_ = *std::move(identity);
    ASSERT_TRUE(identity_->Start().ok());
  }

  void TearDown() override {
    if (watcher_ != nullptr) watcher_->Stop();
    identity_.reset();
    database_.reset();
  }

  void StartWatcher() {
    absl::StatusOr<std::string> secret = identity_->CreateClient(
        kService, {{"meshid-keyadmin", {"keys:watch"}}});
    ASSERT_TRUE(secret.ok()) << secret.status();
    KeySetWatcherOptions options;
    options.identity_address = identity_->identity_target();
    options.keyadmin_address = identity_->keyadmin_target();
    options.client_id = kService;
    options.client_secret = crypto::SecretBytes(*secret);
    options.backoff.initial = absl::Milliseconds(20);
    options.backoff.max = absl::Milliseconds(200);
    watcher_ = std::make_unique<KeySetWatcher>(std::move(options));
    ASSERT_TRUE(watcher_->Start().ok());
    ASSERT_TRUE(watcher_->WaitForVersion(1, absl::Seconds(20)));
  }

  VerifyPolicy Policy() const {
    VerifyPolicy policy;
    policy.issuer = kTestIssuer;
    policy.audience = kService;
    policy.clock_skew = absl::Seconds(30);
    policy.max_lifetime = absl::Hours(1);
    return policy;
  }

  absl::StatusOr<ka::Key> GetKey(const std::string& kid) {
    auto context = identity_->AdminContext();
    if (!context.ok()) return context.status();
    ka::GetKeyRequest request;
    request.set_kid(kid);
    ka::Key key;
    grpc::Status status = identity_->keyadmin().GetKey(context->get(), request,
                                                       &key);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    return key;
  }

  std::vector<ka::Key> PairKeys() {
    std::vector<ka::Key> keys;
    auto context = identity_->AdminContext();
    EXPECT_TRUE(context.ok()) << context.status();
    if (!context.ok()) return keys;
    ka::ListKeysRequest request;
    *request.mutable_slot() = PairSlot();
    request.set_page_size(1000);
    ka::ListKeysResponse response;
    grpc::Status status =
        identity_->keyadmin().ListKeys(context->get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    keys.assign(response.keys().begin(), response.keys().end());
    return keys;
  }

  std::unique_ptr<test_process::TempDir> dir_;
  std::unique_ptr<ScratchDatabase> database_;
  std::string store_url_;
  std::unique_ptr<IdentityProcess> identity_;
  std::unique_ptr<KeySetWatcher> watcher_;
};

TEST_P(IdentityCrashTest, SigkillMidChangesLosesNothingAndLeavesNoGap) {
  absl::StatusOr<std::string> caller_secret =
      identity_->CreateClient(kCaller, {{kService, {"logs:write"}}});
  ASSERT_TRUE(caller_secret.ok()) << caller_secret.status();
  ASSERT_NO_FATAL_FAILURE(StartWatcher());
  TokenValidator validator(watcher_.get(), Policy());

  // The writer: rotations of the pair and new clients, alternating, as fast
  // as the server acknowledges them; each acknowledged change is recorded,
  // and one token per rotation, signed by the key just rotated in.
  absl::Mutex mu;
  std::vector<std::string> acked_kids, acked_clients, tokens;
  std::atomic<int> acked{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      auto context = identity_->AdminContext();
      if (!context.ok()) continue;  // down: keep trying until told to stop
      if (i % 2 == 0) {
        ka::RotateKeyRequest request;
        *request.mutable_slot() = PairSlot();
        ka::RotateKeyResponse response;
        if (identity_->keyadmin()
                .RotateKey(context->get(), request, &response)
                .ok()) {
          absl::StatusOr<std::string> token =
              identity_->Issue(kCaller, *caller_secret, kService);
          absl::MutexLock lock(&mu);
          acked_kids.push_back(response.new_key().kid());
          if (token.ok()) tokens.push_back(*token);
          acked.fetch_add(1);
        }
      } else {
        const std::string id = absl::StrCat("svc-", i);
        ka::CreateClientRequest request;
        request.set_client_id(id);
        request.mutable_policy()->add_allowed_audiences(kService);
        ka::CreateClientResponse response;
        if (identity_->keyadmin()
                .CreateClient(context->get(), request, &response)
                .ok()) {
          absl::MutexLock lock(&mu);
          acked_clients.push_back(id);
          acked.fetch_add(1);
        }
      }
    }
  });

  // Kill while the writer is mid-stream: after some changes landed, with
  // the next ones in flight. Three times, for more chances to land inside a
  // transaction.
  for (int kill = 1; kill <= 3; ++kill) {
    const int target = acked.load() + 8;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (acked.load() < target && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(2));
    }
    ASSERT_GE(acked.load(), target) << "the writer made no progress";
    identity_->Kill(SIGKILL);
    ASSERT_TRUE(identity_->Start().ok());
  }
  stop.store(true);
  writer.join();

  absl::MutexLock lock(&mu);
  // Every acknowledged change survived.
  for (const std::string& kid : acked_kids) {
    absl::StatusOr<ka::Key> key = GetKey(kid);
    ASSERT_TRUE(key.ok()) << "rotated-in key lost: " << kid << ": "
                          << key.status();
    EXPECT_TRUE(key->state() == ka::KEY_STATE_ACTIVE ||
                key->state() == ka::KEY_STATE_RETIRED)
        << kid << " is " << ka::KeyState_Name(key->state());
  }
  for (const std::string& id : acked_clients) {
    auto context = identity_->AdminContext();
    ASSERT_TRUE(context.ok());
    ka::GetClientRequest request;
    request.set_client_id(id);
    ka::Client client;
    EXPECT_TRUE(
        identity_->keyadmin().GetClient(context->get(), request, &client).ok())
        << "created client lost: " << id;
  }

  // Nothing half-made: one ACTIVE key for the pair, none PENDING.
  int active = 0;
  for (const ka::Key& key : PairKeys()) {
    EXPECT_NE(key.state(), ka::KEY_STATE_PENDING) << key.kid();
    if (key.state() == ka::KEY_STATE_ACTIVE) ++active;
  }
  EXPECT_EQ(active, 1);

  // No gap: every version from the first event to the counter, once.
  absl::StatusOr<VersionLog> versions = ReadVersionLog(store_url_);
  ASSERT_TRUE(versions.ok()) << versions.status();
  ASSERT_FALSE(versions->event_versions.empty());
  for (size_t i = 1; i < versions->event_versions.size(); ++i) {
    ASSERT_EQ(versions->event_versions[i], versions->event_versions[i - 1] + 1)
        << "gap in the change log after version "
        << versions->event_versions[i - 1];
  }
  EXPECT_EQ(versions->event_versions.back(), versions->counter);

  // The watcher, never restarted, caught up with the restarted server...
  ASSERT_TRUE(watcher_->WaitForVersion(versions->counter, absl::Seconds(30)))
      << "watcher at " << watcher_->Current()->version() << ", store at "
      << versions->counter;
  // ...and every key's material opens: tokens signed before the crash by
  // the keys then active still verify, and a new token does too.
  for (const std::string& token : tokens) {
    VerifyResult result = validator.Validate(token);
    EXPECT_TRUE(result.ok())
        << KidOf(token) << ": " << VerifyErrorName(result.error());
  }
  absl::StatusOr<std::string> fresh =
      identity_->Issue(kCaller, *caller_secret, kService);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  const absl::Time verify_deadline = absl::Now() + absl::Seconds(30);
  VerifyResult result = validator.Validate(*fresh);
  while (!result.ok() && absl::Now() < verify_deadline) {
    // The new key may still be on its way to the watcher.
    watcher_->WaitForVersion(watcher_->Current()->version() + 1,
                             absl::Milliseconds(200));
    result = validator.Validate(*fresh);
  }
  EXPECT_TRUE(result.ok()) << VerifyErrorName(result.error());
}

INSTANTIATE_TEST_SUITE_P(Stores, IdentityCrashTest,
                         ::testing::Values(Backend::kSqlite,
                                           Backend::kPostgres),
                         [](const auto& info) {
                           return info.param == Backend::kSqlite ? "Sqlite"
                                                                 : "Postgres";
                         });

}  // namespace
}  // namespace meshid::reliability
