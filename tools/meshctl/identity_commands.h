// `meshctl token issue|introspect|revoke`: the token plane (Identity API).
//
//   token issue --client-id C (--client-secret-file F | $MESHID_CLIENT_SECRET)
//               --audience A [--scope S]... [--ttl DUR]
//     Prints the access token alone (or the whole reply with --json).
//   token introspect [--token T | --token - | tokens on stdin]
//     RFC 7662; needs a bearer token with scope tokens:introspect
//     (--auth-token or $MESHID_TOKEN). Exit 0 when every token is active,
//     1 otherwise.
//   token revoke (--token T | --token - | --jti J)
//     By token: no bearer needed. By jti: a bearer token with scope
//     tokens:revoke.
//
// The offline `token verify` and `token decode` live in token_commands.h.
#ifndef MESHID_TOOLS_MESHCTL_IDENTITY_COMMANDS_H_
#define MESHID_TOOLS_MESHCTL_IDENTITY_COMMANDS_H_

#include <vector>

#include "tools/meshctl/command.h"

namespace meshid::meshctl {

std::vector<CommandSpec> IdentityCommands();

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_IDENTITY_COMMANDS_H_
