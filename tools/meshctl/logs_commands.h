// `meshctl logs ...`: reading the Log server (meshid-log).
//
//   logs query [--since T] [--until T] [--service S] [--subject S]
//              [--level L] [--method-prefix P] [--contains TEXT] [--kind K]
//              [--page-size N] [--page-token T | --all | --limit N]
//   logs tail  [--service S] [--subject S] [--level L] [--method-prefix P]
//              [--contains TEXT] [--kind K] [--limit N]
//
// --since/--until take an RFC 3339 time or a duration ago ("15m"). query
// prints one page (the next page's token on stderr), every page with --all,
// or pages until N entries with --limit. tail prints entries as they are
// appended until interrupted (or --limit, or --timeout). The bearer token
// needs aud=logging-service and scope logs:read.
#ifndef MESHID_TOOLS_MESHCTL_LOGS_COMMANDS_H_
#define MESHID_TOOLS_MESHCTL_LOGS_COMMANDS_H_

#include <vector>

#include "tools/meshctl/command.h"

namespace meshid::meshctl {

std::vector<CommandSpec> LogsCommands();

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_LOGS_COMMANDS_H_
