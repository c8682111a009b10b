// LogServer::Start refuses a bad configuration up front, and a start that
// fails half way (its port taken) cleans up after itself.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "logging/log_server.h"

namespace meshid::logging {
namespace {

class LogServerStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/meshid-logstart-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    folder_ = pattern;
    config_.store_url = absl::StrCat("sqlite://", folder_, "/log.db");
    config_.grpc_address = "127.0.0.1:0";
    config_.http_address = "127.0.0.1:0";
    // Nothing listens there: the watcher keeps retrying in the background,
    // which Start does not wait for.
    config_.identity_address = "127.0.0.1:1";
    config_.keyadmin_address = "127.0.0.1:1";
    config_.client_secret = "a-secret-for-a-server-that-never-connects";
  }
  void TearDown() override {
    std::system(absl::StrCat("rm -rf '", folder_, "'").c_str());
  }

  std::string folder_;
  LogServerConfig config_;
};

TEST_F(LogServerStartTest, StartsWithoutKeysAndStops) {
  absl::StatusOr<std::unique_ptr<LogServer>> server = LogServer::Start(config_);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_NE((*server)->ports().grpc, 0);
  EXPECT_NE((*server)->ports().http, 0);
  EXPECT_EQ((*server)->store_dialect(), "sqlite");
  EXPECT_FALSE((*server)->WaitForKeys(absl::ZeroDuration()));
  (*server)->Stop(absl::Seconds(1));
}

TEST_F(LogServerStartTest, BadConfigurationsAreInvalidArgument) {
  LogServerConfig no_secret = config_;
  no_secret.client_secret.clear();
  EXPECT_TRUE(absl::IsInvalidArgument(LogServer::Start(no_secret).status()));
  LogServerConfig no_keys = config_;
  no_keys.keyadmin_address.clear();
  EXPECT_TRUE(absl::IsInvalidArgument(LogServer::Start(no_keys).status()));
  LogServerConfig bad_sizes = config_;
  bad_sizes.tails.buffer_entries = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(LogServer::Start(bad_sizes).status()));
  LogServerConfig bad_store = config_;
  bad_store.store_url = "mysql://nope";
  EXPECT_TRUE(absl::IsInvalidArgument(LogServer::Start(bad_store).status()));
}

TEST_F(LogServerStartTest, ATakenPortFailsCleanly) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  config_.http_address = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));
  const absl::Status status = LogServer::Start(config_).status();
  EXPECT_TRUE(absl::IsUnavailable(status)) << status;
  close(fd);
}

}  // namespace
}  // namespace meshid::logging
