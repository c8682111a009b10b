// The meshid.keyadmin.v1.KeyAdmin gRPC service: every call needs a token
// for the KeyAdmin audience with scope keys:admin (WatchKeys: keys:watch);
// the caller's subject is the actor in the audit trail. The unary methods
// are synchronous; WatchKeys is a callback-API stream (no thread per
// watcher).
#ifndef MESHID_IDENTITY_KEYADMIN_GRPC_SERVICE_H_
#define MESHID_IDENTITY_KEYADMIN_GRPC_SERVICE_H_

#include "identity/authorizer.h"
#include "identity/client_service.h"
#include "identity/identity_metrics.h"
#include "identity/key_service.h"
#include "identity/principal_service.h"
#include "identity/proto_convert.h"
#include "identity/watch/watch_hub.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"

namespace meshid::identity {

class KeyAdminGrpcService final
    : public ::meshid::keyadmin::v1::KeyAdmin::WithCallbackMethod_WatchKeys<
          ::meshid::keyadmin::v1::KeyAdmin::Service> {
 public:
  KeyAdminGrpcService(const IdentityContext& ctx, KeyService* keys,
                      ClientService* clients, PrincipalService* principals,
                      IdentityMetrics* metrics, WatchHub* hub)
      : ctx_(ctx),
        hub_(hub),
        keys_(keys),
        clients_(clients),
        principals_(principals),
        metrics_(metrics),
        authorizer_(ctx) {}

  using Ctx = grpc::ServerContext;
  using Empty = google::protobuf::Empty;
  grpc::Status CreateClient(Ctx*, const keyadmin_pb::CreateClientRequest*,
                            keyadmin_pb::CreateClientResponse*) override;
  grpc::Status GetClient(Ctx*, const keyadmin_pb::GetClientRequest*,
                         keyadmin_pb::Client*) override;
  grpc::Status ListClients(Ctx*, const keyadmin_pb::ListClientsRequest*,
                           keyadmin_pb::ListClientsResponse*) override;
  grpc::Status UpdateClientPolicy(Ctx*,
                                  const keyadmin_pb::UpdateClientPolicyRequest*,
                                  keyadmin_pb::Client*) override;
  grpc::Status RotateClientSecret(
      Ctx*, const keyadmin_pb::RotateClientSecretRequest*,
      keyadmin_pb::RotateClientSecretResponse*) override;
  grpc::Status DeleteClient(Ctx*, const keyadmin_pb::DeleteClientRequest*,
                            Empty*) override;
  grpc::Status GetPrincipal(Ctx*, const keyadmin_pb::GetPrincipalRequest*,
                            keyadmin_pb::Principal*) override;
  grpc::Status ListPrincipals(Ctx*, const keyadmin_pb::ListPrincipalsRequest*,
                              keyadmin_pb::ListPrincipalsResponse*) override;
  grpc::Status TransitionPrincipal(
      Ctx*, const keyadmin_pb::TransitionPrincipalRequest*,
      keyadmin_pb::Principal*) override;
  grpc::Status UpdatePrincipalRoles(
      Ctx*, const keyadmin_pb::UpdatePrincipalRolesRequest*,
      keyadmin_pb::Principal*) override;
  grpc::Status CreateKey(Ctx*, const keyadmin_pb::CreateKeyRequest*,
                         keyadmin_pb::Key*) override;
  grpc::Status RotateKey(Ctx*, const keyadmin_pb::RotateKeyRequest*,
                         keyadmin_pb::RotateKeyResponse*) override;
  grpc::Status RevokeKey(Ctx*, const keyadmin_pb::RevokeKeyRequest*,
                         keyadmin_pb::Key*) override;
  grpc::Status ListKeys(Ctx*, const keyadmin_pb::ListKeysRequest*,
                        keyadmin_pb::ListKeysResponse*) override;
  grpc::Status GetKey(Ctx*, const keyadmin_pb::GetKeyRequest*,
                      keyadmin_pb::Key*) override;
  grpc::Status RevokeSubject(Ctx*, const keyadmin_pb::RevokeSubjectRequest*,
                             keyadmin_pb::RevokeSubjectResponse*) override;
  grpc::Status ListAuditEvents(Ctx*, const keyadmin_pb::ListAuditEventsRequest*,
                               keyadmin_pb::ListAuditEventsResponse*) override;
  grpc::ServerWriteReactor<keyadmin_pb::WatchKeysResponse>* WatchKeys(
      grpc::CallbackServerContext* context,
      const keyadmin_pb::WatchKeysRequest* request) override;

 private:
  // The caller's subject when it may administer keys; else the refusal.
  absl::StatusOr<std::string> Admin(const Ctx& context);
  grpc::Status Done(absl::string_view operation, const absl::Status& status);

  const IdentityContext& ctx_;
  WatchHub* const hub_;
  KeyService* const keys_;
  ClientService* const clients_;
  PrincipalService* const principals_;
  IdentityMetrics* const metrics_;
  Authorizer authorizer_;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_KEYADMIN_GRPC_SERVICE_H_
