// Calls pass through meshid-gateway intact: unary and every streaming
// kind, payloads, upstream metadata and trailers, error statuses with
// details; deadlines and cancellation reach the upstream; the caller's
// x-meshid-* headers are replaced by the verified ones, and the upstream
// sees the gateway's own token.
#include <thread>

#include "absl/strings/match.h"
#include "tests/gateway/integration_test_base.h"

namespace meshid::gatewaytest {
namespace {

class GatewayPassthroughTest : public GatewayIntegrationTest {
 protected:
  void SetUp() override {
    GatewayIntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    token_ = Caller("caller", {"echo:call"});
    gateway_ = Gateway(env_.BaseConfig());
    ASSERT_NE(gateway_, nullptr);
    echo_ = v1::Echo::NewStub(gateway_->NewChannel());
  }

  // Values of header `key` the upstream saw.
  static std::vector<std::string> Seen(const v1::EchoResponse& response,
                                       const std::string& key) {
    std::vector<std::string> values;
    for (const v1::Header& h : response.headers()) {
      if (h.key() == key) values.push_back(h.value());
    }
    return values;
  }

  static std::string Trailer(const grpc::ClientContext& context,
                             const std::string& key) {
    auto it = context.GetServerTrailingMetadata().find(key);
    if (it == context.GetServerTrailingMetadata().end()) return "";
    return std::string(it->second.data(), it->second.size());
  }

  int64_t UpstreamCancelled() {
    grpc::ClientContext context;
    v1::StatsResponse stats;
    EXPECT_TRUE(env_.DirectEcho()->Stats(&context, {}, &stats).ok());
    return stats.cancelled();
  }

  bool WaitForUpstreamCancelled(int64_t at_least) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (UpstreamCancelled() < at_least) {
      if (absl::Now() >= deadline) return false;
      absl::SleepFor(absl::Milliseconds(10));  // polling another process
    }
    return true;
  }

  std::string token_;
  std::unique_ptr<GatewayProcess> gateway_;
  std::unique_ptr<v1::Echo::Stub> echo_;
};

TEST_F(GatewayPassthroughTest, UnaryCarriesPayloadMetadataAndVerifiedCaller) {
  auto context = WithToken(token_);
  context->AddMetadata("x-request-id", "req-42");
  context->AddMetadata("x-custom-bin", std::string("\x00\x01\xff", 3));
  // A caller trying to speak for someone else.
  context->AddMetadata("x-meshid-subject", "admin");
  context->AddMetadata("x-meshid-roles", "echo-admin");
  context->AddMetadata("x-meshid-invented", "1");
  v1::EchoResponse response;
  const grpc::Status s =
      echo_->Unary(context.get(), Payload("hello"), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.payload(), "hello");

  EXPECT_EQ(Seen(response, "x-request-id"), std::vector<std::string>{"req-42"});
  EXPECT_EQ(Seen(response, "x-custom-bin"),
            std::vector<std::string>{std::string("\x00\x01\xff", 3)});
  EXPECT_EQ(Seen(response, "x-meshid-subject"),
            std::vector<std::string>{"caller"});
  EXPECT_EQ(Seen(response, "x-meshid-client-id"),
            std::vector<std::string>{"caller"});
  EXPECT_EQ(Seen(response, "x-meshid-scopes"),
            std::vector<std::string>{"echo:call"});
  EXPECT_EQ(Seen(response, "x-meshid-roles"),
            std::vector<std::string>{"service"});
  EXPECT_EQ(Seen(response, "x-meshid-token-id").size(), 1u);
  EXPECT_TRUE(Seen(response, "x-meshid-invented").empty());

  // The upstream gets the gateway's token for its own audience, not the
  // caller's.
  const std::vector<std::string> auth = Seen(response, "authorization");
  ASSERT_EQ(auth.size(), 1u);
  ASSERT_TRUE(absl::StartsWith(auth[0], "Bearer "));
  EXPECT_NE(auth[0], "Bearer " + token_);
  const std::string claims = JwtPayload(auth[0].substr(7));
  EXPECT_TRUE(absl::StrContains(claims, "\"aud\":\"echo-service\"")) << claims;
  EXPECT_TRUE(absl::StrContains(claims, "\"sub\":\"careergpt-backend\""))
      << claims;

  // Upstream initial metadata and trailers come back.
  auto initial = context->GetServerInitialMetadata().find("x-echo-initial");
  ASSERT_NE(initial, context->GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(initial->second.data(), initial->second.size()), "yes");
  EXPECT_EQ(Trailer(*context, "x-echo-trailer"), "Unary");
}

TEST_F(GatewayPassthroughTest,
       ErrorStatusDetailsAndTrailersAreReturnedAsTheyAre) {
  v1::EchoRequest request = Payload("x");
  request.set_fail_code(grpc::StatusCode::FAILED_PRECONDITION);
  request.set_fail_message("account is frozen");
  request.set_fail_details(
      std::string("\x0a\x03"
                  "abc\x00\xff",
                  7));
  auto context = WithToken(token_);
  v1::EchoResponse response;
  const grpc::Status s = echo_->Unary(context.get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "account is frozen");
  EXPECT_EQ(s.error_details(), std::string("\x0a\x03"
                                           "abc\x00\xff",
                                           7));
  EXPECT_EQ(Trailer(*context, "x-echo-trailer"), "Unary");
  // The upstream's own error goes to the access log as its code.
  EXPECT_TRUE(WaitForAccessEntry("/meshid.gatewaytest.v1.Echo/Unary",
                                 "FAILED_PRECONDITION"));
}

TEST_F(GatewayPassthroughTest, ClientStreaming) {
  auto context = WithToken(token_);
  v1::EchoResponse response;
  auto writer = echo_->ClientStream(context.get(), &response);
  for (const char* part : {"a", "bb", "ccc", "dddd"}) {
    ASSERT_TRUE(writer->Write(Payload(part)));
  }
  ASSERT_TRUE(writer->WritesDone());
  const grpc::Status s = writer->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.payload(), "abbcccdddd");
  EXPECT_EQ(Trailer(*context, "x-echo-trailer"), "ClientStream");
}

