// Store URLs as OpenStore sees them: what is refused, and that a password
// never reaches a message. (URL parsing itself: tests/storage/.)

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
#include "tests/identity/store/store_test_env.h"

namespace meshid::identity::testing {
namespace {

constexpr char kPassword[] = "Sup3r-Secret%21pw";
constexpr char kDecodedPassword[] = "Sup3r-Secret!pw";

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

}  // namespace
}  // namespace meshid::identity::testing
