#include "identity/watch/watch_messages.h"

#include "identity/proto_convert.h"

namespace meshid::identity {
namespace {

namespace ka = ::meshid::keyadmin::v1;

void ToKeyMaterial(const KeyView& key, ka::KeyMaterial* out) {
  const KeyRecord& r = key.record;
  out->set_kid(r.kid);
  out->set_alg(ToProto(r.alg));
  out->set_state(ToProto(r.state));
  out->set_client_id(r.client_id);
  out->set_audience(r.audience);
  if (r.state == KeyState::kRetired && r.expires_at.has_value()) {
    ToProto(*r.expires_at, out->mutable_verify_until());
  }
  if (r.state == KeyState::kRevoked) return;  // no material, ever again
  if (r.alg == Algorithm::kHs256) {
    if (key.hs256_secret != nullptr) {
      const absl::string_view s = key.hs256_secret->view();
      out->set_hs256_secret(s.data(), s.size());
    }
    return;
  }
  if (key.signer == nullptr) return;
  if (const auto* ed =
          absl::get_if<crypto::Ed25519PrivateKey>(&key.signer->material)) {
    out->mutable_ed25519()->set_x(ed->public_key().raw());
  } else if (const auto* ec = absl::get_if<crypto::EcdsaP256PrivateKey>(
                 &key.signer->material)) {
    out->mutable_ec_p256()->set_x(ec->public_key().x());
    out->mutable_ec_p256()->set_y(ec->public_key().y());
  }
}

}  // namespace

bool VisibleTo(const KeyView& key, absl::string_view audience) {
  if (key.record.alg != Algorithm::kHs256) return true;  // public halves
  return !audience.empty() && key.record.audience == audience;
}

WatchMessage SnapshotMessage(const IdentitySnapshot& snapshot,
                             absl::string_view audience) {
  WatchMessage message;
  ka::Snapshot* s = message.mutable_snapshot();
  s->set_version(snapshot.version());
  snapshot.ForEachKey([&](const KeyView& key) {
    if (VisibleTo(key, audience)) ToKeyMaterial(key, s->add_keys());
  });
  const KeySet& set = *snapshot.verification();
  set.ForEachRevokedJti([&](const std::string& jti, absl::Time expires) {
    ka::RevokedJti* r = s->add_revoked_jtis();
    r->set_jti(jti);
    ToProto(expires, r->mutable_expires_at());
  });
  set.ForEachRevokedSubject([&](const std::string& subject, absl::Time before) {
    ka::RevokedSubject* r = s->add_revoked_subjects();
    r->set_subject(subject);
    ToProto(before, r->mutable_revoked_before());
  });
  return message;
}

void AppendChangeMessages(const IdentitySnapshot& snapshot,
                          const ChangeEvent& change, absl::string_view audience,
                          std::vector<WatchMessage>* out) {
  switch (change.kind) {
    case ChangeKind::kKeyChanged: {
      WatchMessage message;
      ka::KeyEvent* event = message.mutable_key_event();
      event->set_version(change.version);
      const KeyView* key = snapshot.FindKey(change.subject_id);
      if (key == nullptr) {
        // Expired and dropped: tell everyone to drop it (a kid is no secret).
        event->set_kind(ka::KeyEvent::KIND_REMOVED);
        event->mutable_key()->set_kid(change.subject_id);
      } else if (!VisibleTo(*key, audience)) {
        return;
      } else {
        event->set_kind(key->record.state == KeyState::kPending
                            ? ka::KeyEvent::KIND_ADDED
                            : ka::KeyEvent::KIND_STATE_CHANGED);
        ToKeyMaterial(*key, event->mutable_key());
      }
      out->push_back(std::move(message));
      return;
    }
    case ChangeKind::kJtiRevoked: {
      const std::optional<absl::Time> until =
          snapshot.verification()->JtiRevokedUntil(change.subject_id);
      if (!until.has_value()) return;  // already pruned: expired anyway
      WatchMessage message;
      message.mutable_revocation()->set_version(change.version);
      message.mutable_revocation()->mutable_jti()->set_jti(change.subject_id);
      ToProto(
          *until,
          message.mutable_revocation()->mutable_jti()->mutable_expires_at());
      out->push_back(std::move(message));
      return;
    }
    case ChangeKind::kSubjectRevoked: {
      const std::optional<absl::Time> before =
          snapshot.verification()->SubjectRevokedBefore(change.subject_id);
      if (!before.has_value()) return;
      WatchMessage message;
      auto* subject = message.mutable_revocation()->mutable_subject();
      message.mutable_revocation()->set_version(change.version);
      subject->set_subject(change.subject_id);
      ToProto(*before, subject->mutable_revoked_before());
      out->push_back(std::move(message));
      return;
    }
    case ChangeKind::kClientChanged:
    case ChangeKind::kPrincipalChanged:
      return;  // validators learn of these through revocations and keys
  }
}

WatchMessage HeartbeatMessage(int64_t version, absl::Time now) {
  WatchMessage message;
  message.mutable_heartbeat()->set_version(version);
  ToProto(now, message.mutable_heartbeat()->mutable_server_time());
  return message;
}

}  // namespace meshid::identity
