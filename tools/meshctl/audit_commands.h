// `meshctl audit list`: the audit log through the KeyAdmin API, newest
// first.
//
//   audit list [--actor A] [--action ACTION] [--target T] [--kid KID]
//              [--since RFC3339] [--until RFC3339] [--limit N]
#ifndef MESHID_TOOLS_MESHCTL_AUDIT_COMMANDS_H_
#define MESHID_TOOLS_MESHCTL_AUDIT_COMMANDS_H_

#include <vector>

#include "tools/meshctl/command.h"

namespace meshid::meshctl {

std::vector<CommandSpec> AuditCommands();

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_AUDIT_COMMANDS_H_
