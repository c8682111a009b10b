// Which headers cross the gateway, and the ones it adds (DESIGN.md
// "Gateway"). Plain C++ over header names and values; the proxy applies it
// to gRPC metadata.
//
// Request headers from the caller are forwarded except:
//   - authorization: replaced by the gateway's own token for the upstream;
//   - x-meshid-*: only the gateway speaks for the caller, so anything a
//     caller sends under that prefix is dropped (names arrive lower-cased);
//   - transport and reserved headers (pseudo-headers, grpc-*, te,
//     content-type, user-agent, hop-by-hop headers): gRPC sets its own.
// The verified caller then goes upstream as
//   x-meshid-subject, x-meshid-client-id, x-meshid-scopes (space
//   separated), x-meshid-roles (space separated), x-meshid-token-id (jti)
//   and, for users, x-meshid-principal-state.
// Response headers and trailers from the upstream are returned except the
// reserved ones; the status, its message and details travel as the status.
//
//   for (const auto& [key, value] : incoming) {
//     if (ForwardRequestHeader(key)) out.Add(key, value);
//   }
//   ForEachCallerHeader(principal, [&](absl::string_view key,
//                                      std::string value) { out.Add(...); });
#ifndef MESHID_GATEWAY_METADATA_POLICY_H_
#define MESHID_GATEWAY_METADATA_POLICY_H_

#include <string>
#include <utility>

#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/token/principal.h"

namespace meshid::gateway {

inline constexpr absl::string_view kCallerHeaderPrefix = "x-meshid-";
inline constexpr absl::string_view kSubjectHeader = "x-meshid-subject";
inline constexpr absl::string_view kClientIdHeader = "x-meshid-client-id";
inline constexpr absl::string_view kScopesHeader = "x-meshid-scopes";
inline constexpr absl::string_view kRolesHeader = "x-meshid-roles";
inline constexpr absl::string_view kTokenIdHeader = "x-meshid-token-id";
inline constexpr absl::string_view kPrincipalStateHeader =
    "x-meshid-principal-state";

// True when the caller's header `key` (lower case) goes upstream.
bool ForwardRequestHeader(absl::string_view key);

// True when the upstream's header or trailer `key` goes back to the caller.
bool ForwardResponseHeader(absl::string_view key);

// `value` as a legal gRPC ASCII header value: bytes outside 0x20-0x7e, and
// '%' itself, are percent-encoded ("%C3%A9"), so any claim survives the
// trip and decodes unambiguously.
std::string HeaderValue(absl::string_view value);

// Calls add(key, value) for each x-meshid-* header describing `principal`.
template <typename Add>
void ForEachCallerHeader(const Principal& principal, Add&& add) {
  add(kSubjectHeader, HeaderValue(principal.subject));
  add(kClientIdHeader, HeaderValue(principal.client_id));
  add(kScopesHeader, HeaderValue(principal.scope));
  add(kRolesHeader, HeaderValue(absl::StrJoin(principal.roles, " ")));
  add(kTokenIdHeader, HeaderValue(principal.jti));
  if (!principal.state.empty()) {
    add(kPrincipalStateHeader, HeaderValue(principal.state));
  }
}

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_METADATA_POLICY_H_
