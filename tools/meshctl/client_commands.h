// `meshctl clients ...`: clients (SERVICE principals with a secret and a
// policy) through the KeyAdmin API.
//
//   clients create --id ID [--name N] --audience AUD[=SCOPE,...]...
//                  [--max-ttl DUR] [--signing-alg HS256|EdDSA|ES256]
//   clients list [--limit N]
//   clients get --id ID
//   clients policy --id ID --audience AUD[=SCOPE,...]... [--max-ttl DUR]
//                  [--signing-alg ALG]        (replaces the whole policy)
//   clients rotate-secret --id ID
//   clients delete --id ID
//
// create and rotate-secret print the client secret once: the server keeps
// only an HMAC of it.
#ifndef MESHID_TOOLS_MESHCTL_CLIENT_COMMANDS_H_
#define MESHID_TOOLS_MESHCTL_CLIENT_COMMANDS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "meshid/keyadmin/v1/keyadmin.pb.h"
#include "tools/meshctl/command.h"

namespace meshid::meshctl {

std::vector<CommandSpec> ClientCommands();

// The ClientPolicy of --audience (repeated; "aud" or "aud=s1,s2"),
// --max-ttl and --signing-alg. INVALID_ARGUMENT when no audience is given,
// one is given twice, or a value is malformed.
absl::StatusOr<keyadmin::v1::ClientPolicy> ClientPolicyFromFlags(
    const Flags& flags);

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_CLIENT_COMMANDS_H_
