// First-start setup, idempotent on every start: issuer keys for EdDSA and
// ES256, the bootstrap admin client (from a secret the operator supplies),
// and the login client that issues users' tokens.
#ifndef MESHID_IDENTITY_BOOTSTRAP_H_
#define MESHID_IDENTITY_BOOTSTRAP_H_

#include <string>

#include "absl/status/status.h"
#include "identity/client_service.h"
#include "identity/key_service.h"

namespace meshid::identity {

struct BootstrapOptions {
  // The admin client made on first start when `admin_secret` is set. Its
  // policy: keys:admin and keys:watch for the KeyAdmin audience,
  // tokens:introspect and tokens:revoke for the Identity audience.
  std::string admin_client = "meshid-admin";
  std::string admin_secret;  // empty: no admin is made
  // The client identity ships its audit events to the Log server as (see
  // identity/audit/); made on first start when not empty, with policy
  // `audit_audience`: logs:write. Its secret is random and never shown: it
  // only gets tokens in-process (TokenService::IssueOwnToken).
  std::string audit_client;
  std::string audit_audience = "logging-service";
};

// Returns what it did, for the start-up log: e.g. "admin_created".
absl::StatusOr<std::vector<std::string>> Bootstrap(
    const IdentityContext& ctx, KeyService& keys, ClientService& clients,
    const BootstrapOptions& options);

// The admin policy described above.
ClientPolicy AdminPolicy(const IdentityOptions& options);

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_BOOTSTRAP_H_
