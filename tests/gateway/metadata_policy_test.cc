#include "gateway/metadata_policy.h"

#include <map>

#include "gateway/call_admission.h"
#include "gateway/peer_address.h"
#include "gtest/gtest.h"

namespace meshid::gateway {
namespace {

TEST(MetadataPolicyTest, CallerHeadersAreForwardedExceptReplacedOnes) {
  EXPECT_TRUE(ForwardRequestHeader("x-request-id"));
  EXPECT_TRUE(ForwardRequestHeader("traceparent"));
  EXPECT_TRUE(ForwardRequestHeader("x-custom-bin"));
  EXPECT_FALSE(ForwardRequestHeader("authorization"));
  EXPECT_FALSE(ForwardRequestHeader("x-meshid-subject"));
  EXPECT_FALSE(ForwardRequestHeader("x-meshid-anything"));
  EXPECT_FALSE(ForwardRequestHeader(":authority"));
  EXPECT_FALSE(ForwardRequestHeader("grpc-timeout"));
  EXPECT_FALSE(ForwardRequestHeader("grpc-accept-encoding"));
  EXPECT_FALSE(ForwardRequestHeader("user-agent"));
  EXPECT_FALSE(ForwardRequestHeader("te"));
  EXPECT_FALSE(ForwardRequestHeader("content-type"));
  EXPECT_FALSE(ForwardRequestHeader("connection"));
}

TEST(MetadataPolicyTest, UpstreamHeadersReturnExceptReservedOnes) {
  EXPECT_TRUE(ForwardResponseHeader("x-echo-trailer"));
  EXPECT_TRUE(ForwardResponseHeader("x-meshid-whatever"));  // upstream's own
  EXPECT_FALSE(ForwardResponseHeader("grpc-status"));
  EXPECT_FALSE(ForwardResponseHeader("grpc-message"));
  EXPECT_FALSE(ForwardResponseHeader("grpc-status-details-bin"));
  EXPECT_FALSE(ForwardResponseHeader("content-type"));
}

TEST(MetadataPolicyTest, VerifiedCallerHeaders) {
  Principal p;
  p.subject = "alice";
  p.client_id = "web";
  p.scope = "echo:call echo:admin";
  p.roles = {"user", "subscriber"};
  p.jti = "jti-1";
  std::map<std::string, std::string> headers;
  ForEachCallerHeader(p, [&](absl::string_view k, std::string v) {
    headers[std::string(k)] = v;
  });
  EXPECT_EQ(headers, (std::map<std::string, std::string>{
                         {"x-meshid-subject", "alice"},
                         {"x-meshid-client-id", "web"},
                         {"x-meshid-scopes", "echo:call echo:admin"},
                         {"x-meshid-roles", "user subscriber"},
                         {"x-meshid-token-id", "jti-1"}}));
  p.state = "SUBSCRIBER";
  headers.clear();
  ForEachCallerHeader(p, [&](absl::string_view k, std::string v) {
    headers[std::string(k)] = v;
  });
  EXPECT_EQ(headers["x-meshid-principal-state"], "SUBSCRIBER");
}

TEST(MetadataPolicyTest, HeaderValuesArePercentEncodedWhenNeeded) {
  EXPECT_EQ(HeaderValue("plain value"), "plain value");
  EXPECT_EQ(HeaderValue("caf\xc3\xa9"), "caf%C3%A9");
  EXPECT_EQ(HeaderValue("100%"), "100%25");
  EXPECT_EQ(HeaderValue("a\nb"), "a%0Ab");
}

TEST(PeerAddressTest, AddressWithoutPort) {
  EXPECT_EQ(PeerAddress("ipv4:10.0.0.7:51234"), "10.0.0.7");
  EXPECT_EQ(PeerAddress("ipv6:[::1]:51234"), "::1");
  EXPECT_EQ(PeerAddress("ipv6:%5B::1%5D:51234"), "::1");
  EXPECT_EQ(PeerAddress("unix:/run/gw.sock"), "unix:/run/gw.sock");
  EXPECT_EQ(PeerAddress(""), "");
}

TEST(BearerTokenTest, StrictBearerScheme) {
  EXPECT_EQ(BearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(BearerToken("bearer abc"), "abc");
  EXPECT_EQ(BearerToken("BEARER abc"), "abc");
  EXPECT_EQ(BearerToken("Bearer "), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  // What follows the scheme is the validator's business.
  EXPECT_EQ(BearerToken("Bearer abc def"), "abc def");
  EXPECT_EQ(BearerToken("abc.def.ghi"), "");
}

}  // namespace
}  // namespace meshid::gateway
