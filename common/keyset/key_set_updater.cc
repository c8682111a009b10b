#include "common/keyset/key_set_updater.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/keyset/key_material.h"
#include "common/status_macros.h"

namespace meshid::keyset {
namespace {

namespace kv1 = ::meshid::keyadmin::v1;

// The entry for a revoked jti: when it may be forgotten. A missing time
// keeps it (fail safe: a revocation is never dropped over a detail).
absl::StatusOr<absl::Time> JtiExpiry(const kv1::RevokedJti& jti) {
  if (jti.jti().empty()) {
    return absl::InvalidArgumentError("revoked jti is empty");
  }
  if (!jti.has_expires_at()) return absl::InfiniteFuture();
  absl::StatusOr<absl::Time> t = TimeFromProto(jti.expires_at());
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("revoked jti expires_at: ", t.status().message()));
  }
  return t;
}

absl::StatusOr<absl::Time> SubjectCutoff(const kv1::RevokedSubject& subject) {
  if (subject.subject().empty()) {
    return absl::InvalidArgumentError("revoked subject is empty");
  }
  if (!subject.has_revoked_before()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "revoked subject \"", subject.subject(), "\" without revoked_before"));
  }
  absl::StatusOr<absl::Time> t = TimeFromProto(subject.revoked_before());
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("revoked subject \"", subject.subject(),
                     "\" revoked_before: ", t.status().message()));
  }
  return t;
}

}  // namespace

KeySetUpdater::KeySetUpdater() : KeySetUpdater(Options{}) {}

KeySetUpdater::KeySetUpdater(Options options)
    : KeySetUpdater(nullptr, options) {}

KeySetUpdater::KeySetUpdater(std::shared_ptr<const KeySet> start,
                             Options options)
    : options_(options),
      current_(start != nullptr ? std::move(start) : KeySet::Empty()),
      synced_(current_->version() > 0) {}

absl::StatusOr<std::shared_ptr<const KeySet>> KeySetUpdater::Apply(
    const kv1::WatchKeysResponse& message, absl::Time now) {
  switch (message.event_case()) {
    case kv1::WatchKeysResponse::kSnapshot:
      return ApplySnapshot(message.snapshot(), now);
    case kv1::WatchKeysResponse::kKeyEvent:
      return ApplyKeyEvent(message.key_event(), now);
    case kv1::WatchKeysResponse::kRevocation:
      return ApplyRevocation(message.revocation(), now);
    case kv1::WatchKeysResponse::kHeartbeat:
      return ApplyHeartbeat(message.heartbeat(), now);
    case kv1::WatchKeysResponse::EVENT_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("WatchKeysResponse carries no event");
}

absl::Status KeySetUpdater::CheckEventVersion(int64_t version,
                                              absl::string_view what) const {
  if (!synced_) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " at version ", version, " before any snapshot"));
  }
  if (version < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " with negative version ", version));
  }
  if (version < current_->version()) {
    return absl::FailedPreconditionError(
        absl::StrCat("stale ", what, ": version ", version, " < current ",
                     current_->version()));
  }
  return absl::OkStatus();
}

std::shared_ptr<const KeySet> KeySetUpdater::Finish(KeySet::Builder builder,
                                                    int64_t version,
                                                    absl::Time now) {
  if (now - options_.jti_prune_grace > absl::InfinitePast()) {
    builder.PruneRevokedJtis(now - options_.jti_prune_grace);
  }
  builder.SetVersion(version);
  current_ = std::move(builder).Build();
  return current_;
}

absl::StatusOr<std::shared_ptr<const KeySet>> KeySetUpdater::ApplySnapshot(
    const kv1::Snapshot& snapshot, absl::Time now) {
  if (snapshot.version() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("snapshot with negative version ", snapshot.version()));
  }
  KeySet::Builder builder;
  absl::flat_hash_set<std::string> kids;
  for (const kv1::KeyMaterial& material : snapshot.keys()) {
    if (!kids.insert(material.kid()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("snapshot lists kid \"", material.kid(), "\" twice"));
    }
    ASSIGN_OR_RETURN(std::optional<VerificationKey> key,
                     KeyFromMaterial(material));
    if (key.has_value()) builder.AddKey(*std::move(key));
  }
  for (const kv1::RevokedJti& jti : snapshot.revoked_jtis()) {
    ASSIGN_OR_RETURN(absl::Time expires_at, JtiExpiry(jti));
    builder.RevokeJti(jti.jti(), expires_at);
  }
  for (const kv1::RevokedSubject& subject : snapshot.revoked_subjects()) {
    ASSIGN_OR_RETURN(absl::Time before, SubjectCutoff(subject));
    builder.RevokeSubject(subject.subject(), before);
  }
  synced_ = true;
  return Finish(std::move(builder), snapshot.version(), now);
}

absl::StatusOr<std::shared_ptr<const KeySet>> KeySetUpdater::ApplyKeyEvent(
    const kv1::KeyEvent& event, absl::Time now) {
  RETURN_IF_ERROR(CheckEventVersion(event.version(), "key event"));
  KeySet::Builder builder(*current_);
  switch (event.kind()) {
    case kv1::KeyEvent::KIND_ADDED:
    case kv1::KeyEvent::KIND_STATE_CHANGED: {
      ASSIGN_OR_RETURN(std::optional<VerificationKey> key,
                       KeyFromMaterial(event.key()));
      if (key.has_value()) {
        builder.AddKey(*std::move(key));
      } else {
        builder.RemoveKey(event.key().kid());
      }
      break;
    }
    case kv1::KeyEvent::KIND_REMOVED:
      if (event.key().kid().empty()) {
        return absl::InvalidArgumentError("key REMOVED event without a kid");
      }
      builder.RemoveKey(event.key().kid());
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "key event of unknown kind ", static_cast<int>(event.kind())));
  }
  return Finish(std::move(builder), event.version(), now);
}

absl::StatusOr<std::shared_ptr<const KeySet>> KeySetUpdater::ApplyRevocation(
    const kv1::RevocationEvent& event, absl::Time now) {
  RETURN_IF_ERROR(CheckEventVersion(event.version(), "revocation event"));
  KeySet::Builder builder(*current_);
  switch (event.target_case()) {
    case kv1::RevocationEvent::kJti: {
      ASSIGN_OR_RETURN(absl::Time expires_at, JtiExpiry(event.jti()));
      builder.RevokeJti(event.jti().jti(), expires_at);
      break;
    }
    case kv1::RevocationEvent::kSubject: {
      ASSIGN_OR_RETURN(absl::Time before, SubjectCutoff(event.subject()));
      builder.RevokeSubject(event.subject().subject(), before);
      break;
    }
    case kv1::RevocationEvent::TARGET_NOT_SET:
      return absl::InvalidArgumentError("revocation event without a target");
  }
  return Finish(std::move(builder), event.version(), now);
}

absl::StatusOr<std::shared_ptr<const KeySet>> KeySetUpdater::ApplyHeartbeat(
    const kv1::Heartbeat& heartbeat, absl::Time now) {
  RETURN_IF_ERROR(CheckEventVersion(heartbeat.version(), "heartbeat"));
  if (heartbeat.version() == current_->version()) return current_;
  return Finish(KeySet::Builder(*current_), heartbeat.version(), now);
}

}  // namespace meshid::keyset
