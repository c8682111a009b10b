#include "identity/principal_service.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "identity/audit.h"
#include "identity/client_policy.h"
#include "identity/key_operations.h"
#include "identity/password_hasher.h"
#include "identity/revocation_operations.h"

namespace meshid::identity {
namespace {

constexpr size_t kMaxGrantedRoles = 64;

absl::Status PrincipalNotFound(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("principal '", id, "' not found"));
}

// Hashing a password is the slow part of a login. A request for an unknown
// user hashes against this fixed value so it takes as long as a real one.
const std::string& DummyPasswordHash() {
  static const std::string* const hash = [] {
    absl::StatusOr<std::string> h = HashPassword("meshid-timing-equalizer");
    return new std::string(h.ok() ? *h : "");
  }();
  return *hash;
}

}  // namespace

std::string UserPrincipalId(absl::string_view username) {
  return absl::StrCat(kUserIdPrefix, username);
}

absl::StatusOr<PrincipalRecord> TransitionInTx(Transaction& tx,
                                               const IdentityContext& ctx,
                                               absl::string_view id,
                                               PrincipalEvent event,
                                               absl::Time now) {
  ASSIGN_OR_RETURN(int64_t version,
                   tx.events().Append(ChangeKind::kPrincipalChanged, id, now));
  absl::StatusOr<PrincipalRecord> current = tx.principals().Get(id);
  if (absl::IsNotFound(current.status())) return PrincipalNotFound(id);
  RETURN_IF_ERROR(current.status());
  ASSIGN_OR_RETURN(PrincipalRecord next, ApplyPrincipalEvent(*current, event));
  next.updated_at = now;
  next.version = version;
  RETURN_IF_ERROR(tx.principals().Update(next));
  if (RevokesTokens(event)) {
    RETURN_IF_ERROR(RevokeSubjectInTx(tx, id, now, now).status());
  }
  if (event == PrincipalEvent::kDelete &&
      next.kind == PrincipalKind::kService) {
    // A deleted client's keys go with it.
    ASSIGN_OR_RETURN(std::vector<KeyRecord> all, tx.keys().ListAll());
    for (KeyRecord& key : all) {
      if (key.client_id != id || key.state == KeyState::kRevoked ||
          key.state == KeyState::kExpired) {
        continue;
      }
      RETURN_IF_ERROR(MoveKey(tx, ctx, key, KeyState::kRevoked, now));
    }
  }
  return next;
}

absl::StatusOr<PrincipalRecord> PrincipalService::RegisterUser(
    absl::string_view username, absl::string_view password) {
  RETURN_IF_ERROR(ValidateName("username", username));
  if (absl::StrContains(username, ':')) {
    return absl::InvalidArgumentError("username must not contain ':'");
  }
  RETURN_IF_ERROR(ValidatePassword(password));
  ASSIGN_OR_RETURN(std::string hash,
                   HashPassword(password, ctx_.options.password_iterations));
  const std::string id = UserPrincipalId(username);
  PrincipalRecord user;
  RETURN_IF_ERROR(ctx_.store->RunInTransaction([&](Transaction& tx)
                                                   -> absl::Status {
    const absl::Time now = ctx_.Now();
    ASSIGN_OR_RETURN(
        int64_t version,
        tx.events().Append(ChangeKind::kPrincipalChanged, id, now));
    PrincipalRecord guest;
    guest.id = id;
    guest.kind = PrincipalKind::kUser;
    guest.state = PrincipalState::kGuest;
    guest.password_hash = hash;
    guest.created_at = guest.updated_at = now;
    guest.version = version;
    ASSIGN_OR_RETURN(user,
                     ApplyPrincipalEvent(guest, PrincipalEvent::kRegister));
    absl::Status inserted = tx.principals().Insert(user);
    if (absl::IsAlreadyExists(inserted)) {
      return absl::AlreadyExistsError(
          absl::StrCat("username '", username, "' is taken"));
    }
    RETURN_IF_ERROR(inserted);
    return WriteAudit(tx, {id, "principal.register", id, "", {}}, now, version);
  }));
  return user;
}

absl::StatusOr<PrincipalRecord> PrincipalService::AuthenticateUser(
    absl::string_view username, absl::string_view password) {
  const absl::Status denied =
      absl::UnauthenticatedError("invalid username or password");
  if (username.empty() || password.size() > kMaxPasswordLength ||
      ValidateName("username", username).ok() == false) {
    (void)VerifyPassword(password.substr(0, kMaxPasswordLength),
                         DummyPasswordHash());
    return denied;
  }
  std::optional<PrincipalRecord> user;
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        absl::StatusOr<PrincipalRecord> found =
            tx.principals().Get(UserPrincipalId(username));
        if (absl::IsNotFound(found.status())) return absl::OkStatus();
        RETURN_IF_ERROR(found.status());
        user = *std::move(found);
        return absl::OkStatus();
      }));
  const bool matches = VerifyPassword(
      password, user.has_value() && user->kind == PrincipalKind::kUser
                    ? user->password_hash
                    : DummyPasswordHash());
  if (!user.has_value() || user->kind != PrincipalKind::kUser || !matches) {
    return denied;
  }
  if (!IsLive(user->state)) {
    return absl::PermissionDeniedError(
        absl::StrCat("user is ", PrincipalStateName(user->state)));
  }
  return *user;
}

