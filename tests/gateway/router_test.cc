#include "gateway/router.h"

#include "gtest/gtest.h"

namespace meshid::gateway {
namespace {

std::vector<RouteSettings> Routes(std::vector<std::string> prefixes) {
  std::vector<RouteSettings> routes;
  for (std::string& p : prefixes) {
    RouteSettings r;
    r.method_prefix = std::move(p);
    routes.push_back(std::move(r));
  }
  return routes;
}

TEST(RouterTest, LongestPrefixWins) {
  const Router router(Routes({"/careergpt.v1.Resume/", "/careergpt.",
                              "/careergpt.v1.Resume/Get", "/"}));
  EXPECT_EQ(router.Match("/careergpt.v1.Resume/Get"), 2);
  EXPECT_EQ(router.Match("/careergpt.v1.Resume/GetAll"), 2);
  EXPECT_EQ(router.Match("/careergpt.v1.Resume/List"), 0);
  EXPECT_EQ(router.Match("/careergpt.v2.Jobs/List"), 1);
  EXPECT_EQ(router.Match("/other.Service/Method"), 3);
}

TEST(RouterTest, NoMatchIsNoRoute) {
  const Router router(Routes({"/a.B/", "/a.B/C"}));
  EXPECT_EQ(router.Match("/a.C/D"), Router::kNoRoute);
  EXPECT_EQ(router.Match("/a.B"), Router::kNoRoute);  // shorter than prefix
  EXPECT_EQ(router.Match(""), Router::kNoRoute);
  EXPECT_EQ(router.Match("/A.B/C"), Router::kNoRoute);  // case matters
}

TEST(RouterTest, ExactMethodRoute) {
  const Router router(Routes({"/a.B/C"}));
  EXPECT_EQ(router.Match("/a.B/C"), 0);
  EXPECT_EQ(router.Match("/a.B/D"), Router::kNoRoute);
}

}  // namespace
}  // namespace meshid::gateway