TEST_F(GatewayPassthroughTest, ManyMessagesEachWayKeepTheirOrder) {
  {
    auto context = WithToken(token_);
    v1::EchoResponse response;
    auto writer = echo_->ClientStream(context.get(), &response);
    std::string expected;
    for (int i = 0; i < 200; ++i) {
      const std::string part = absl::StrCat(i, ",");
      expected += part;
      ASSERT_TRUE(writer->Write(Payload(part)));
    }
    ASSERT_TRUE(writer->WritesDone());
    ASSERT_TRUE(writer->Finish().ok());
    EXPECT_EQ(response.payload(), expected);
  }
  {
    v1::EchoRequest request = Payload("tick");
    request.set_repeat(500);
    auto context = WithToken(token_);
    auto reader = echo_->ServerStream(context.get(), request);
    v1::EchoResponse response;
    int n = 0;
    while (reader->Read(&response)) ASSERT_EQ(response.index(), n++);
    EXPECT_EQ(n, 500);
    EXPECT_TRUE(reader->Finish().ok());
  }
  {
    // Bidi: all requests first, then all replies.
    auto context = WithToken(token_);
    auto stream = echo_->Bidi(context.get());
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(stream->Write(Payload(absl::StrCat("m", i))));
    }
    ASSERT_TRUE(stream->WritesDone());
    v1::EchoResponse response;
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(stream->Read(&response));
      EXPECT_EQ(response.payload(), absl::StrCat("m", i));
    }
    EXPECT_FALSE(stream->Read(&response));
    EXPECT_TRUE(stream->Finish().ok());
  }
}

TEST_F(GatewayPassthroughTest, EmptyStreamsPassThrough) {
  // No request message at all, then half-close.
  auto context = WithToken(token_);
  v1::EchoResponse response;
  auto writer = echo_->ClientStream(context.get(), &response);
  ASSERT_TRUE(writer->WritesDone());
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(response.payload(), "");
  // No response message at all before the status.
  v1::EchoRequest request = Payload("x");
  request.set_repeat(0);
  auto context2 = WithToken(token_);
  auto reader = echo_->ServerStream(context2.get(), request);
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(Trailer(*context2, "x-echo-trailer"), "ServerStream");
}

