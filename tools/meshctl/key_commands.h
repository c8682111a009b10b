// `meshctl keys ...` and `meshctl subjects revoke`: signing keys and
// revocation through the KeyAdmin API. A slot is an HS256 pair
// (--client C --audience A) or an issuer algorithm (--issuer-alg
// EdDSA|ES256).
//
//   keys list [SLOT] [--state pending|active|retired|expired|revoked]
//             [--limit N]
//   keys get --kid KID
//   keys create SLOT [--activation-delay DUR]
//   keys rotate SLOT [--activation-delay DUR]
//   keys revoke --kid KID --reason R
//   subjects revoke --subject S --reason R [--before RFC3339]
//
// Key listings never contain key material; nothing here prints a secret.
#ifndef MESHID_TOOLS_MESHCTL_KEY_COMMANDS_H_
#define MESHID_TOOLS_MESHCTL_KEY_COMMANDS_H_

#include <vector>

#include "tools/meshctl/command.h"

namespace meshid::meshctl {

std::vector<CommandSpec> KeyCommands();

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_KEY_COMMANDS_H_
