// `meshctl principals ...`: services and users, their lifecycle and roles,
// through the KeyAdmin API.
//
//   principals list [--kind service|user] [--state STATE] [--limit N]
//   principals get --id ID
//   principals transition --id ID
//       --event register|subscribe|unsubscribe|suspend|reinstate|delete
//       [--reason R]
//   principals roles --id ID (--role R... | --clear)   (replaces the grants)
#ifndef MESHID_TOOLS_MESHCTL_PRINCIPAL_COMMANDS_H_
#define MESHID_TOOLS_MESHCTL_PRINCIPAL_COMMANDS_H_

#include <vector>

#include "tools/meshctl/command.h"

namespace meshid::meshctl {

std::vector<CommandSpec> PrincipalCommands();

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_PRINCIPAL_COMMANDS_H_
