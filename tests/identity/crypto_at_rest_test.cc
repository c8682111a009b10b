// The master key, the sealing of key material, client secret hashing and
// password hashing.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "identity/client_policy.h"
#include "identity/client_service.h"
#include "identity/master_key.h"
#include "identity/password_hasher.h"

namespace meshid::identity {
namespace {

std::string TempDir() {
  char pattern[] = "/tmp/meshid-mk-XXXXXX";
  const char* dir = mkdtemp(pattern);
  EXPECT_NE(dir, nullptr);
  return dir ? dir : "";
}

TEST(MasterKeyTest, CreatesOnceWithMode0600AndReloadsTheSameKey) {
  const std::string path = TempDir() + "/master.key";
  auto first = MasterKey::LoadOrCreate(path, /*create_if_missing=*/true);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto again = MasterKey::LoadOrCreate(path, true);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  auto sealed = first->key.Seal("kid-1", "material");
  ASSERT_TRUE(sealed.ok());
  auto opened = again->key.Open("kid-1", *sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->view(), "material");
}

TEST(MasterKeyTest, RefusesLooseModesMissingFilesAndGarbage) {
  const std::string dir = TempDir();
  EXPECT_EQ(MasterKey::LoadOrCreate(dir + "/none", false).status().code(),
            absl::StatusCode::kNotFound);
  const std::string loose = dir + "/loose.key";
  ASSERT_TRUE(MasterKey::LoadOrCreate(loose, true).ok());
  chmod(loose.c_str(), 0644);
  auto refused = MasterKey::LoadOrCreate(loose, false);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("chmod 600"), std::string::npos);
  const std::string garbage = dir + "/garbage.key";
  std::ofstream(garbage) << "not a key\n";
  chmod(garbage.c_str(), 0600);
  EXPECT_EQ(MasterKey::LoadOrCreate(garbage, false).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(MasterKeyTest, SealedMaterialIsBoundToItsKidAndKey) {
  auto a = MasterKey::FromBytes(std::string(32, 'a'));
  auto b = MasterKey::FromBytes(std::string(32, 'b'));
  ASSERT_TRUE(a.ok() && b.ok());
  auto sealed = a->Seal("kid-1", "secret-material");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find("secret-material"), std::string::npos);
  EXPECT_EQ(a->Open("kid-2", *sealed).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(b->Open("kid-1", *sealed).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(MasterKeyTest, ClientSecretHashesVerifyInConstantTimeAndDiffer) {
  auto a = MasterKey::FromBytes(std::string(32, 'a'));
  auto b = MasterKey::FromBytes(std::string(32, 'b'));
  ASSERT_TRUE(a.ok() && b.ok());
  auto secret = NewClientSecret();
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->rfind("mid_", 0), 0u);
  EXPECT_EQ(secret->size(), 4u + 43u);
  const std::string hash = a->HashClientSecret(*secret);
  EXPECT_EQ(hash.find(*secret), std::string::npos);
  EXPECT_TRUE(a->VerifyClientSecret(*secret, hash));
  EXPECT_FALSE(a->VerifyClientSecret(*secret + "x", hash));
  EXPECT_FALSE(b->VerifyClientSecret(*secret, hash));
}

TEST(PasswordHasherTest, HashesVerifyAndCarryTheirCost) {
  auto hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("pbkdf2-sha256$600000$", 0), 0u);
  EXPECT_TRUE(VerifyPassword("correct horse battery", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse batterY", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse battery", "garbage"));
  EXPECT_FALSE(VerifyPassword("x", "pbkdf2-sha256$1$AAAA$AAAA"));  // too cheap
  EXPECT_EQ(HashPassword("short").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ClientPolicyTest, ValidatesRoundTripsAndGrantsScopes) {
  ClientPolicy p;
  p.audiences["logging-service"] = {"logs:write", "logs:read"};
  p.audiences["other"] = {};
  p.max_token_ttl = absl::Minutes(30);
  ASSERT_TRUE(p.Validate(absl::Hours(1)).ok());
  auto back = ClientPolicy::FromJson(p.ToJson());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, p);
  EXPECT_EQ(*GrantScopes(p, "logging-service", {}), "logs:read logs:write");
  EXPECT_EQ(*GrantScopes(p, "logging-service", {"logs:write", "logs:write"}),
            "logs:write");
  EXPECT_EQ(GrantScopes(p, "logging-service", {"keys:admin"}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(GrantScopes(p, "nope", {}).status().code(),
            absl::StatusCode::kPermissionDenied);
  p.max_token_ttl = absl::Hours(2);
  EXPECT_FALSE(p.Validate(absl::Hours(1)).ok());
  p.max_token_ttl = absl::Minutes(1);
  p.audiences["bad audience"] = {};
  EXPECT_FALSE(p.Validate(absl::Hours(1)).ok());
  EXPECT_FALSE(ValidateScope("has space").ok());
  EXPECT_FALSE(ValidateName("client_id", std::string(129, 'a')).ok());
  EXPECT_FALSE(ValidateName("client_id", "-leading").ok());
  EXPECT_TRUE(ValidateName("client_id", "careergpt-backend").ok());
}

}  // namespace
}  // namespace meshid::identity
