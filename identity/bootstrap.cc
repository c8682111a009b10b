#include "identity/bootstrap.h"

#include "common/status_macros.h"

namespace meshid::identity {

ClientPolicy AdminPolicy(const IdentityOptions& options) {
  ClientPolicy policy;
  policy.audiences[options.keyadmin_audience] = {"keys:admin", "keys:watch"};
  policy.audiences[options.identity_audience] = {"tokens:introspect",
                                                 "tokens:revoke"};
  policy.max_token_ttl = options.max_token_ttl;
  return policy;
}

absl::StatusOr<std::vector<std::string>> Bootstrap(
    const IdentityContext& ctx, KeyService& keys, ClientService& clients,
    const BootstrapOptions& options) {
  std::vector<std::string> done;
  RETURN_IF_ERROR(keys.EnsureIssuerKeys("bootstrap"));
  auto create_once = [&](absl::string_view id, absl::string_view name,
                         const ClientPolicy& policy, absl::string_view secret,
                         absl::string_view what,
                         bool activate_keys_now = true) -> absl::Status {
    if (ctx.views->Current()->FindClient(id) != nullptr)
      return absl::OkStatus();
    ClientService::CreateOptions create;
    create.secret = std::string(secret);
    create.activate_keys_now = activate_keys_now;
    absl::StatusOr<ClientWithSecret> created =
        clients.CreateClient(id, name, policy, "bootstrap", create);
    // ALREADY_EXISTS: made by another replica, or deleted on purpose.
    if (!created.ok() && !absl::IsAlreadyExists(created.status())) {
      return created.status();
    }
    if (created.ok()) done.push_back(std::string(what));
    return absl::OkStatus();
  };
  if (!options.admin_secret.empty()) {
    RETURN_IF_ERROR(create_once(options.admin_client, "Bootstrap admin",
                                AdminPolicy(ctx.options), options.admin_secret,
                                "admin_created"));
  }
  // The login client's secret is random and never shown: it issues through
  // Login only. Admins grant it audiences with UpdateClientPolicy.
  ClientPolicy login;
  login.max_token_ttl = ctx.options.max_token_ttl;
  RETURN_IF_ERROR(create_once(ctx.options.login_client,
                              "Issues users' tokens (Login)", login, "",
                              "login_client_created"));
  if (!options.audit_client.empty()) {
    ClientPolicy audit;
    audit.audiences[options.audit_audience] = {"logs:write"};
    audit.max_token_ttl = ctx.options.max_token_ttl;
    // Not activated at once: the Log server is another process, and it
    // must hold the key before the key signs.
    RETURN_IF_ERROR(create_once(options.audit_client, "Ships audit events",
                                audit, "", "audit_client_created",
                                /*activate_keys_now=*/false));
  }
  return done;
}

}  // namespace meshid::identity
