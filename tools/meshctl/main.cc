// meshctl: the meshid admin and debugging CLI. main only dispatches.
#include <iostream>
#include <string>
#include <vector>

#include "tools/meshctl/command_line.h"
#include "tools/meshctl/token_commands.h"

namespace {

constexpr char kUsage[] =
    "usage: meshctl <group> <command> [flags]\n"
    "\n"
    "  token verify --jwks FILE --issuer ISS --audience AUD [--now UNIX]\n"
    "               [--skew SECONDS] [--max-lifetime SECONDS]   < tokens\n"
    "      verify tokens offline against a JWKS file\n"
    "  token decode                                             < tokens\n"
    "      print header and claims, UNVERIFIED\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace meshid::meshctl;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (args.size() < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string group = args[0], command = args[1];
  const std::vector<std::string> rest(args.begin() + 2, args.end());
  if (group == "token" && command == "verify") {
    return RunTokenVerify(rest, std::cin, std::cout, std::cerr);
  }
  if (group == "token" && command == "decode") {
    return RunTokenDecode(rest, std::cin, std::cout, std::cerr);
  }
  std::cerr << "meshctl: unknown command '" << group << " " << command
            << "'\n\n"
            << kUsage;
  return kExitUsage;
}
