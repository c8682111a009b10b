// Every way a call to meshid-log is refused, with real processes, on SQLite
// and PostgreSQL: no token, a token for another audience, an expired one,
// one signed by a revoked key, one of a suspended subject ->
// UNAUTHENTICATED; a valid token without the scope -> PERMISSION_DENIED;
// bad filters and oversized batches -> INVALID_ARGUMENT. Callers get one
// generic UNAUTHENTICATED message (DESIGN.md "Tokens"); the server logs the
// stable reason; neither holds the token.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base64url.h"
#include "gtest/gtest.h"
#include "tests/logging/log_process_fixture.h"

namespace meshid::logging::testing {
namespace {

namespace ka = ::meshid::keyadmin::v1;

v1::AppendRequest OneEntry() {
  v1::AppendRequest request;
  *request.add_entries() = Entry("hello");
  return request;
}

// The kid in a token's header.
std::string KidOf(const std::string& token) {
  std::string header;
  EXPECT_TRUE(Base64UrlDecode(token.substr(0, token.find('.')), &header));
  const size_t at = header.find("\"kid\":\"") + 7;
  return header.substr(at, header.find('"', at) - at);
}

class LogDenyTest : public LogProcessTest {
 protected:
  // A call with `token` is UNAUTHENTICATED with the generic message, the
  // server logged an auth.denied line naming `reason` (one of them), and
  // neither the message nor the log holds the token.
  void ExpectUnauthenticated(const grpc::Status& status,
                             const std::string& token,
                             std::vector<std::string> reasons) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << status.error_message();
    EXPECT_EQ(status.error_message(), "missing or invalid bearer token");
    // The line is written before the answer is sent.
    bool named = false;
    for (const std::string& reason : reasons) {
      named |= absl::StrContains(
          log_->ReadLog(),
          absl::StrCat("\"reason\":\"", reason, "\""));
    }
    EXPECT_TRUE(named) << "no auth.denied line names "
                       << absl::StrJoin(reasons, " or ");
    if (!token.empty()) {
      EXPECT_FALSE(absl::StrContains(log_->ReadLog(), token));
    }
    if (!token.empty()) {
      EXPECT_FALSE(absl::StrContains(status.error_message(), token));
      const std::string signature = token.substr(token.rfind('.') + 1);
      EXPECT_FALSE(absl::StrContains(status.error_message(), signature));
    }
  }

  // The Log server still refuses nothing for `token` (its keys arrived).
  void ExpectAccepted(const std::string& token) {
    v1::AppendResponse response;
    const grpc::Status status =
        AppendOnceKeysArrived(token, OneEntry(), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
};

TEST_P(LogDenyTest, MissingOrMalformedTokensAreUnauthenticated) {
  v1::AppendResponse response;
  ExpectUnauthenticated(Append("", OneEntry(), &response), "",
                        {"missing_token"});
  ExpectUnauthenticated(Append("not-a-jwt", OneEntry(), &response), "not-a-jwt",
                        {"malformed"});
  v1::QueryResponse page;
  ExpectUnauthenticated(Query("", v1::QueryRequest(), &page), "",
                        {"missing_token"});
}

TEST_P(LogDenyTest, ATokenForAnotherAudienceIsUnauthenticated) {
  ExpectAccepted(WriterToken());
  // The same client, the same scope name, another audience: the Log server
  // never holds that pair's key, and would refuse the aud anyway.
  const std::string other =
      Token("careergpt-backend", "other-service", {"x:y"});
  v1::AppendResponse response;
  ExpectUnauthenticated(Append(other, OneEntry(), &response), other,
                        {"kid_unknown", "aud_mismatch"});
  // And meshid's own admin token (aud meshid-keyadmin).
  const std::string admin = AdminToken();
  ExpectUnauthenticated(Append(admin, OneEntry(), &response), admin,
                        {"kid_unknown", "aud_mismatch"});
}

TEST_P(LogDenyTest, AnExpiredTokenIsUnauthenticated) {
  // The pair's key reaches the Log server first (a long-lived token of the
  // same client and audience), so that the one-second token is spent on
  // being accepted once, not on waiting for its key (slow under sanitizers).
  ExpectAccepted(WriterToken());
  absl::StatusOr<std::string> short_lived =
      Issue("careergpt-backend", "logging-service", {"logs:write"},
            /*ttl_seconds=*/1);
  ASSERT_TRUE(short_lived.ok()) << short_lived.status();
  v1::AppendResponse response;
  const grpc::Status fresh = Append(*short_lived, OneEntry(), &response);
  ASSERT_TRUE(fresh.ok()) << fresh.error_message();
  // The Log server runs with --clock_skew=0s: at most one second later.
  const grpc::Status status =
      WaitForCode(grpc::StatusCode::UNAUTHENTICATED,
                  [&] { return Append(*short_lived, OneEntry(), &response); });
  ExpectUnauthenticated(status, *short_lived, {"expired"});
}

TEST_P(LogDenyTest, ATokenSignedByARevokedKeyIsUnauthenticated) {
  const std::string writer = WriterToken();
  ExpectAccepted(writer);
  ka::RevokeKeyRequest revoke;
  revoke.set_kid(KidOf(writer));
  revoke.set_reason("leaked in a test");
  ka::Key revoked;
  ASSERT_TRUE(
      keyadmin_stub_->RevokeKey(With(AdminToken()).get(), revoke, &revoked)
          .ok());
  v1::AppendResponse response;
  // WatchKeys carries the revocation to the Log server.
  const grpc::Status status =
      WaitForCode(grpc::StatusCode::UNAUTHENTICATED,
                  [&] { return Append(writer, OneEntry(), &response); });
  ExpectUnauthenticated(status, writer, {"key_revoked", "kid_unknown"});
}

TEST_P(LogDenyTest, ATokenOfASuspendedSubjectIsUnauthenticated) {
  const std::string writer = WriterToken();
  ExpectAccepted(writer);
  ka::TransitionPrincipalRequest suspend;
  suspend.set_principal_id("careergpt-backend");
  suspend.set_event(ka::PRINCIPAL_EVENT_SUSPEND);
  suspend.set_reason("incident");
  ka::Principal principal;
  ASSERT_TRUE(
      keyadmin_stub_
          ->TransitionPrincipal(With(AdminToken()).get(), suspend, &principal)
          .ok());
  v1::AppendResponse response;
  const grpc::Status status =
      WaitForCode(grpc::StatusCode::UNAUTHENTICATED,
                  [&] { return Append(writer, OneEntry(), &response); });
  ExpectUnauthenticated(status, writer, {"subject_revoked"});
  // And it gets no new token while suspended.
  EXPECT_FALSE(
      Issue("careergpt-backend", "logging-service", {"logs:write"}).ok());
}

TEST_P(LogDenyTest, AValidTokenWithoutTheScopeIsPermissionDenied) {
  const std::string reader = ReaderToken();
  const std::string writer = WriterToken();
  const std::string none = Token("no-scope", "logging-service");
  ExpectAccepted(writer);
  v1::AppendResponse appended;
  grpc::Status status = Append(reader, OneEntry(), &appended);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "logs:write"));
  status = Append(none, OneEntry(), &appended);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::QueryResponse page;
  for (const std::string& token : {writer, none}) {
    status = Query(token, v1::QueryRequest(), &page);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_TRUE(absl::StrContains(status.error_message(), "logs:read"));
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    auto tail = log_stub_->Tail(&context, v1::TailRequest());
    v1::LogEntry entry;
    EXPECT_FALSE(tail->Read(&entry));
    EXPECT_EQ(tail->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
}

TEST_P(LogDenyTest, BadFiltersAndOversizedBatchesAreInvalidArgument) {
  const std::string writer = WriterToken();
  const std::string reader = ReaderToken();
  ExpectAccepted(writer);  // one entry stored

  v1::AppendRequest oversized;
  for (int i = 0; i < 1001; ++i) *oversized.add_entries() = Entry("x");
  v1::AppendResponse appended;
  grpc::Status status = Append(writer, oversized, &appended);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "1000"))
      << status.error_message();
  status = Append(writer, v1::AppendRequest(), &appended);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::QueryRequest query;
  query.mutable_filter()->set_service("careergpt-backend");
  v1::QueryResponse page;
  ASSERT_TRUE(Query(reader, query, &page).ok());
  EXPECT_EQ(page.entries_size(), 1) << "nothing of the 1001 was stored";

