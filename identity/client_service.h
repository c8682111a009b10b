// ClientService: service clients — their secrets, policies and pair keys.
//
// A client is a SERVICE principal plus its credentials and policy. Its
// secret is 256 random bits, returned once by Create and RotateSecret and
// stored only as an HMAC under the master key. Granting an audience makes
// the pair's HS256 key (PENDING for the activation delay, so validators
// hold it before it signs); removing one retires it.
#ifndef MESHID_IDENTITY_CLIENT_SERVICE_H_
#define MESHID_IDENTITY_CLIENT_SERVICE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "identity/client_policy.h"
#include "identity/identity_context.h"

namespace meshid::identity {

// What the API shows of a client (never the secret or its hash).
struct ClientInfo {
  std::string client_id;
  std::string display_name;
  ClientPolicy policy;
  PrincipalState state = PrincipalState::kActive;
  absl::Time created_at;
  absl::Time updated_at;
};

struct ClientWithSecret {
  ClientInfo client;
  std::string secret;  // shown once; the caller must not log it
};

class ClientService {
 public:
  explicit ClientService(const IdentityContext& ctx) : ctx_(ctx) {}

  struct CreateOptions {
    // Given (bootstrap): 32-512 bytes. Empty: one is generated.
    std::string secret;
    // Bootstrap clients sign at once: meshid itself is their only
    // validator, and it holds their keys the moment they commit.
    bool activate_keys_now = false;
  };
  // ALREADY_EXISTS when the id is or was in use (ids are never reused).
  absl::StatusOr<ClientWithSecret> CreateClient(absl::string_view client_id,
                                                absl::string_view display_name,
                                                const ClientPolicy& policy,
                                                absl::string_view actor,
                                                const CreateOptions& options);
  absl::StatusOr<ClientWithSecret> CreateClient(absl::string_view client_id,
                                                absl::string_view display_name,
                                                const ClientPolicy& policy,
                                                absl::string_view actor) {
    return CreateClient(client_id, display_name, policy, actor,
                        CreateOptions());
  }
  absl::StatusOr<ClientInfo> GetClient(absl::string_view client_id);
  absl::StatusOr<std::vector<ClientInfo>> ListClients();
  absl::StatusOr<ClientInfo> UpdatePolicy(absl::string_view client_id,
                                          const ClientPolicy& policy,
                                          absl::string_view actor);
  absl::StatusOr<ClientWithSecret> RotateSecret(absl::string_view client_id,
                                                absl::string_view actor);
  // Deletes (the principal becomes DELETED; its tokens are revoked and its
  // pair keys revoked). The id stays taken.
  absl::Status DeleteClient(absl::string_view client_id,
                            absl::string_view actor);

 private:
  const IdentityContext& ctx_;
};

// A new client secret: "mid_" + base64url(32 random bytes). The prefix
// lets secret scanners recognise a leaked meshid credential.
absl::StatusOr<std::string> NewClientSecret();

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_CLIENT_SERVICE_H_
