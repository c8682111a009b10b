// The whole meshctl command line as one function: finds the command in the
// registry, parses its flags and the connection settings, and runs it with
// the given streams, transport and environment. main() passes the real
// ones; tests pass string streams, stubs over an in-process channel and a
// map.
//
//   std::unique_ptr<Transport> transport = NewGrpcTransport();
//   return RunMeshctl(args, {std::cin, std::cout, std::cerr}, *transport,
//                     ProcessEnvironment());
#ifndef MESHID_TOOLS_MESHCTL_MESHCTL_H_
#define MESHID_TOOLS_MESHCTL_MESHCTL_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "tools/meshctl/command.h"
#include "tools/meshctl/connection.h"

namespace meshid::meshctl {

// Every command, in the order the overview lists them.
const std::vector<CommandSpec>& AllCommands();

// The overview: every command's usage line and summary.
void PrintOverview(std::ostream& out);

// Runs `args` (argv without the program name). Returns the exit code:
// kExitOk, kExitFailed (the command ran and failed; one line on stderr),
// kExitUsage (bad command line; the message and usage on stderr).
// `--help` anywhere prints help on stdout and returns kExitOk.
int RunMeshctl(const std::vector<std::string>& args, CommandIo io,
               Transport& transport, const GetEnvFn& env);

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_MESHCTL_H_
