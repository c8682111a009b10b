// identity's audit shipping seam, without a network: the store decorator
// publishes exactly the committed events; the shipper delivers them in
// order, retries a failing receiver without losing any, bounds its queue;
// the Log entry an event becomes fits the Log server's limits.
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "identity/audit/audit_log_client.h"
#include "identity/audit/audit_publishing_store.h"
#include "identity/audit/audit_shipper.h"
#include "identity/store/store.h"

namespace meshid::identity {
namespace {

class RecordingSink : public AuditSink {
 public:
  void Publish(std::vector<AuditEvent> committed) override {
    absl::MutexLock lock(&mu_);
    batches_.push_back(std::move(committed));
  }
  std::vector<std::vector<AuditEvent>> batches() {
    absl::MutexLock lock(&mu_);
    return batches_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::vector<AuditEvent>> batches_;
};

AuditEvent Event(const std::string& action) {
  AuditEvent e;
  e.at = absl::FromUnixSeconds(1700000000);
  e.actor = "meshid-admin";
  e.action = action;
  e.target = "svc-a";
  return e;
}

class AuditPublishingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/meshid-audit-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    folder_ = pattern;
    absl::StatusOr<std::unique_ptr<Store>> inner =
        OpenStore(absl::StrCat("sqlite://", folder_, "/id.db"), {});
    ASSERT_TRUE(inner.ok()) << inner.status();
    store_ = std::make_unique<AuditPublishingStore>(*std::move(inner), &sink_);
  }
  void TearDown() override {
    store_.reset();
    std::system(absl::StrCat("rm -rf '", folder_, "'").c_str());
  }

  std::string folder_;
  RecordingSink sink_;
  std::unique_ptr<Store> store_;
};

TEST_F(AuditPublishingStoreTest, ACommitPublishesItsEventsWithIds) {
  ASSERT_TRUE(store_
                  ->RunInTransaction([](Transaction& tx) -> absl::Status {
                    if (absl::Status s = tx.audit().Append(Event("a")).status();
                        !s.ok()) {
                      return s;
                    }
                    return tx.audit().Append(Event("b")).status();
                  })
                  .ok());
  const auto batches = sink_.batches();
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].size(), 2u);
  EXPECT_EQ(batches[0][0].action, "a");
  EXPECT_EQ(batches[0][1].action, "b");
  EXPECT_GT(batches[0][0].id, 0);
  EXPECT_GT(batches[0][1].id, batches[0][0].id);
}

TEST_F(AuditPublishingStoreTest, ARollbackPublishesNothing) {
  const absl::Status status =
      store_->RunInTransaction([](Transaction& tx) -> absl::Status {
        (void)tx.audit().Append(Event("never"));
        return absl::AbortedError("changed my mind");
      });
  EXPECT_TRUE(absl::IsAborted(status));
  EXPECT_TRUE(sink_.batches().empty());
  // A transaction without audit events publishes nothing either.
  ASSERT_TRUE(store_
                  ->RunInTransaction([](Transaction& tx) {
                    return tx.events().CurrentVersion().status();
                  })
                  .ok());
  EXPECT_TRUE(sink_.batches().empty());
}

// A receiver that fails the first `failures` sends.
class FlakySender : public AuditBatchSender {
 public:
  explicit FlakySender(int failures) : failures_(failures) {}
  absl::Status Send(const std::vector<AuditEvent>& batch) override {
    absl::MutexLock lock(&mu_);
    ++attempts_;
    if (failures_ > 0) {
      --failures_;
      return absl::UnavailableError("Log server down");
    }
    for (const AuditEvent& e : batch) received_.push_back(e.action);
    max_batch_ = std::max(max_batch_, batch.size());
    return absl::OkStatus();
  }
  bool WaitForReceived(size_t n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return received_.size() >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }
  std::vector<std::string> received() {
    absl::MutexLock lock(&mu_);
    return received_;
  }
  size_t max_batch() {
    absl::MutexLock lock(&mu_);
    return max_batch_;
  }
  int attempts() {
    absl::MutexLock lock(&mu_);
    return attempts_;
  }