  // Entries over their own limits are dropped one by one, not the batch.
  v1::AppendRequest mixed;
  *mixed.add_entries() = Entry(std::string(8 * 1024 + 1, 'm'));
  *mixed.add_entries() = Entry("fine");
  ASSERT_TRUE(Append(writer, mixed, &appended).ok());
  EXPECT_EQ(appended.accepted(), 1);
  EXPECT_EQ(appended.rejected(), 1);

  std::vector<std::pair<std::string, v1::QueryRequest>> bad;
  v1::QueryRequest q;
  q.mutable_filter()->mutable_start_time()->set_seconds(1700000001);
  q.mutable_filter()->mutable_end_time()->set_seconds(1700000000);
  bad.emplace_back("start_time", q);
  q = v1::QueryRequest();
  q.set_page_size(-1);
  bad.emplace_back("page_size", q);
  q = v1::QueryRequest();
  q.mutable_filter()->set_level(static_cast<v1::LogLevel>(7));
  bad.emplace_back("level", q);
  q = v1::QueryRequest();
  q.mutable_filter()->set_subject(std::string(257, 's'));
  bad.emplace_back("subject", q);
  q = v1::QueryRequest();
  q.mutable_filter()->mutable_start_time()->set_nanos(-1);
  bad.emplace_back("start_time", q);
  // A page token from another filter.
  v1::QueryRequest first;
  first.set_page_size(1);
  ASSERT_TRUE(Query(reader, first, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  q = v1::QueryRequest();
  q.mutable_filter()->set_service("careergpt-backend");
  q.set_page_size(1);
  q.set_page_token(page.next_page_token());
  bad.emplace_back("page_token", q);
  for (const auto& [field, request] : bad) {
    status = Query(reader, request, &page);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << field << ": " << status.error_message();
    EXPECT_TRUE(absl::StrContains(status.error_message(), field))
        << status.error_message();
  }

  // A Tail with a time range.
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + reader);
  v1::TailRequest tail_request;
  tail_request.mutable_filter()->mutable_start_time()->set_seconds(1);
  auto tail = log_stub_->Tail(&context, tail_request);
  v1::LogEntry entry;
  EXPECT_FALSE(tail->Read(&entry));
  status = tail->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "start_time"));
}

INSTANTIATE_TEST_SUITE_P(Backends, LogDenyTest,
                         ::testing::Values(Backend::kSqlite,
                                           Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace meshid::logging::testing
