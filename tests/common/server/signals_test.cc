#include "common/server/signals.h"

#include <pthread.h>
#include <signal.h>

#include <thread>

#include "absl/types/optional.h"
#include "gtest/gtest.h"

namespace meshid::server {
namespace {

// Restores the calling thread's signal mask, so each test starts clean.
class SignalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pthread_sigmask(SIG_SETMASK, nullptr, &saved_), 0);
  }
  void TearDown() override { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }

 private:
  sigset_t saved_;
};

TEST_F(SignalsTest, BlocksTheSignalsInTheCallingThread) {
  ASSERT_TRUE(BlockShutdownSignals().ok());
  sigset_t mask;
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, nullptr, &mask), 0);
  EXPECT_EQ(sigismember(&mask, SIGTERM), 1);
  EXPECT_EQ(sigismember(&mask, SIGINT), 1);
}

TEST_F(SignalsTest, SigtermRaisedAtSelfIsReturned) {
  ASSERT_TRUE(BlockShutdownSignals().ok());
  // Blocked, so it stays pending instead of killing the test.
  ASSERT_EQ(raise(SIGTERM), 0);
  EXPECT_EQ(WaitForShutdownSignalFor(absl::Seconds(30)),
            ShutdownSignal::kTerminate);
}

TEST_F(SignalsTest, ThreadsCreatedAfterBlockingWaitForTheSignal) {
  ASSERT_TRUE(BlockShutdownSignals().ok());
  absl::optional<ShutdownSignal> received;
  std::thread waiter([&received] { received = WaitForShutdownSignal(); });
  // The waiter inherited the mask, so SIGINT waits for its sigwait even if
  // it is sent before the thread gets there.
  ASSERT_EQ(pthread_kill(waiter.native_handle(), SIGINT), 0);
  waiter.join();
  EXPECT_EQ(received, ShutdownSignal::kInterrupt);
}

TEST_F(SignalsTest, TimedWaitReturnsNothingWithoutASignal) {
  ASSERT_TRUE(BlockShutdownSignals().ok());
  EXPECT_EQ(WaitForShutdownSignalFor(absl::Milliseconds(1)), absl::nullopt);
  EXPECT_EQ(WaitForShutdownSignalFor(absl::ZeroDuration()), absl::nullopt);
}

TEST(ShutdownSignalNameTest, NamesBothSignals) {
  EXPECT_EQ(ShutdownSignalName(ShutdownSignal::kTerminate), "SIGTERM");
  EXPECT_EQ(ShutdownSignalName(ShutdownSignal::kInterrupt), "SIGINT");
}

}  // namespace
}  // namespace meshid::server
