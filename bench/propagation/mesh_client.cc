#include "bench/propagation/mesh_client.h"

#include "absl/strings/str_cat.h"
#include "bench/propagation/worker_pool.h"

namespace meshid::bench {

namespace v1 = ::meshid::identity::v1;
namespace ka = ::meshid::keyadmin::v1;

std::unique_ptr<grpc::ClientContext> WithToken(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
  return ctx;
}

absl::StatusOr<std::string> Issue(v1::Identity::Stub& stub,
                                  const std::string& client,
                                  const std::string& secret,
                                  const std::string& audience) {
  v1::IssueTokenRequest request;
  request.set_client_id(client);
  request.set_client_secret(secret);
  request.set_audience(audience);
  v1::TokenResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  const grpc::Status s = stub.IssueToken(&ctx, request, &response);
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                        s.error_message());
  }
  return response.access_token();
}

// Retries IssueToken until it works (a new client's key is PENDING until the
// ticker activates it) or `within` passes.
std::string IssueWhenReady(v1::Identity::Stub& stub, const std::string& client,
                           const std::string& secret,
                           const std::string& audience, absl::Duration within) {
  const absl::Time give_up = absl::Now() + within;
  for (;;) {
    absl::StatusOr<std::string> t = Issue(stub, client, secret, audience);
    if (t.ok() && !t->empty()) return *t;
    if (absl::Now() > give_up) {
      Die(absl::StrCat("no token for ", client, ": ", t.status().ToString()));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

std::string CreateClient(ka::KeyAdmin::Stub& keyadmin, const std::string& token,
                         const std::string& client_id,
                         const std::string& audience,
                         const std::vector<std::string>& scopes) {
  ka::CreateClientRequest request;
  request.set_client_id(client_id);
  request.mutable_policy()->add_allowed_audiences(audience);
  auto* entry = request.mutable_policy()->add_audience_scopes();
  entry->set_audience(audience);
  for (const std::string& s : scopes) entry->add_scopes(s);
  ka::CreateClientResponse response;
  const grpc::Status s =
      keyadmin.CreateClient(WithToken(token).get(), request, &response);
  if (!s.ok())
    Die(absl::StrCat("CreateClient ", client_id, ": ", s.error_message()));
  return response.client_secret();
}

}  // namespace meshid::bench
