#include "common/server/grpc_log_bridge.h"

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/json/json_reader.h"
#include "common/server/json_log.h"
#include "gmock/gmock.h"
#include "grpc/support/log.h"
#include "gtest/gtest.h"

namespace meshid::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(GrpcLogBridgeTest, GrpcMessagesBecomeJsonLines) {
  absl::Mutex mu;
  std::vector<std::string> lines;
  SetLogSinkForTesting([&](absl::string_view line) {
    absl::MutexLock lock(&mu);
    lines.emplace_back(line);
  });
  RouteGrpcLogsToJsonLog();
  gpr_log(GPR_ERROR, "Failed to add port %d", 50051);
  gpr_log(GPR_ERROR, "HDR authorization: Bearer %s", "abc.def.ghi");
  SetLogSinkForTesting(nullptr);

  absl::MutexLock lock(&mu);
  ASSERT_EQ(lines.size(), 2u);
  json::JsonDocument doc;
  ASSERT_EQ(doc.Parse(lines[0], json::JsonLimits{}), json::JsonError::kNone);
  EXPECT_EQ(doc.FindMember(doc.root(), "event")->text, "grpc.log");
  EXPECT_EQ(doc.FindMember(doc.root(), "level")->text, "error");
  EXPECT_EQ(doc.FindMember(doc.root(), "message")->text,
            "Failed to add port 50051");
  EXPECT_THAT(lines[1], Not(HasSubstr("abc.def.ghi")));
}

TEST(GrpcLogBridgeTest, ScrubsMessagesThatMayQuoteCredentials) {
  EXPECT_EQ(ScrubGrpcLogMessage("listening on 50051"), "listening on 50051");
  EXPECT_THAT(std::string(ScrubGrpcLogMessage("Authorization: x")),
              Not(HasSubstr("x")));
  EXPECT_THAT(std::string(ScrubGrpcLogMessage("bearer abc")),
              Not(HasSubstr("abc")));
}

}  // namespace
}  // namespace meshid::server
