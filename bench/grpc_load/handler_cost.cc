#include "bench/grpc_load/handler_cost.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bench/grpc_load/fatal.h"
#include "identity/identity_metrics.h"
#include "identity/token_service.h"
#include "prometheus/registry.h"

namespace meshid::bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace v1 = ::meshid::identity::v1;

}  // namespace

double HandlerMicrosPerCall(const identity::IdentityServer& server,
                            const v1::IssueTokenRequest& request, int iterations,
                            double* fresh_thread_us) {
  prometheus::Registry registry;
  identity::IdentityMetrics metrics(registry);
  identity::TokenService tokens(server.context(), /*principals=*/nullptr,
                                &metrics);
  identity::TokenRequest req;
  req.audience = request.audience();
  auto once = [&] {
    absl::StatusOr<identity::IssuedToken> t = tokens.IssueToken(
        request.client_id(), request.client_secret(), req);
    if (!t.ok() || t->access_token.empty()) {
      Die(absl::StrCat("in-process IssueToken: ", t.status().ToString()));
    }
    v1::TokenResponse response;  // as the gRPC handler's ToProto
    response.set_access_token(t->access_token);
    response.set_token_type("Bearer");
    response.set_expires_in(t->expires_in);
    response.set_scope(t->scope);
  };
  for (int i = 0; i < std::min(iterations, 2000); ++i) once();
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < iterations; ++i) once();
  const double warm =
      std::chrono::duration<double, std::micro>(Clock::now() - start).count() /
      iterations;
  // The first call on a new thread: what a handler pays on each of the
  // threads a sync server keeps creating (per-thread state such as
  // OpenSSL's thread-local DRBGs is made on first use).
  constexpr int kFreshThreads = 300;
  double fresh_total = 0;
  for (int i = 0; i < kFreshThreads; ++i) {
    double us = 0;
    std::thread([&] {
      const Clock::time_point t = Clock::now();
      once();
      us = std::chrono::duration<double, std::micro>(Clock::now() - t).count();
    }).join();
    fresh_total += us;
  }
  *fresh_thread_us = fresh_total / kFreshThreads;
  return warm;
}

}  // namespace meshid::bench
