#include "identity/keyadmin_grpc_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "identity/audit.h"
#include "identity/auth_denial_log.h"
#include "identity/grpc_call.h"
#include "identity/proto_convert.h"
#include "identity/watch/watch_keys_service.h"

namespace meshid::identity {
namespace {

constexpr absl::string_view kAdminScope = "keys:admin";

// One page of `items` after the position in `page_token`, by `position_of`.
template <typename T, typename PositionOf>
absl::StatusOr<std::vector<const T*>> Page(const std::vector<T>& items,
                                           const std::string& page_token,
                                           int32_t page_size,
                                           PositionOf position_of,
                                           std::string* next_page_token) {
  ASSIGN_OR_RETURN(int size, PageSize(page_size));
  ASSIGN_OR_RETURN(std::string after, DecodePageToken(page_token));
  std::vector<const T*> page;
  for (const T& item : items) {
    if (!after.empty() && position_of(item) <= after) continue;
    if (static_cast<int>(page.size()) == size) {
      *next_page_token = EncodePageToken(position_of(*page.back()));
      break;
    }
    page.push_back(&item);
  }
  return page;
}

// The request's activation_delay, or nullopt for the server's default.
template <typename Request>
absl::StatusOr<std::optional<absl::Duration>> ActivationDelayOf(
    const Request& request) {
  if (!request.has_activation_delay()) return std::nullopt;
  ASSIGN_OR_RETURN(absl::Duration d,
                   FromProto(request.activation_delay(), "activation_delay"));
  return std::optional<absl::Duration>(d);
}

}  // namespace

absl::StatusOr<std::string> KeyAdminGrpcService::Admin(const Ctx& context) {
  VerifyError reason = VerifyError::kOk;
  absl::StatusOr<Principal> caller = authorizer_.Authorize(
      AuthorizationOf(context), ctx_.options.keyadmin_audience, kAdminScope,
      &reason);
  if (!caller.ok()) {
    if (reason != VerifyError::kOk) metrics_->OnAuthFailure("keyadmin", reason);
    LogDenied("KeyAdmin", context, caller.status(), reason);
    return caller.status();
  }
  return caller->subject;
}

grpc::Status KeyAdminGrpcService::Done(absl::string_view operation,
                                       const absl::Status& status) {
  if (absl::IsUnavailable(status) || absl::IsInternal(status)) {
    metrics_->OnStoreError(operation);
  }
  return ToGrpcStatus(status);
}

#define MESHID_ADMIN_OR_RETURN(actor, context)         \
  absl::StatusOr<std::string> actor = Admin(*context); \
  if (!actor.ok()) return ToGrpcStatus(actor.status())

#define MESHID_OK_OR_RETURN(operation, expr)                          \
  do {                                                                \
    const absl::Status meshid_status_ = (expr);                       \
    if (!meshid_status_.ok()) return Done(operation, meshid_status_); \
  } while (false)

grpc::Status KeyAdminGrpcService::CreateClient(
    Ctx* context, const keyadmin_pb::CreateClientRequest* request,
    keyadmin_pb::CreateClientResponse* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  absl::StatusOr<ClientPolicy> policy =
      FromProto(request->policy(), ctx_.options.max_token_ttl);
  if (!policy.ok()) return ToGrpcStatus(policy.status());
  absl::StatusOr<ClientWithSecret> created = clients_->CreateClient(
      request->client_id(), request->display_name(), *policy, *actor);
  MESHID_OK_OR_RETURN("create_client", created.status());
  ToProto(created->client, response->mutable_client());
  response->set_client_secret(created->secret);
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::GetClient(
    Ctx* context, const keyadmin_pb::GetClientRequest* request,
    keyadmin_pb::Client* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  absl::StatusOr<ClientInfo> client = clients_->GetClient(request->client_id());
  MESHID_OK_OR_RETURN("get_client", client.status());
  ToProto(*client, response);
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::ListClients(
    Ctx* context, const keyadmin_pb::ListClientsRequest* request,
    keyadmin_pb::ListClientsResponse* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  absl::StatusOr<std::vector<ClientInfo>> clients = clients_->ListClients();
  MESHID_OK_OR_RETURN("list_clients", clients.status());
  std::string next;
  absl::StatusOr<std::vector<const ClientInfo*>> page = Page(
      *clients, request->page_token(), request->page_size(),
      [](const ClientInfo& c) { return c.client_id; }, &next);
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const ClientInfo* c : *page) ToProto(*c, response->add_clients());
  response->set_next_page_token(next);
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::UpdateClientPolicy(
    Ctx* context, const keyadmin_pb::UpdateClientPolicyRequest* request,
    keyadmin_pb::Client* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  absl::StatusOr<ClientPolicy> policy =
      FromProto(request->policy(), ctx_.options.max_token_ttl);
  if (!policy.ok()) return ToGrpcStatus(policy.status());
  absl::StatusOr<ClientInfo> client =
      clients_->UpdatePolicy(request->client_id(), *policy, *actor);
  MESHID_OK_OR_RETURN("update_client_policy", client.status());
  ToProto(*client, response);
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::RotateClientSecret(
    Ctx* context, const keyadmin_pb::RotateClientSecretRequest* request,
    keyadmin_pb::RotateClientSecretResponse* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  absl::StatusOr<ClientWithSecret> rotated =
      clients_->RotateSecret(request->client_id(), *actor);
  MESHID_OK_OR_RETURN("rotate_client_secret", rotated.status());
  ToProto(rotated->client, response->mutable_client());
  response->set_client_secret(rotated->secret);
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::DeleteClient(
    Ctx* context, const keyadmin_pb::DeleteClientRequest* request,
    Empty* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  MESHID_OK_OR_RETURN("delete_client",
                      clients_->DeleteClient(request->client_id(), *actor));
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::GetPrincipal(
    Ctx* context, const keyadmin_pb::GetPrincipalRequest* request,
    keyadmin_pb::Principal* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  absl::StatusOr<PrincipalRecord> p = principals_->Get(request->principal_id());
  MESHID_OK_OR_RETURN("get_principal", p.status());
  ToProto(*p, response);
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::ListPrincipals(
    Ctx* context, const keyadmin_pb::ListPrincipalsRequest* request,
    keyadmin_pb::ListPrincipalsResponse* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  PrincipalFilter filter;
  filter.kind = FromProto(request->kind());
  filter.state = FromProto(request->state());
  absl::StatusOr<int> size = PageSize(request->page_size());
  absl::StatusOr<std::string> after = DecodePageToken(request->page_token());
  if (!size.ok()) return ToGrpcStatus(size.status());
  if (!after.ok()) return ToGrpcStatus(after.status());
  filter.limit = *size + 1;  // one more tells whether a next page exists
  filter.after_id = *after;
  absl::StatusOr<std::vector<PrincipalRecord>> list = principals_->List(filter);
  MESHID_OK_OR_RETURN("list_principals", list.status());
  for (int i = 0; i < static_cast<int>(list->size()) && i < *size; ++i) {
    ToProto((*list)[i], response->add_principals());
  }
  if (static_cast<int>(list->size()) > *size) {
    response->set_next_page_token(EncodePageToken((*list)[*size - 1].id));
  }
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::TransitionPrincipal(
    Ctx* context, const keyadmin_pb::TransitionPrincipalRequest* request,
    keyadmin_pb::Principal* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  absl::StatusOr<PrincipalEvent> event = FromProto(request->event());
  if (!event.ok()) return ToGrpcStatus(event.status());
  absl::StatusOr<PrincipalRecord> p = principals_->Transition(
      request->principal_id(), *event, request->reason(), *actor);
  MESHID_OK_OR_RETURN("transition_principal", p.status());
  ToProto(*p, response);
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::UpdatePrincipalRoles(
    Ctx* context, const keyadmin_pb::UpdatePrincipalRolesRequest* request,
    keyadmin_pb::Principal* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  std::vector<std::string> roles(request->granted_roles().begin(),
                                 request->granted_roles().end());
  absl::StatusOr<PrincipalRecord> p =
      principals_->UpdateRoles(request->principal_id(), roles, *actor);
  MESHID_OK_OR_RETURN("update_principal_roles", p.status());
  ToProto(*p, response);
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::CreateKey(
    Ctx* context, const keyadmin_pb::CreateKeyRequest* request,
    keyadmin_pb::Key* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  absl::StatusOr<KeySlot> slot = FromProto(request->slot());
  if (!slot.ok()) return ToGrpcStatus(slot.status());
  absl::StatusOr<std::optional<absl::Duration>> delay =
      ActivationDelayOf(*request);
  if (!delay.ok()) return ToGrpcStatus(delay.status());
  absl::StatusOr<KeyRecord> key = keys_->CreateKey(*slot, *delay, *actor);
  MESHID_OK_OR_RETURN("create_key", key.status());
  ToProto(*key, response);
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::RotateKey(
    Ctx* context, const keyadmin_pb::RotateKeyRequest* request,
    keyadmin_pb::RotateKeyResponse* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  absl::StatusOr<KeySlot> slot = FromProto(request->slot());
  if (!slot.ok()) return ToGrpcStatus(slot.status());
  absl::StatusOr<std::optional<absl::Duration>> delay =
      ActivationDelayOf(*request);
  if (!delay.ok()) return ToGrpcStatus(delay.status());
  absl::StatusOr<KeyService::Rotation> rotation =
      keys_->RotateKey(*slot, *delay, *actor);
  MESHID_OK_OR_RETURN("rotate_key", rotation.status());
  ToProto(rotation->new_key, response->mutable_new_key());
  ToProto(rotation->previous_key, response->mutable_previous_key());
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::RevokeKey(
    Ctx* context, const keyadmin_pb::RevokeKeyRequest* request,
    keyadmin_pb::Key* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  absl::StatusOr<KeyRecord> key =
      keys_->RevokeKey(request->kid(), request->reason(), *actor);
  MESHID_OK_OR_RETURN("revoke_key", key.status());
  ToProto(*key, response);
  response->set_revoke_reason(request->reason());
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::ListKeys(
    Ctx* context, const keyadmin_pb::ListKeysRequest* request,
    keyadmin_pb::ListKeysResponse* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  std::optional<KeySlot> slot;
  if (request->has_slot()) {
    absl::StatusOr<KeySlot> s = FromProto(request->slot());
    if (!s.ok()) return ToGrpcStatus(s.status());
    slot = *s;
  }
  const std::optional<KeyState> state = FromProto(request->state());
  absl::StatusOr<std::vector<KeyRecord>> all = keys_->ListKeys();
  MESHID_OK_OR_RETURN("list_keys", all.status());
  std::vector<KeyRecord> keys;
  for (KeyRecord& key : *all) {
    if (slot.has_value() && !(KeySlot::Of(key) == *slot)) continue;
    if (state.has_value() && key.state != *state) continue;
    keys.push_back(std::move(key));
  }
  // Oldest first; the position is (created_at, kid), which is unique.
  std::string next;
  absl::StatusOr<std::vector<const KeyRecord*>> page = Page(
      keys, request->page_token(), request->page_size(),
      [](const KeyRecord& k) {
        return absl::StrCat(absl::ToUnixMicros(k.created_at) + 1000000000000000,
                            "/", k.kid);
      },
      &next);
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const KeyRecord* k : *page) ToProto(*k, response->add_keys());
  response->set_next_page_token(next);
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::GetKey(
    Ctx* context, const keyadmin_pb::GetKeyRequest* request,
    keyadmin_pb::Key* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  absl::StatusOr<KeyRecord> key = keys_->GetKey(request->kid());
  MESHID_OK_OR_RETURN("get_key", key.status());
  ToProto(*key, response);
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::RevokeSubject(
    Ctx* context, const keyadmin_pb::RevokeSubjectRequest* request,
    keyadmin_pb::RevokeSubjectResponse* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  const absl::Time before = request->has_revoked_before()
                                ? FromProto(request->revoked_before())
                                : ctx_.clock->Now();
  absl::StatusOr<RevokedSubject> revoked = principals_->RevokeSubject(
      request->subject(), before, request->reason(), *actor);
  MESHID_OK_OR_RETURN("revoke_subject", revoked.status());
  response->mutable_revoked()->set_subject(revoked->subject);
  ToProto(revoked->revoked_before,
          response->mutable_revoked()->mutable_revoked_before());
  response->set_version(revoked->version);
  return grpc::Status::OK;
}

grpc::Status KeyAdminGrpcService::ListAuditEvents(
    Ctx* context, const keyadmin_pb::ListAuditEventsRequest* request,
    keyadmin_pb::ListAuditEventsResponse* response) {
  MESHID_ADMIN_OR_RETURN(actor, context);
  absl::StatusOr<int> size = PageSize(request->page_size());
  absl::StatusOr<std::string> position = DecodePageToken(request->page_token());
  if (!size.ok()) return ToGrpcStatus(size.status());
  if (!position.ok()) return ToGrpcStatus(position.status());
  AuditFilter filter;
  filter.actor = request->actor();
  filter.action = request->action();
  filter.kid = request->kid();
  if (request->has_since()) filter.since = FromProto(request->since());
  if (request->has_until()) filter.until = FromProto(request->until());
  filter.limit = *size + 1;
  if (!position->empty() && !absl::SimpleAtoi(*position, &filter.before_id)) {
    return ToGrpcStatus(absl::InvalidArgumentError("page_token is not valid"));
  }
  absl::StatusOr<std::vector<AuditEvent>> events =
      meshid::identity::ListAuditEvents(*ctx_.store, filter, request->target());
  MESHID_OK_OR_RETURN("list_audit_events", events.status());
  for (int i = 0; i < static_cast<int>(events->size()) && i < *size; ++i) {
    ToProto((*events)[i], response->add_events());
  }
  if (static_cast<int>(events->size()) > *size) {
    response->set_next_page_token(
        EncodePageToken(absl::StrCat((*events)[*size - 1].id)));
  }
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<keyadmin_pb::WatchKeysResponse>*
KeyAdminGrpcService::WatchKeys(grpc::CallbackServerContext* context,
                               const keyadmin_pb::WatchKeysRequest* request) {
  VerifyError reason = VerifyError::kOk;
  absl::StatusOr<Principal> watcher = authorizer_.Authorize(
      AuthorizationOf(*context), ctx_.options.keyadmin_audience, "keys:watch",
      &reason);
  if (!watcher.ok()) {
    if (reason != VerifyError::kOk) metrics_->OnAuthFailure("keyadmin", reason);
    LogDenied("WatchKeys", *context, watcher.status(), reason);
    return new RefusedWatch(ToGrpcStatus(watcher.status()));
  }
  if (request->since_version() < 0) {
    return new RefusedWatch(
        ToGrpcStatus(absl::InvalidArgumentError("since_version must be >= 0")));
  }
  // The watcher's name is its token's subject: it receives the pair keys
  // whose audience it is, and no others.
  return new WatchKeysReactor(hub_, watcher->subject, request->since_version());
}

}  // namespace meshid::identity
