// What the store holds, read raw — the SQLite file (and its WAL) byte for
// byte, every PostgreSQL row as text — contains no client secret, no key
// material and no password in any spelling. And tokens meshid issues verify
// with PyJWT, an independent implementation: HS256 with the pair's secret,
// EdDSA and ES256 through the JWKS document meshid serves.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base64url.h"
#include "gtest/gtest.h"
#include "identity/master_key.h"
#include "identity/store/store.h"
#include "pqxx/pqxx"
#include "tests/common/server/test_http_client.h"
#include "tests/identity/identity_fixture.h"

namespace meshid::identity {
namespace {

namespace ka = ::meshid::keyadmin::v1;

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// Every way a secret could be written down.
std::vector<std::string> Spellings(const std::string& secret) {
  std::string std_b64;
  absl::Base64Escape(secret, &std_b64);
  return {secret, absl::BytesToHexString(secret), Base64UrlEncode(secret),
          std_b64};
}

class AtRestTest : public IdentityServerTest {
 protected:
  // Opens every key's sealed material with the master key, as only
  // meshid-identity can.
  std::vector<std::string> AllKeyMaterial() {
    auto master = MasterKey::LoadOrCreate(data_dir_ + "/master.key", false);
    EXPECT_TRUE(master.ok()) << master.status();
    auto store = OpenStore(store_url_, {});
    EXPECT_TRUE(store.ok()) << store.status();
    std::vector<std::string> out;
    EXPECT_TRUE((*store)
                    ->RunInTransaction([&](Transaction& tx) -> absl::Status {
                      auto keys = tx.keys().ListAll();
                      if (!keys.ok()) return keys.status();
                      for (const KeyRecord& k : *keys) {
                        auto m = master->key.Open(k.kid, k.sealed_material);
                        if (!m.ok()) return m.status();
                        out.emplace_back(m->view());
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  }

  // The material of the pair key that signed `token`.
  std::string PairSecret(const std::string& kid) {
    auto master = MasterKey::LoadOrCreate(data_dir_ + "/master.key", false);
    auto store = OpenStore(store_url_, {});
    std::string secret;
    EXPECT_TRUE((*store)
                    ->RunInTransaction([&](Transaction& tx) -> absl::Status {
                      auto k = tx.keys().Get(kid);
                      if (!k.ok()) return k.status();
                      auto m = master->key.Open(k->kid, k->sealed_material);
                      if (!m.ok()) return m.status();
                      secret = std::string(m->view());
                      return absl::OkStatus();
                    })
                    .ok());
    return secret;
  }

  // Everything the store holds, as one string.
  std::string RawStoreContents() {
    if (GetParam() == Backend::kSqlite) {
      const std::string db = data_dir_ + "/meshid.db";
      return ReadFile(db) + ReadFile(db + "-wal") + ReadFile(db + "-shm");
    }
    std::string all;
    pqxx::connection c(store_url_);
    pqxx::work tx(c);
    for (const auto& row :
         tx.exec("SELECT table_name FROM information_schema.tables "
                 "WHERE table_schema = 'public'")) {
      const std::string table = row[0].as<std::string>();
      for (const auto& r : tx.exec("SELECT row_to_json(t)::text FROM " +
                                   tx.quote_name(table) + " t")) {
        all += r[0].as<std::string>();
      }
    }
    return all;
  }

  // Runs PyJWT over `tokens`; returns its output and exit status.
  std::pair<int, std::string> PyJwt(const std::vector<std::string>& tokens,
                                    const std::string& mode,
                                    const std::string& key_file,
                                    const std::string& audience) {
    const std::string input = data_dir_ + "/tokens.txt";
    std::ofstream(input) << absl::StrJoin(tokens, "\n") << "\n";
    const std::string command = absl::StrCat(
        "/usr/bin/python3 ", MESHID_SOURCE_DIR,
        "/tests/identity/python/verify_with_pyjwt.py '", kIssuer, "' '",
        audience, "' ", mode, " '", key_file, "' < '", input, "' 2>&1");
    FILE* pipe = popen(command.c_str(), "r");
    std::string output;
    char buffer[512];
    while (pipe && fgets(buffer, sizeof(buffer), pipe)) output += buffer;
    const int status = pipe ? pclose(pipe) : -1;
    return {WEXITSTATUS(status), output};
  }
};

TEST_P(AtRestTest, NoSecretOrKeyMaterialIsStoredInTheClear) {
  const std::string secret =
      CreateClient("careergpt-backend", {{"logging-service", {}}});
  v1::RegisterUserRequest user;
  user.set_username("dave");
  user.set_password("a very particular password");
  v1::RegisterUserResponse registered;
  grpc::ClientContext context;
  ASSERT_TRUE(identity().RegisterUser(&context, user, &registered).ok());
  ASSERT_TRUE(Issue("careergpt-backend", secret, "logging-service").ok());
  StopServer();  // flush everything to the files

  const std::vector<std::string> material = AllKeyMaterial();
  ASSERT_GE(material.size(), 5u);  // 2 issuer + admin's 2 + 1 pair
  const std::string raw = RawStoreContents();
  ASSERT_GT(raw.size(), 1000u);
  ASSERT_NE(raw.find("careergpt-backend"), std::string::npos);  // not empty
  for (const std::string& m : material) {
    for (const std::string& spelling : Spellings(m)) {
      EXPECT_EQ(raw.find(spelling), std::string::npos)
          << "key material found in the store";
    }
  }
  for (const std::string& s : {secret, std::string(kAdminSecret),
                               std::string("a very particular password")}) {
    for (const std::string& spelling : Spellings(s)) {
      EXPECT_EQ(raw.find(spelling), std::string::npos)
          << "a secret found in the store";
    }
  }
}

TEST_P(AtRestTest, PyJwtVerifiesHs256EdDsaAndEs256Tokens) {
  std::map<std::string, std::string> secrets;
  for (const auto& [client, alg] :
       std::vector<std::pair<std::string, ka::KeyAlgorithm>>{
           {"svc-hs", ka::KEY_ALGORITHM_HS256},
           {"svc-ed", ka::KEY_ALGORITHM_EDDSA},
           {"svc-es", ka::KEY_ALGORITHM_ES256}}) {
    ka::CreateClientRequest request;
    request.set_client_id(client);
    request.mutable_policy()->add_allowed_audiences("logging-service");
    request.mutable_policy()->set_signing_alg(alg);
    ka::CreateClientResponse response;
    ASSERT_TRUE(
        keyadmin().CreateClient(AsAdmin().get(), request, &response).ok());
    secrets[client] = response.client_secret();
  }
  absl::StatusOr<std::string> hs =
      Issue("svc-hs", secrets["svc-hs"], "logging-service");
  absl::StatusOr<std::string> ed =
      Issue("svc-ed", secrets["svc-ed"], "logging-service");
  absl::StatusOr<std::string> es =
      Issue("svc-es", secrets["svc-es"], "logging-service");
  ASSERT_TRUE(hs.ok() && ed.ok() && es.ok());

  std::string header;
  ASSERT_TRUE(Base64UrlDecode(hs->substr(0, hs->find('.')), &header));
  const size_t at = header.find("\"kid\":\"") + 7;
  const std::string kid = header.substr(at, header.find('"', at) - at);
  const std::string key_file = data_dir_ + "/pair.hex";
  std::ofstream(key_file) << absl::BytesToHexString(PairSecret(kid));
  auto [hs_exit, hs_out] =
      PyJwt({*hs}, "--hs256-hex-key", key_file, "logging-service");
  EXPECT_EQ(hs_exit, 0) << hs_out;
  EXPECT_EQ(hs_out, "OK svc-hs\n");

  absl::StatusOr<server::TestHttpResponse> jwks =
      server::HttpGet(server().ports().http, "/.well-known/jwks.json");
  ASSERT_TRUE(jwks.ok());
  const std::string jwks_file = data_dir_ + "/jwks.json";
  std::ofstream(jwks_file) << jwks->body;
  auto [pk_exit, pk_out] =
      PyJwt({*ed, *es}, "--jwks", jwks_file, "logging-service");
  EXPECT_EQ(pk_exit, 0) << pk_out;
  EXPECT_EQ(pk_out, "OK svc-ed\nOK svc-es\n");

  // And PyJWT refuses a tampered one (the harness can say no).
  std::string tampered = *ed;
  tampered[tampered.size() - 5] =
      tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  auto [bad_exit, bad_out] =
      PyJwt({tampered}, "--jwks", jwks_file, "logging-service");
  EXPECT_EQ(bad_exit, 1) << bad_out;
}

INSTANTIATE_TEST_SUITE_P(Stores, AtRestTest,
                         ::testing::Values(Backend::kSqlite,
                                           Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace meshid::identity
