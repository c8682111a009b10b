// The dispatcher: overview and per-command help, unknown commands, the
// registry's consistency; that no command ever prints the bearer token,
// whatever the server answers; and the real gRPC transport against a port
// where nothing listens.
#include <set>

#include "tests/tools/meshctl/test_env.h"

namespace meshid::meshctl::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class MeshctlDispatchTest : public MeshctlTest {};

TEST_F(MeshctlDispatchTest, HelpAndOverview) {
  RunResult r = Run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("usage: meshctl <group> <command>"));
  for (const CommandSpec& spec : AllCommands()) {
    EXPECT_THAT(r.out, HasSubstr("meshctl " + spec.FullName()));
  }
  r = Run({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("usage: meshctl"));
}

TEST_F(MeshctlDispatchTest, UnknownGroupOrCommandIsUsage) {
  RunResult r = Run({"frobnicate", "now"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("meshctl: unknown command group 'frobnicate'"));
  r = Run({"keys", "destroy-all"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("meshctl: unknown command 'keys destroy-all'"));
  EXPECT_THAT(r.err, HasSubstr("meshctl keys rotate"));
  r = Run({"keys"});
  EXPECT_EQ(r.exit_code, 2);
  r = Run({"keys", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("meshctl keys revoke --kid KID"));
}

TEST_F(MeshctlDispatchTest, EveryCommandHasHelpAndAHandler) {
  std::set<std::string> names;
  for (const CommandSpec& spec : AllCommands()) {
    EXPECT_TRUE(names.insert(spec.FullName()).second) << spec.FullName();
    EXPECT_TRUE((spec.run == nullptr) != (spec.run_raw == nullptr))
        << spec.FullName();
    RunResult r = Run({spec.group, spec.name, "--help"});
    EXPECT_EQ(r.exit_code, 0) << spec.FullName();
    EXPECT_THAT(r.out, StartsWith("usage: meshctl " + spec.FullName()));
  }
  for (const char* expected : {"clients create",
                               "clients list",
                               "clients get",
                               "clients policy",
                               "clients rotate-secret",
                               "clients delete",
                               "principals list",
                               "principals get",
                               "principals transition",
                               "principals roles",
                               "keys list",
                               "keys get",
                               "keys create",
                               "keys rotate",
                               "keys revoke",
                               "subjects revoke",
                               "token issue",
                               "token introspect",
                               "token revoke",
                               "token verify",
                               "token decode",
                               "audit list"}) {
    EXPECT_EQ(names.count(expected), 1u) << expected;
  }
}

TEST_F(MeshctlDispatchTest, UnknownFlagIsUsageWithTheCommandsUsageLine) {
  RunResult r = Run({"keys", "get", "--kid", "k", "--colour"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "meshctl: keys get: unknown flag --colour\n"
            "usage: meshctl keys get --kid KID [connection flags]\n");
}

// Every networked command, run against servers that implement nothing
// (UNIMPLEMENTED), must fail with exactly one error line, exit 1, and print
// neither the bearer token nor the client secret.
class UnimplementedServerTest : public ::testing::Test {
 protected:
  UnimplementedServerTest() {
    grpc::ServerBuilder builder;
    builder.RegisterService(&keyadmin_);
    builder.RegisterService(&identity_);
    server_ = builder.BuildAndStart();
    transport_ = std::make_unique<InProcessTransport>(server_.get());
  }
  ~UnimplementedServerTest() override { server_->Shutdown(); }

  ka::KeyAdmin::Service keyadmin_;
  idv1::Identity::Service identity_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<InProcessTransport> transport_;
};

TEST_F(UnimplementedServerTest, ErrorsAreOneLineAndLeakNoSecret) {
  const std::string client_secret = "CLIENT-SECRET-NEVER-PRINTED";
  const std::vector<std::vector<std::string>> commands = {
      {"clients", "create", "--id", "a", "--audience", "api"},
      {"clients", "list"},
      {"clients", "get", "--id", "a"},
      {"clients", "policy", "--id", "a", "--audience", "api"},
      {"clients", "rotate-secret", "--id", "a"},
      {"clients", "delete", "--id", "a"},
      {"principals", "list"},
      {"principals", "get", "--id", "a"},
      {"principals", "transition", "--id", "a", "--event", "suspend"},
      {"principals", "roles", "--id", "a", "--role", "r"},
      {"keys", "list"},
      {"keys", "get", "--kid", "k"},
      {"keys", "create", "--issuer-alg", "EdDSA"},
      {"keys", "rotate", "--issuer-alg", "EdDSA"},
      {"keys", "revoke", "--kid", "k", "--reason", "r"},
      {"subjects", "revoke", "--subject", "s", "--reason", "r"},
      {"token", "issue", "--client-id", "a", "--audience", "api"},
      {"token", "introspect", "--token", "some.jwt.here"},
      {"token", "revoke", "--jti", "j"},
      {"audit", "list"},
  };
  for (const std::vector<std::string>& args : commands) {
    std::istringstream in;
    std::ostringstream out, err;
    const int rc =
        RunMeshctl(args, {in, out, err}, *transport_,
                   [&](const std::string& name) -> std::optional<std::string> {
                     if (name == "MESHID_TOKEN")
                       return std::string(kAdminToken);
                     if (name == "MESHID_CLIENT_SECRET") return client_secret;
                     return std::nullopt;
                   });
    const std::string command = args[0] + " " + args[1];
    EXPECT_EQ(rc, 1) << command << ": " << err.str();
    EXPECT_EQ(err.str(), "meshctl: " + command + ": UNIMPLEMENTED\n")
        << command;
    EXPECT_EQ(out.str(), "") << command;
    for (const std::string& secret :
         {std::string(kAdminToken), client_secret}) {
      EXPECT_THAT(out.str() + err.str(), ::testing::Not(HasSubstr(secret)))
          << command;
    }
  }
}

TEST(GrpcTransportTest, UnreachableServerIsOneErrorLineAndExitOne) {
  std::unique_ptr<Transport> transport = NewGrpcTransport();
  std::istringstream in;
  std::ostringstream out, err;
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  const int rc =
      RunMeshctl({"keys", "list", "--addr", "127.0.0.1:1", "--timeout", "5s"},
                 {in, out, err}, *transport,
                 [](const std::string& name) -> std::optional<std::string> {
                   if (name == "MESHID_TOKEN") return std::string(kAdminToken);
                   return std::nullopt;
                 });
  EXPECT_EQ(rc, 1);
  EXPECT_THAT(err.str(), ::testing::MatchesRegex(
                             "meshctl: keys list: (UNAVAILABLE|DEADLINE_"
                             "EXCEEDED): [^\n]*\n"));
  EXPECT_THAT(err.str(), ::testing::Not(HasSubstr(kAdminToken)));
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace meshid::meshctl::testing
