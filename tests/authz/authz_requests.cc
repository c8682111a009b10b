#include "tests/authz/authz_requests.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "meshid/identity/v1/identity.pb.h"
#include "meshid/keyadmin/v1/keyadmin.pb.h"
#include "meshid/logging/v1/log.pb.h"

namespace meshid::authz {

namespace id = ::meshid::identity::v1;
namespace ka = ::meshid::keyadmin::v1;
namespace lg = ::meshid::logging::v1;


std::string RequestFor(absl::string_view method_name,
                       absl::string_view variant_name, int caller_index) {
  const std::string method(method_name);
  const std::string variant(variant_name);
  auto is = [&](absl::string_view suffix) {
    return absl::EndsWith(method, absl::StrCat("/", suffix));
  };
  const std::string nobody = "authz-nobody";
  if (is("IssueToken")) {
    id::IssueTokenRequest r;  // Call() adds the client and its secret
    r.set_audience(kOtherAudience);
    return r.SerializeAsString();
  }
  if (is("RegisterUser")) {
    id::RegisterUserRequest r;
    r.set_username(absl::StrCat("authz-reg-", caller_index));
    r.set_password(kUserPassword);
    return r.SerializeAsString();
  }
  if (is("Login")) {
    id::LoginRequest r;
    r.set_username(kUser);
    r.set_password(kUserPassword);
    r.set_audience(kOtherAudience);
    return r.SerializeAsString();
  }
  if (is("IntrospectToken")) {
    id::IntrospectTokenRequest r;
    r.set_token("not-a-token");
    return r.SerializeAsString();
  }
  if (is("RevokeToken")) {
    id::RevokeTokenRequest r;
    if (variant == "jti") {
      r.set_jti("authz-unknown-jti");
    } else {
      r.set_token("not-a-token");
    }
    return r.SerializeAsString();
  }
  if (is("GetJwks")) return id::GetJwksRequest().SerializeAsString();
  if (is("CreateClient")) {
    // An audience listed twice: INVALID_ARGUMENT before anything is
    // written, so the row never creates the client the others look for.
    ka::CreateClientRequest r;
    r.set_client_id(nobody);
    r.mutable_policy()->add_allowed_audiences(kOtherAudience);
    r.mutable_policy()->add_allowed_audiences(kOtherAudience);
    return r.SerializeAsString();
  }
  if (is("GetClient")) {
    ka::GetClientRequest r;
    r.set_client_id(nobody);
    return r.SerializeAsString();
  }
  if (is("ListClients")) return ka::ListClientsRequest().SerializeAsString();
  if (is("UpdateClientPolicy")) {
    ka::UpdateClientPolicyRequest r;
    r.set_client_id(nobody);
    r.mutable_policy()->add_allowed_audiences(kOtherAudience);
    return r.SerializeAsString();
  }
  if (is("RotateClientSecret")) {
    ka::RotateClientSecretRequest r;
    r.set_client_id(nobody);
    return r.SerializeAsString();
  }
  if (is("DeleteClient")) {
    ka::DeleteClientRequest r;
    r.set_client_id(nobody);
    return r.SerializeAsString();
  }
  if (is("GetPrincipal")) {
    ka::GetPrincipalRequest r;
    r.set_principal_id(nobody);
    return r.SerializeAsString();
  }
  if (is("ListPrincipals")) {
    return ka::ListPrincipalsRequest().SerializeAsString();
  }
  if (is("TransitionPrincipal")) {
    ka::TransitionPrincipalRequest r;
    r.set_principal_id(nobody);
    r.set_event(ka::PRINCIPAL_EVENT_SUSPEND);
    return r.SerializeAsString();
  }
  if (is("UpdatePrincipalRoles")) {
    ka::UpdatePrincipalRolesRequest r;
    r.set_principal_id(nobody);
    r.add_granted_roles("authz");
    return r.SerializeAsString();
  }
  if (is("CreateKey")) {
    ka::CreateKeyRequest r;
    r.mutable_slot()->mutable_pair()->set_client_id(nobody);
    r.mutable_slot()->mutable_pair()->set_audience(kOtherAudience);
    return r.SerializeAsString();
  }
  if (is("RotateKey")) {
    // No slot: INVALID_ARGUMENT. (A slot of an unknown client should be
    // NOT_FOUND like CreateKey, as keyadmin.proto says, but the server
    // answers FAILED_PRECONDITION "no active key"; not an authorization
    // matter, so this row does not depend on it.)
    return ka::RotateKeyRequest().SerializeAsString();
  }
  if (is("RevokeKey")) {
    ka::RevokeKeyRequest r;
    r.set_kid("YXV0aHotdW5rbm93bi1raWQ");
    r.set_reason("authorization matrix");
    return r.SerializeAsString();
  }
  if (is("ListKeys")) return ka::ListKeysRequest().SerializeAsString();
  if (is("GetKey")) {
    ka::GetKeyRequest r;
    r.set_kid("YXV0aHotdW5rbm93bi1raWQ");
    return r.SerializeAsString();
  }
  if (is("RevokeSubject")) {
    ka::RevokeSubjectRequest r;
    r.set_subject(nobody);
    r.set_reason("authorization matrix");
    return r.SerializeAsString();
  }
  if (is("ListAuditEvents")) {
    return ka::ListAuditEventsRequest().SerializeAsString();
  }
  if (is("WatchKeys")) {
    ka::WatchKeysRequest r;
    r.set_since_version(-1);  // refused once authorized: no open stream
    return r.SerializeAsString();
  }
  if (is("Append")) {
    lg::AppendRequest r;
    lg::LogEntry* entry = r.add_entries();
    entry->set_message("authorization matrix");
    entry->set_level(lg::LOG_LEVEL_INFO);
    entry->set_kind(lg::LOG_KIND_APP);
    return r.SerializeAsString();
  }
  if (is("Query")) return lg::QueryRequest().SerializeAsString();
  if (is("Tail")) {
    lg::TailRequest r;
    r.mutable_filter()->mutable_start_time()->set_seconds(1);  // not allowed
    return r.SerializeAsString();
  }
  ADD_FAILURE() << "no request for " << method;
  return "";
}

}  // namespace meshid::authz