TEST_F(GatewayPassthroughTest, ServerStreamingThenAnError) {
  v1::EchoRequest request = Payload("tick");
  request.set_repeat(5);
  {
    auto context = WithToken(token_);
    auto reader = echo_->ServerStream(context.get(), request);
    v1::EchoResponse response;
    int n = 0;
    while (reader->Read(&response)) {
      EXPECT_EQ(response.payload(), "tick");
      EXPECT_EQ(response.index(), n++);
    }
    EXPECT_EQ(n, 5);
    EXPECT_TRUE(reader->Finish().ok());
    EXPECT_EQ(Trailer(*context, "x-echo-trailer"), "ServerStream");
  }
  request.set_fail_code(grpc::StatusCode::ABORTED);
  request.set_fail_message("stopped midway");
  auto context = WithToken(token_);
  auto reader = echo_->ServerStream(context.get(), request);
  v1::EchoResponse response;
  int n = 0;
  while (reader->Read(&response)) ++n;
  EXPECT_EQ(n, 5);
  const grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(s.error_message(), "stopped midway");
}

TEST_F(GatewayPassthroughTest, BidiPingPongAndLargeMessages) {
  auto context = WithToken(token_);
  auto stream = echo_->Bidi(context.get());
  v1::EchoResponse response;
  // Each reply is awaited before the next request: nothing may be held
  // back waiting for more input.
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(stream->Write(Payload("ping" + std::to_string(i))));
    ASSERT_TRUE(stream->Read(&response));
    EXPECT_EQ(response.payload(), "ping" + std::to_string(i));
    EXPECT_EQ(response.index(), i);
  }
  const std::string big(1 << 20, 'z');
  ASSERT_TRUE(stream->Write(Payload(big)));
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.payload(), big);
  ASSERT_TRUE(stream->WritesDone());
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(Trailer(*context, "x-echo-trailer"), "Bidi");
}

TEST_F(GatewayPassthroughTest, DeadlinesReachTheUpstreamAndEndHangingCalls) {
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token_);
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(3));
    v1::EchoResponse response;
    ASSERT_TRUE(echo_->Unary(&context, Payload("x"), &response).ok());
    EXPECT_GT(response.deadline_remaining_ms(), 1000);
    // grpc-timeout is sent with at most 3 significant digits, rounded up,
    // once per hop: the upstream may see a few milliseconds more.
    EXPECT_LE(response.deadline_remaining_ms(), 3000 + 50);
  }
  {
    // Without a deadline, none is invented.
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token_);
    v1::EchoResponse response;
    ASSERT_TRUE(echo_->Unary(&context, Payload("x"), &response).ok());
    EXPECT_EQ(response.deadline_remaining_ms(), -1);
  }
  const int64_t cancelled_before = UpstreamCancelled();
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token_);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(300));
  v1::EchoRequest hang = Payload("x");
  hang.set_hang(true);
  v1::EchoResponse response;
  const grpc::Status s = echo_->Unary(&context, hang, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(WaitForUpstreamCancelled(cancelled_before + 1));
}

TEST_F(GatewayPassthroughTest, CancellingAStreamCancelsTheUpstreamCall) {
  const int64_t cancelled_before = UpstreamCancelled();
  auto context = WithToken(token_);
  auto stream = echo_->Bidi(context.get());
  v1::EchoResponse response;
  ASSERT_TRUE(stream->Write(Payload("first")));
  ASSERT_TRUE(stream->Read(&response));
  v1::EchoRequest hang = Payload("wait");
  hang.set_hang(true);
  ASSERT_TRUE(stream->Write(hang));
  context->TryCancel();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(WaitForUpstreamCancelled(cancelled_before + 1));
}

TEST_F(GatewayPassthroughTest, ManyConcurrentCallsOnOneConnection) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        v1::EchoResponse response;
        const std::string payload = absl::StrCat(t, "-", i);
        if (echo_->Unary(WithToken(token_).get(), Payload(payload), &response)
                .ok() &&
            response.payload() == payload) {
          ok.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 400);
}

}  // namespace
}  // namespace meshid::gatewaytest
