// Hand-built WatchKeys messages for the keyset tests, with the RFC test keys
// of tests/common/token/test_keys.h as material.
#ifndef MESHID_TESTS_COMMON_KEYSET_KEYSET_TEST_UTIL_H_
#define MESHID_TESTS_COMMON_KEYSET_KEYSET_TEST_UTIL_H_

#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "meshid/keyadmin/v1/keyadmin.pb.h"
#include "tests/common/token/test_keys.h"

namespace meshid::keyset::testing {

namespace kv1 = ::meshid::keyadmin::v1;

inline google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t s = absl::ToUnixSeconds(t);
  ts.set_seconds(s);
  ts.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(s))));
  return ts;
}

// The HS256 pair key of the token tests (bound to kClient, kAudience).
inline kv1::KeyMaterial HsMaterial(
    absl::string_view kid = meshid::testing::kHsKid,
    kv1::KeyState state = kv1::KEY_STATE_ACTIVE) {
  kv1::KeyMaterial m;
  m.set_kid(std::string(kid));
  m.set_alg(kv1::KEY_ALGORITHM_HS256);
  m.set_state(state);
  m.set_client_id(std::string(meshid::testing::kClient));
  m.set_audience(std::string(meshid::testing::kAudience));
  m.set_hs256_secret(meshid::testing::Rfc7520HmacKey());
  return m;
}

// Signs for HsMaterial(kid): the 32-byte key the wire requires (the token
// tests' own HS256 signer uses a 64-byte key).
inline SigningKey HsSigner(absl::string_view kid = meshid::testing::kHsKid) {
  absl::StatusOr<SigningKey> key =
      SigningKey::Hs256(std::string(kid), meshid::testing::Rfc7520HmacKey());
  return *std::move(key);
}

inline kv1::KeyMaterial EdMaterial(
    absl::string_view kid = meshid::testing::kEdKid,
    kv1::KeyState state = kv1::KEY_STATE_ACTIVE) {
  kv1::KeyMaterial m;
  m.set_kid(std::string(kid));
  m.set_alg(kv1::KEY_ALGORITHM_EDDSA);
  m.set_state(state);
  m.mutable_ed25519()->set_x(meshid::testing::Rfc8037Public());
  return m;
}

inline kv1::KeyMaterial EsMaterial(
    absl::string_view kid = meshid::testing::kEsKid,
    kv1::KeyState state = kv1::KEY_STATE_ACTIVE) {
  kv1::KeyMaterial m;
  m.set_kid(std::string(kid));
  m.set_alg(kv1::KEY_ALGORITHM_ES256);
  m.set_state(state);
  m.mutable_ec_p256()->set_x(meshid::testing::Rfc7515EcX());
  m.mutable_ec_p256()->set_y(meshid::testing::Rfc7515EcY());
  return m;
}

// A REVOKED tombstone: no material.
inline kv1::KeyMaterial Tombstone(absl::string_view kid, kv1::KeyAlgorithm alg,
                                  absl::Time verify_until) {
  kv1::KeyMaterial m;
  m.set_kid(std::string(kid));
  m.set_alg(alg);
  m.set_state(kv1::KEY_STATE_REVOKED);
  *m.mutable_verify_until() = ToProto(verify_until);
  return m;
}

inline kv1::WatchKeysResponse SnapshotMessage(
    int64_t version, std::initializer_list<kv1::KeyMaterial> keys) {
  kv1::WatchKeysResponse r;
  kv1::Snapshot* s = r.mutable_snapshot();
  s->set_version(version);
  for (const kv1::KeyMaterial& k : keys) *s->add_keys() = k;
  return r;
}

inline kv1::WatchKeysResponse KeyEventMessage(int64_t version,
                                              kv1::KeyEvent::Kind kind,
                                              const kv1::KeyMaterial& key) {
  kv1::WatchKeysResponse r;
  kv1::KeyEvent* e = r.mutable_key_event();
  e->set_version(version);
  e->set_kind(kind);
  *e->mutable_key() = key;
  return r;
}

inline kv1::WatchKeysResponse RemovedMessage(int64_t version,
                                             absl::string_view kid) {
  kv1::KeyMaterial m;
  m.set_kid(std::string(kid));
  return KeyEventMessage(version, kv1::KeyEvent::KIND_REMOVED, m);
}

inline kv1::WatchKeysResponse JtiRevokedMessage(int64_t version,
                                                absl::string_view jti,
                                                absl::Time expires_at) {
  kv1::WatchKeysResponse r;
  kv1::RevocationEvent* e = r.mutable_revocation();
  e->set_version(version);
  e->mutable_jti()->set_jti(std::string(jti));
  *e->mutable_jti()->mutable_expires_at() = ToProto(expires_at);
  return r;
}

inline kv1::WatchKeysResponse SubjectRevokedMessage(int64_t version,
                                                    absl::string_view subject,
                                                    absl::Time before) {
  kv1::WatchKeysResponse r;
  kv1::RevocationEvent* e = r.mutable_revocation();
  e->set_version(version);
  e->mutable_subject()->set_subject(std::string(subject));
  *e->mutable_subject()->mutable_revoked_before() = ToProto(before);
  *e->mutable_subject()->mutable_expires_at() =
      ToProto(before + absl::Hours(25));
  return r;
}

inline kv1::WatchKeysResponse HeartbeatMessage(int64_t version) {
  kv1::WatchKeysResponse r;
  r.mutable_heartbeat()->set_version(version);
  *r.mutable_heartbeat()->mutable_server_time() =
      ToProto(meshid::testing::TestNow());
  return r;
}

}  // namespace meshid::keyset::testing

#endif  // MESHID_TESTS_COMMON_KEYSET_KEYSET_TEST_UTIL_H_