 private:
  absl::Mutex mu_;
  int failures_ ABSL_GUARDED_BY(mu_);
  int attempts_ ABSL_GUARDED_BY(mu_) = 0;
  size_t max_batch_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> received_ ABSL_GUARDED_BY(mu_);
};

AuditShipperOptions FastRetries() {
  AuditShipperOptions options;
  options.backoff.initial = absl::Milliseconds(1);
  options.backoff.max = absl::Milliseconds(5);
  return options;
}

TEST(AuditShipperTest, ShipsInOrderInBoundedBatchesAndRetriesFailures) {
  auto sender = std::make_unique<FlakySender>(/*failures=*/3);
  FlakySender* seen = sender.get();
  AuditShipperOptions options = FastRetries();
  options.max_batch = 4;
  AuditShipper shipper(std::move(sender), options);
  std::vector<AuditEvent> events;
  std::vector<std::string> expected;
  for (int i = 0; i < 10; ++i) {
    events.push_back(Event(absl::StrCat("action-", i)));
    expected.push_back(events.back().action);
  }
  shipper.Publish(events);  // before Start: queued, not lost
  shipper.Start();
  ASSERT_TRUE(seen->WaitForReceived(10, absl::Seconds(10)));
  EXPECT_EQ(seen->received(), expected);
  EXPECT_LE(seen->max_batch(), 4u);
  EXPECT_GE(seen->attempts(), 3 + 3);
  shipper.Stop(absl::Seconds(1));
  EXPECT_EQ(shipper.shipped(), 10);
  EXPECT_EQ(shipper.dropped(), 0);
}

TEST(AuditShipperTest, AFullQueueDropsAndCountsInsteadOfBlocking) {
  AuditShipperOptions options = FastRetries();
  options.max_queued = 3;
  AuditShipper shipper(std::make_unique<FlakySender>(0), options);
  shipper.Publish({Event("1"), Event("2"), Event("3"), Event("4"), Event("5")});
  EXPECT_EQ(shipper.queued(), 3u);
  EXPECT_EQ(shipper.dropped(), 2);
  shipper.Start();
  shipper.Stop(absl::Seconds(5));  // flushes the three
  EXPECT_EQ(shipper.shipped(), 3);
}

TEST(AuditShipperTest, StopGivesUpOnADeadReceiverAndCountsTheRest) {
  AuditShipper shipper(std::make_unique<FlakySender>(1000000), FastRetries());
  shipper.Start();
  shipper.Publish({Event("1"), Event("2")});
  shipper.Stop(absl::Milliseconds(50));
  EXPECT_EQ(shipper.shipped(), 0);
  EXPECT_EQ(shipper.dropped(), 2);
}

TEST(AuditLogEntryTest, AnEventBecomesAnAuditEntryWithinTheLimits) {
  AuditEvent e = Event("key.revoke");
  e.id = 41;
  e.kid = "kid-1";
  e.version = 9;
  e.details["reason"] = std::string(5000, 'r');
  for (int i = 0; i < 40; ++i) e.details[absl::StrCat("d", 10 + i)] = "v";
  logging::v1::LogEntry entry;
  AuditEventToLogEntry(e, &entry);
  EXPECT_EQ(entry.kind(), logging::v1::LOG_KIND_AUDIT);
  EXPECT_EQ(entry.level(), logging::v1::LOG_LEVEL_INFO);
  EXPECT_EQ(entry.subject(), "meshid-admin");
  EXPECT_EQ(entry.message(), "key.revoke");
  EXPECT_EQ(entry.time().seconds(), 1700000000);
  EXPECT_EQ(entry.attributes().at("kid"), "kid-1");
  EXPECT_EQ(entry.attributes().at("version"), "9");
  EXPECT_EQ(entry.attributes().at("audit_id"), "41");
  EXPECT_EQ(entry.attributes().at("target"), "svc-a");
  EXPECT_LE(entry.attributes_size(), 32);
  for (const auto& [key, value] : entry.attributes()) {
    EXPECT_LE(key.size(), 64u);
    EXPECT_LE(value.size(), 1024u);
  }
}

}  // namespace
}  // namespace meshid::identity
