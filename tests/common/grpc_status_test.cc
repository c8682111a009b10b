#include "common/grpc_status.h"

#include "gtest/gtest.h"

namespace meshid {
namespace {

TEST(GrpcStatusTest, EveryCanonicalCodeMapsBothWays) {
  for (int code = 0; code <= 16; ++code) {
    const absl::Status s(static_cast<absl::StatusCode>(code),
                         code == 0 ? "" : "message");
    const grpc::Status g = ToGrpcStatus(s);
    EXPECT_EQ(static_cast<int>(g.error_code()), code);
    EXPECT_EQ(g.error_message(), code == 0 ? "" : "message");
    EXPECT_EQ(FromGrpcStatus(g), s);
  }
}

TEST(GrpcStatusTest, UnknownCodesBecomeUnknown) {
  const absl::Status odd(static_cast<absl::StatusCode>(99), "x");
  EXPECT_EQ(ToGrpcStatus(odd).error_code(), grpc::StatusCode::UNKNOWN);
  // 20: not a gRPC code, yet inside grpc::StatusCode's range of values
  // (-32..31, the enum has no fixed type); casting 42 in was undefined
  // behaviour (UBSan: "load of value 42 ... not a valid value").
  EXPECT_EQ(FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(20), "y"))
                .code(),
            absl::StatusCode::kUnknown);
}

}  // namespace
}  // namespace meshid
