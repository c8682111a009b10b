// `meshctl token ...` commands that work offline on tokens and key sets.
//
//   meshctl token verify --jwks FILE --issuer ISS --audience AUD
//                        [--now UNIX] [--skew SECONDS] [--max-lifetime SECONDS]
//     Reads tokens from stdin, one per line; prints "ACCEPT sub=<sub>" or
//     "REJECT <reason>" per token. Exit 0 when every token was accepted, 1
//     otherwise, 2 on bad usage.
//   meshctl token decode
//     Reads tokens from stdin and prints header and claims, marked
//     UNVERIFIED. Exit 0, or 1 when a token cannot be decoded.
#ifndef MESHID_TOOLS_MESHCTL_TOKEN_COMMANDS_H_
#define MESHID_TOOLS_MESHCTL_TOKEN_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace meshid::meshctl {

int RunTokenVerify(const std::vector<std::string>& args, std::istream& in,
                   std::ostream& out, std::ostream& err);
int RunTokenDecode(const std::vector<std::string>& args, std::istream& in,
                   std::ostream& out, std::ostream& err);

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_TOKEN_COMMANDS_H_