absl::StatusOr<PrincipalRecord> PrincipalService::Transition(
    absl::string_view id, PrincipalEvent event, absl::string_view reason,
    absl::string_view actor) {
  if (id.empty()) return absl::InvalidArgumentError("principal_id is required");
  if (reason.size() > 1024) {
    return absl::InvalidArgumentError("reason must be at most 1024 bytes");
  }
  PrincipalRecord result;
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        const absl::Time now = ctx_.Now();
        ASSIGN_OR_RETURN(PrincipalRecord before, tx.principals().Get(id));
        const PrincipalState from = before.state;
        ASSIGN_OR_RETURN(result, TransitionInTx(tx, ctx_, id, event, now));
        return WriteAudit(
            tx,
            {std::string(actor),
             "principal.transition",
             std::string(id),
             "",
             {{"event", std::string(PrincipalEventName(event))},
              {"from_state", std::string(PrincipalStateName(from))},
              {"to_state", std::string(PrincipalStateName(result.state))},
              {"reason", std::string(reason)}}},
            now, result.version);
      }));
  (void)ctx_.views->Refresh();
  result.password_hash.clear();
  return result;
}

absl::StatusOr<PrincipalRecord> PrincipalService::UpdateRoles(
    absl::string_view id, const std::vector<std::string>& granted_roles,
    absl::string_view actor) {
  if (granted_roles.size() > kMaxGrantedRoles) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", kMaxGrantedRoles, " granted roles"));
  }
  for (const std::string& role : granted_roles) {
    RETURN_IF_ERROR(ValidateName("role", role));
  }
  std::vector<std::string> roles = granted_roles;
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  PrincipalRecord result;
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        const absl::Time now = ctx_.Now();
        ASSIGN_OR_RETURN(
            int64_t version,
            tx.events().Append(ChangeKind::kPrincipalChanged, id, now));
        absl::StatusOr<PrincipalRecord> current = tx.principals().Get(id);
        if (absl::IsNotFound(current.status())) return PrincipalNotFound(id);
        RETURN_IF_ERROR(current.status());
        if (current->state == PrincipalState::kDeleted)
          return PrincipalNotFound(id);
        result = *std::move(current);
        result.granted_roles = roles;
        result.updated_at = now;
        result.version = version;
        RETURN_IF_ERROR(tx.principals().Update(result));
        return WriteAudit(tx,
                          {std::string(actor),
                           "principal.update_roles",
                           std::string(id),
                           "",
                           {{"granted_roles", absl::StrJoin(roles, " ")}}},
                          now, version);
      }));
  (void)ctx_.views->Refresh();
  result.password_hash.clear();
  return result;
}

absl::StatusOr<PrincipalRecord> PrincipalService::Get(absl::string_view id) {
  PrincipalRecord result;
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        absl::StatusOr<PrincipalRecord> found = tx.principals().Get(id);
        if (absl::IsNotFound(found.status())) return PrincipalNotFound(id);
        RETURN_IF_ERROR(found.status());
        result = *std::move(found);
        return absl::OkStatus();
      }));
  result.password_hash.clear();
  return result;
}

absl::StatusOr<RevokedSubject> PrincipalService::RevokeSubject(
    absl::string_view subject, absl::Time before, absl::string_view reason,
    absl::string_view actor) {
  RETURN_IF_ERROR(ValidateName("subject", subject));
  if (reason.size() > 1024) {
    return absl::InvalidArgumentError("reason must be at most 1024 bytes");
  }
  RevokedSubject result;
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        const absl::Time now = ctx_.Now();
        ASSIGN_OR_RETURN(int64_t version,
                         RevokeSubjectInTx(tx, subject, before, now));
        ASSIGN_OR_RETURN(result, tx.revocations().GetSubject(subject));
        result.version = version;
        return WriteAudit(tx,
                          {std::string(actor),
                           "subject.revoke",
                           std::string(subject),
                           "",
                           {{"reason", std::string(reason)}}},
                          now, version);
      }));
  (void)ctx_.views->Refresh();
  return result;
}

absl::StatusOr<std::vector<PrincipalRecord>> PrincipalService::List(
    const PrincipalFilter& filter) {
  const int limit = std::clamp(filter.limit, 1, 1000);
  std::vector<PrincipalRecord> out;
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        out.clear();
        std::string after = filter.after_id;
        // Filters apply after paging in the store; keep reading pages until
        // enough match or the table ends.
        while (static_cast<int>(out.size()) < limit) {
          ASSIGN_OR_RETURN(std::vector<PrincipalRecord> page,
                           tx.principals().List(after, limit));
          for (PrincipalRecord& p : page) {
            after = p.id;
            if (filter.kind.has_value() && p.kind != *filter.kind) continue;
            if (filter.state.has_value() && p.state != *filter.state) continue;
            p.password_hash.clear();
            out.push_back(std::move(p));
            if (static_cast<int>(out.size()) == limit) break;
          }
          if (static_cast<int>(page.size()) < limit) break;
        }
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace meshid::identity
