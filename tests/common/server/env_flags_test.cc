#include "common/server/env_flags.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_FLAG(int32_t, server_test_port, 50051, "Port the test server uses.");
ABSL_FLAG(bool, server_test_enabled, false, "Whether the test feature is on.");
ABSL_FLAG(std::string, server_test_client_secret, "",
          "A secret | with a pipe.");

namespace meshid::server {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

TEST(EnvFlagsTest, EnvVarNameIsPrefixedUpperCase) {
  EXPECT_EQ(EnvVarNameForFlag("store"), "MESHID_STORE");
  EXPECT_EQ(EnvVarNameForFlag("http_address"), "MESHID_HTTP_ADDRESS");
}

TEST(EnvFlagsTest, AppliesVariablesToFlags) {
  absl::FlagSaver saver;
  const char* env[] = {"PATH=/bin",
                       "MESHID_SERVER_TEST_PORT=7000",
                       "MESHID_SERVER_TEST_ENABLED=true",
                       "MESHID_SERVER_TEST_CLIENT_SECRET=abc=def",
                       "MESHID_NOT_A_FLAG=whatever",
                       nullptr};
  ASSERT_TRUE(ApplyEnvironmentToFlags(env).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_server_test_port), 7000);
  EXPECT_TRUE(absl::GetFlag(FLAGS_server_test_enabled));
  EXPECT_EQ(absl::GetFlag(FLAGS_server_test_client_secret), "abc=def");
}

TEST(EnvFlagsTest, NullOrEmptyEnvironmentChangesNothing) {
  absl::FlagSaver saver;
  const char* env[] = {nullptr};
  EXPECT_TRUE(ApplyEnvironmentToFlags(env).ok());
  EXPECT_TRUE(ApplyEnvironmentToFlags(nullptr).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_server_test_port), 50051);
}

TEST(EnvFlagsTest, CommandLineOverridesEnvironment) {
  absl::FlagSaver saver;
  ASSERT_EQ(::setenv("MESHID_SERVER_TEST_PORT", "7000", 1), 0);
  ASSERT_EQ(::setenv("MESHID_SERVER_TEST_ENABLED", "true", 1), 0);
  char arg0[] = "prog";
  char arg1[] = "--server_test_port=8000";
  char arg2[] = "positional";
  char* argv[] = {arg0, arg1, arg2, nullptr};
  auto args = ParseFlagsAndEnvironment(3, argv);
  ::unsetenv("MESHID_SERVER_TEST_PORT");
  ::unsetenv("MESHID_SERVER_TEST_ENABLED");
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(absl::GetFlag(FLAGS_server_test_port), 8000);  // command line
  EXPECT_TRUE(absl::GetFlag(FLAGS_server_test_enabled));   // environment
  ASSERT_EQ(args->size(), 2u);
  EXPECT_STREQ((*args)[1], "positional");
}

TEST(EnvFlagsTest, BadValueNamesTheVariableButNotTheValue) {
  absl::FlagSaver saver;
  const char* env[] = {"MESHID_SERVER_TEST_PORT=hunter2-not-a-port",
                       "MESHID_SERVER_TEST_ENABLED=maybe-XYZZY", nullptr};
  const absl::Status status = ApplyEnvironmentToFlags(env);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("MESHID_SERVER_TEST_PORT"));
  EXPECT_THAT(status.message(), HasSubstr("--server_test_port"));
  EXPECT_THAT(status.message(), HasSubstr("MESHID_SERVER_TEST_ENABLED"));
  EXPECT_THAT(status.message(), Not(HasSubstr("hunter2")));
  EXPECT_THAT(status.message(), Not(HasSubstr("XYZZY")));
}

TEST(EnvFlagsTest, EmptyValueSetsStringsAndFailsNumbers) {
  absl::FlagSaver saver;
  absl::SetFlag(&FLAGS_server_test_client_secret, "before");
  const char* strings[] = {"MESHID_SERVER_TEST_CLIENT_SECRET=", nullptr};
  ASSERT_TRUE(ApplyEnvironmentToFlags(strings).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_server_test_client_secret), "");
  const char* numbers[] = {"MESHID_SERVER_TEST_PORT=", nullptr};
  EXPECT_FALSE(ApplyEnvironmentToFlags(numbers).ok());
}

TEST(EnvFlagsTest, AbseilsOwnFlagsAreNotMapped) {
  absl::FlagSaver saver;
  // --flagfile from the environment would let a variable pull in a file of
  // flags; it is not a meshid flag and is neither applied nor listed.
  const char* env[] = {"MESHID_FLAGFILE=/nonexistent/flags", nullptr};
  EXPECT_TRUE(ApplyEnvironmentToFlags(env).ok());
  EXPECT_THAT(ListFlags(),
              Not(Contains(Field(&FlagDescription::name, "flagfile"))));
}

TEST(EnvFlagsTest, ListsFlagsSortedWithEnvVarAndDefault) {
  const std::vector<FlagDescription> flags = ListFlags();
  ASSERT_THAT(flags, Not(IsEmpty()));
  for (size_t i = 1; i < flags.size(); ++i) {
    EXPECT_LT(flags[i - 1].name, flags[i].name);
  }
  EXPECT_THAT(flags,
              Contains(AllOf(
                  Field(&FlagDescription::name, "server_test_port"),
                  Field(&FlagDescription::env_var, "MESHID_SERVER_TEST_PORT"),
                  Field(&FlagDescription::default_value, "50051"),
                  Field(&FlagDescription::help, "Port the test server uses."),
                  Field(&FlagDescription::file, HasSubstr("env_flags_test")))));
}

TEST(EnvFlagsTest, DescribesFlagsAsTextAndMarkdown) {
  const std::string text = DescribeFlags();
  EXPECT_THAT(text, HasSubstr("--server_test_port (env MESHID_SERVER_TEST_PORT,"
                              " default \"50051\")\n"
                              "    Port the test server uses.\n"));
  const std::string markdown = DescribeFlags(FlagFormat::kMarkdown);
  EXPECT_THAT(markdown, HasSubstr("| flag | environment | default | help |"));
  EXPECT_THAT(markdown,
              HasSubstr("| `--server_test_port` | `MESHID_SERVER_TEST_PORT` | "
                        "`50051` | Port the test server uses. |\n"));
  EXPECT_THAT(markdown, HasSubstr("| `--server_test_client_secret` | "
                                  "`MESHID_SERVER_TEST_CLIENT_SECRET` | "
                                  "(empty) | A secret \\| with a pipe. |\n"));
}

}  // namespace
}  // namespace meshid::server

namespace meshid::server {
namespace {

TEST(FlagSpellingTest, DashesBecomeUnderscoresInNamesOnly) {
  EXPECT_EQ(NormalizeFlagSpelling("--rotation-period=24h"),
            "--rotation_period=24h");
  EXPECT_EQ(NormalizeFlagSpelling("--master-key-file"), "--master_key_file");
  EXPECT_EQ(NormalizeFlagSpelling("--issuer=https://a-b.example"),
            "--issuer=https://a-b.example");
  EXPECT_EQ(NormalizeFlagSpelling("value-with-dash"), "value-with-dash");
  EXPECT_EQ(NormalizeFlagSpelling("-x"), "-x");
  EXPECT_EQ(NormalizeFlagSpelling("--"), "--");
}

}  // namespace
}  // namespace meshid::server
