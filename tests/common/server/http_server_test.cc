#include "common/server/http_server.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "tests/common/server/test_http_client.h"

namespace meshid::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

HttpServerOptions LocalOptions(
    std::shared_ptr<prometheus::Registry> registry = nullptr) {
  HttpServerOptions options;
  options.address = "127.0.0.1:0";
  options.metrics = std::move(registry);
  return options;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_shared<prometheus::Registry>();
    auto& family = prometheus::BuildCounter()
                       .Name("meshid_test_requests_total")
                       .Help("Requests seen by the test.")
                       .Register(*registry_);
    family.Add({{"route", "jwks"}}).Increment(3);
    server_ = std::make_unique<HttpServer>(LocalOptions(registry_));
    ASSERT_TRUE(server_
                    ->Handle("/.well-known/jwks.json",
                             [](const HttpRequest& request) {
                               return HttpResponse{
                                   200, "application/json", "max-age=60",
                                   absl::StrCat("{\"keys\":[],\"q\":\"",
                                                request.query, "\"}")};
                             })
                    .ok());
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_GT(server_->port(), 0);
  }

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ServesMetricsInTextFormat) {
  auto response = HttpGet(server_->port(), "/metrics");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->headers["content-type"], HasSubstr("version=0.0.4"));
  EXPECT_THAT(response->body,
              HasSubstr("# TYPE meshid_test_requests_total counter"));
  EXPECT_THAT(response->body,
              HasSubstr("meshid_test_requests_total{route=\"jwks\"} 3"));
}

TEST_F(HttpServerTest, HealthzFollowsServingState) {
  auto ok = HttpGet(server_->port(), "/healthz");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "ok\n");

  server_->SetServing(false);
  auto draining = HttpGet(server_->port(), "/healthz");
  ASSERT_TRUE(draining.ok()) << draining.status();
  EXPECT_EQ(draining->status, 503);
}

TEST_F(HttpServerTest, ServesRegisteredHandlerWithItsHeaders) {
  auto response = HttpGet(server_->port(), "/.well-known/jwks.json?x=1");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers["content-type"], "application/json");
  EXPECT_EQ(response->headers["cache-control"], "max-age=60");
  EXPECT_EQ(response->headers["content-length"],
            absl::StrCat(response->body.size()));
  EXPECT_EQ(response->body, "{\"keys\":[],\"q\":\"x=1\"}");
}

TEST_F(HttpServerTest, UnknownPathsAre404AndNoFileIsServed) {
  for (const char* target :
       {"/nope", "/", "/metrics/", "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd", "/.well-known/jwks.json/x"}) {
    auto response = HttpGet(server_->port(), target);
    ASSERT_TRUE(response.ok()) << target << ": " << response.status();
    EXPECT_EQ(response->status, 404) << target;
    EXPECT_THAT(response->body, Not(HasSubstr("root:"))) << target;
  }
}

TEST_F(HttpServerTest, OtherMethodsAre405) {
  for (const char* method : {"POST", "PUT", "DELETE", "HEAD", "OPTIONS"}) {
    auto response = SendRawHttp(
        server_->port(),
        absl::StrCat(method,
                     " /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     "Content-Length: 0\r\n\r\n"));
    ASSERT_TRUE(response.ok()) << method << ": " << response.status();
    EXPECT_EQ(response->status, 405) << method;
    EXPECT_EQ(response->headers["allow"], "GET") << method;
  }
}

TEST_F(HttpServerTest, RequestBodiesAreRefused) {
  auto sized = SendRawHttp(server_->port(),
                           "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                           "Content-Length: 5\r\n\r\nhello");
  ASSERT_TRUE(sized.ok()) << sized.status();
  EXPECT_EQ(sized->status, 413);

  auto chunked = SendRawHttp(server_->port(),
                             "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n"
                             "5\r\nhello\r\n0\r\n\r\n");
  ASSERT_TRUE(chunked.ok()) << chunked.status();
  EXPECT_EQ(chunked->status, 413);
}

TEST_F(HttpServerTest, PortInUseIsAClearError) {
  const std::string address = absl::StrCat("127.0.0.1:", server_->port());
  HttpServerOptions options = LocalOptions();
  options.address = address;
  HttpServer second(std::move(options));
  const absl::Status status = second.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr(address));
  EXPECT_EQ(second.port(), 0);
}

TEST_F(HttpServerTest, StopIsIdempotentAndClosesThePort) {
  const int port = server_->port();
  server_->Stop();
  server_->Stop();
  EXPECT_EQ(server_->port(), 0);
  EXPECT_FALSE(HttpGet(port, "/healthz").ok());
}

TEST_F(HttpServerTest, HandlersAreFixedOnceStarted) {
  const absl::Status status = server_->Handle(
      "/late", [](const HttpRequest&) { return HttpResponse{}; });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(server_->Start().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(HttpServerHandleTest, RejectsBadAndDuplicatePaths) {
  HttpServer server(LocalOptions());
  auto handler = [](const HttpRequest&) { return HttpResponse{}; };
  EXPECT_EQ(server.Handle("/metrics", handler).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server.Handle("/healthz", handler).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server.Handle("nope", handler).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server.Handle("/a\r\nb", handler).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server.Handle("/x", nullptr).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(server.Handle("/x", handler).ok());
  EXPECT_EQ(server.Handle("/x", handler).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(HttpServerStartTest, RejectsAddressesThatAreNotIpAndPort) {
  for (const char* address :
       {"", "9100", "localhost:9100", "127.0.0.1:9100s", "127.0.0.1:9100r",
        "127.0.0.1:1,127.0.0.1:2", "127.0.0.1:65536", "127.0.0.1:-1",
        "256.0.0.1:1", "[::1:1", "127.0.0.1:", "127.0.0.1: 80", "127.0.0.1:+80",
        "127.0.0.1 :80", " 127.0.0.1:80", "1.2.3:80", "1.2.3.4.5:80"}) {
    HttpServerOptions options;
    options.address = address;
    HttpServer server(std::move(options));
    EXPECT_EQ(server.Start().code(), absl::StatusCode::kInvalidArgument)
        << address;
  }
}

TEST(HttpServerStartTest, MetricsAbsentWithoutARegistry) {
  HttpServer server(LocalOptions());
  ASSERT_TRUE(server.Start().ok());
  auto response = HttpGet(server.port(), "/metrics");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 404);
}

TEST(HttpServerStartTest, BadHandlerResponsesBecome500) {
  HttpServer server(LocalOptions());
  ASSERT_TRUE(server
                  .Handle("/inject",
                          [](const HttpRequest&) {
                            return HttpResponse{200, "text/plain\r\nX-Evil: 1",
                                                "no-store", "body"};
                          })
                  .ok());
  ASSERT_TRUE(server.Start().ok());
  auto response = HttpGet(server.port(), "/inject");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 500);
  EXPECT_FALSE(response->headers.contains("x-evil"));
}

}  // namespace
}  // namespace meshid::server
