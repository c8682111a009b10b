// Store URLs: what is accepted, what is refused, and that a password never
// reaches a message.
#include "identity/store/store_url.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "identity/store/store.h"
#include "identity/store/time_codec.h"
#include "tests/identity/store/store_test_env.h"

namespace meshid::identity::testing {
namespace {

constexpr char kPassword[] = "Sup3r-Secret%21pw";
constexpr char kDecodedPassword[] = "Sup3r-Secret!pw";

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

TEST(StoreUrlTest, BadUrlsAreInvalidArgument) {
  for (const std::string& url : std::vector<std::string>{
           "", "mysql://u@h/db", "sqlite:", "sqlite://relative/meshid.db",
           "sqlite:relative.db", "sqlite:///", "sqlite:///var/lib/meshid/",
           "sqlite:///tmp/meshid.db?mode=ro", "SQLITE:///tmp/meshid.db",
           "/tmp/meshid.db",
           absl::StrCat("postgresql://u:", kPassword,
                        "@127.0.0.1/db?no_such_option=1")}) {
    const absl::Status open = OpenStore(url, StoreOptions()).status();
    EXPECT_TRUE(absl::IsInvalidArgument(open)) << url << ": " << open;
    EXPECT_FALSE(absl::StrContains(open.message(), kPassword)) << open;
    EXPECT_FALSE(absl::StrContains(open.message(), kDecodedPassword)) << open;
    const absl::Status status = GetMigrationStatus(url).status();
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << url << ": " << status;
  }
}

TEST(StoreUrlTest, SqliteFolderMustExist) {
  const std::string folder = ::testing::TempDir() + "meshid_no_such_folder_" +
                             std::to_string(getpid());
  const std::string url = "sqlite://" + folder + "/meshid.db";
  const absl::Status status = OpenStore(url, StoreOptions()).status();
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), folder)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "does not exist")) << status;
  struct stat st {};
  EXPECT_NE(stat(folder.c_str(), &st), 0) << "the folder was created";
  EXPECT_TRUE(absl::IsInvalidArgument(GetMigrationStatus(url).status()));
}

// A port nothing listens on: bound, then released.
int ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return 1;
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(StoreUrlTest, UnreachablePostgresIsUnavailableWithoutThePassword) {
  const std::string url =
      absl::StrCat("postgresql://meshid:", kPassword,
                   "@127.0.0.1:", ClosedPort(), "/meshid?connect_timeout=2");
  const absl::Status open = OpenStore(url, StoreOptions()).status();
  EXPECT_TRUE(absl::IsUnavailable(open)) << open;
  EXPECT_TRUE(absl::StartsWith(open.message(), "store unavailable: ")) << open;
  EXPECT_FALSE(absl::StrContains(open.message(), kPassword)) << open;
  EXPECT_FALSE(absl::StrContains(open.message(), kDecodedPassword)) << open;
  const absl::Status status = GetMigrationStatus(url).status();
  EXPECT_TRUE(absl::IsUnavailable(status)) << status;
  EXPECT_FALSE(absl::StrContains(status.message(), kPassword)) << status;
}

TEST(StoreUrlTest, SecretsAreScrubbedFromDriverMessages) {
  ASSERT_OK_AND_ASSIGN(store_internal::ParsedStoreUrl parsed,
                       store_internal::ParseStoreUrl(absl::StrCat(
                           "postgresql://meshid:", kPassword, "@h/db")));
  EXPECT_EQ(store_internal::ScrubSecrets(
                absl::StrCat("auth failed for ", kDecodedPassword, " and ",
                             kPassword),
                parsed.secrets),
            "auth failed for *** and ***");
}

TEST(StoreUrlTest, PostgresDefaultsAreAddedUnlessSet) {
  using store_internal::ParsedStoreUrl;
  using store_internal::ParseStoreUrl;
  ASSERT_OK_AND_ASSIGN(ParsedStoreUrl plain, ParseStoreUrl("postgres://h/db"));
  EXPECT_EQ(
      plain.pg_conninfo,
      "postgres://h/db?connect_timeout=5&application_name=meshid-identity");
  ASSERT_OK_AND_ASSIGN(ParsedStoreUrl own,
                       ParseStoreUrl("postgres://h/db?connect_timeout=1"));
  EXPECT_EQ(
      own.pg_conninfo,
      "postgres://h/db?connect_timeout=1&application_name=meshid-identity");
  // The result must still parse, whatever the URL ended with.
  for (const char* url :
       {"postgres://h/db?", "postgres://h/db?sslmode=disable&"}) {
    ASSERT_OK_AND_ASSIGN(ParsedStoreUrl parsed, ParseStoreUrl(url));
    EXPECT_OK(ParseStoreUrl(parsed.pg_conninfo).status()) << parsed.pg_conninfo;
  }
}

TEST(TimeCodecTest, PostgresTextIsExact) {
  using store_internal::MicrosToPgTimestamp;
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
      store_internal::TimeToMicros(
          absl::FromUnixMicros(5) + absl::Nanoseconds(999), "t"));
  EXPECT_EQ(micros, 5);
}

}  // namespace
}  // namespace meshid::identity::testing
