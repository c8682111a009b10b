// storage/ on its own: store URL parsing and redaction, secret scrubbing,
// the PostgreSQL time text.
#include "storage/store_url.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "storage/time_codec.h"
#include "tests/testing/status_assertions.h"

namespace meshid::storage {
namespace {

constexpr char kPassword[] = "Sup3r-Secret%21pw";
constexpr char kDecodedPassword[] = "Sup3r-Secret!pw";
constexpr char kApplication[] = "meshid-identity";

TEST(RedactUrlTest, HidesEveryPassword) {
  EXPECT_EQ(RedactUrl("postgresql://meshid:hunter2@db.internal:5432/meshid"),
            "postgresql://meshid:***@db.internal:5432/meshid");
  EXPECT_EQ(RedactUrl("postgres://u:p%40ss@h/db?sslmode=require"),
            "postgres://u:***@h/db?sslmode=require");
  // An unencoded '@' in the password: the last '@' ends the userinfo.
  EXPECT_EQ(RedactUrl("postgresql://u:p@ss@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(RedactUrl("postgresql://u@h/db?password=x&sslmode=disable"),
            "postgresql://u@h/db?password=***&sslmode=disable");
  EXPECT_EQ(RedactUrl("postgresql://u:pw@h1:1,h2:2/db?a=1&password=x#frag"),
            "postgresql://u:***@h1:1,h2:2/db?a=1&password=***#frag");
  EXPECT_EQ(RedactUrl("host=h password=secret dbname=d"),
            "host=h password=*** dbname=d");
  EXPECT_EQ(RedactUrl("host=h password = 'se cret' dbname=d"),
            "host=h password = *** dbname=d");
}

TEST(RedactUrlTest, LeavesUrlsWithoutPasswordsAlone) {
  for (const char* url :
       {"postgresql://u@h:5432/db", "postgresql:///db?host=/run/pg",
        "sqlite:///var/lib/meshid/meshid.db", "postgres://h/db?passwordless=1",
        ""}) {
    EXPECT_EQ(RedactUrl(url), url);
  }
}

TEST(StoreUrlTest, SecretsAreScrubbedFromDriverMessages) {
  ASSERT_OK_AND_ASSIGN(
      ParsedStoreUrl parsed,
      ParseStoreUrl(absl::StrCat("postgresql://meshid:", kPassword, "@h/db"),
                    kApplication));
  EXPECT_EQ(ScrubSecrets(absl::StrCat("auth failed for ", kDecodedPassword,
                                      " and ", kPassword),
                         parsed.secrets),
            "auth failed for *** and ***");
}

TEST(StoreUrlTest, PostgresDefaultsAreAddedUnlessSet) {
  ASSERT_OK_AND_ASSIGN(ParsedStoreUrl plain,
                       ParseStoreUrl("postgres://h/db", kApplication));
  EXPECT_EQ(
      plain.pg_conninfo,
      "postgres://h/db?connect_timeout=5&application_name=meshid-identity");
  ASSERT_OK_AND_ASSIGN(
      ParsedStoreUrl own,
      ParseStoreUrl("postgres://h/db?connect_timeout=1", kApplication));
  EXPECT_EQ(
      own.pg_conninfo,
      "postgres://h/db?connect_timeout=1&application_name=meshid-identity");
  // Each process names its own connections.
  ASSERT_OK_AND_ASSIGN(ParsedStoreUrl log,
                       ParseStoreUrl("postgres://h/db", "meshid-log"));
  EXPECT_EQ(log.pg_conninfo,
            "postgres://h/db?connect_timeout=5&application_name=meshid-log");
  // The result must still parse, whatever the URL ended with.
  for (const char* url :
       {"postgres://h/db?", "postgres://h/db?sslmode=disable&"}) {
    ASSERT_OK_AND_ASSIGN(ParsedStoreUrl parsed,
                         ParseStoreUrl(url, kApplication));
    EXPECT_OK(ParseStoreUrl(parsed.pg_conninfo, kApplication).status())
        << parsed.pg_conninfo;
  }
}

TEST(TimeCodecTest, PostgresTextIsExact) {
  EXPECT_EQ(MicrosToPgTimestamp(0), "1970-01-01 00:00:00.000000+00");
  EXPECT_EQ(MicrosToPgTimestamp(-1), "1969-12-31 23:59:59.999999+00");
  EXPECT_EQ(MicrosToPgTimestamp(1700000000123456),
            "2023-11-14 22:13:20.123456+00");
  EXPECT_EQ(MicrosToPgTimestamp(-62135596800000000),
            "0001-01-01 00:00:00.000000+00");
  EXPECT_EQ(MicrosToPgTimestamp(253402300799999999),
            "9999-12-31 23:59:59.999999+00");
  // Sub-microsecond parts are dropped (rounded down), never rounded up.
  ASSERT_OK_AND_ASSIGN(
      int64_t micros,
      TimeToMicros(absl::FromUnixMicros(5) + absl::Nanoseconds(999), "t"));
  EXPECT_EQ(micros, 5);
}

}  // namespace
}  // namespace meshid::storage
