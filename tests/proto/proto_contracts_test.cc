// Guards the API contracts in proto/: every service is in the generated pool
// with the expected methods and streaming shapes, the schema stays wire- and
// JSON-compatible with tests/proto/contracts.golden (append-only), enums and
// field numbers follow the conventions, and admin replies never carry
// material. (The gateway's JSON config: gateway_config_json_test.cc.)
//
// After an intended addition, refresh the golden file with
//   MESHID_UPDATE_GOLDEN=1 ./proto_contracts_test
// and review the diff: lines may be added, never changed or removed.

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "meshid/gateway/v1/config.pb.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/identity/v1/identity.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.pb.h"
#include "meshid/logging/v1/log.grpc.pb.h"
#include "meshid/logging/v1/log.pb.h"

namespace meshid::proto {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::DescriptorPool;
using ::google::protobuf::EnumDescriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::FileDescriptor;
using ::google::protobuf::MethodDescriptor;
using ::google::protobuf::ServiceDescriptor;

constexpr const char* kFiles[] = {
    "meshid/identity/v1/identity.proto",
    "meshid/keyadmin/v1/keyadmin.proto",
    "meshid/logging/v1/log.proto",
    "meshid/gateway/v1/config.proto",
};

// Static libraries only contribute the objects a binary references, and a
// generated file registers itself in the pool from its object's static
// initializer; naming one type per file keeps all four in this binary.
void LinkAllContracts() {
  (void)identity::v1::IssueTokenRequest::descriptor();
  (void)keyadmin::v1::Key::descriptor();
  (void)logging::v1::LogEntry::descriptor();
  (void)gateway::v1::GatewayConfig::descriptor();
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const FileDescriptor* File(const std::string& name) {
  LinkAllContracts();
  return DescriptorPool::generated_pool()->FindFileByName(name);
}

struct ExpectedMethod {
  std::string name;
  std::string input;   // full name
  std::string output;  // full name
  bool server_streaming;
};

void ExpectService(const std::string& full_name,
                   const std::vector<ExpectedMethod>& expected) {
  LinkAllContracts();
  const ServiceDescriptor* service =
      DescriptorPool::generated_pool()->FindServiceByName(full_name);
  ASSERT_NE(service, nullptr) << full_name << " missing from the pool";
  std::vector<std::string> actual_names;
  for (int i = 0; i < service->method_count(); ++i) {
    actual_names.push_back(service->method(i)->name());
  }
  std::vector<std::string> expected_names;
  for (const auto& m : expected) expected_names.push_back(m.name);
  EXPECT_THAT(actual_names, ::testing::ElementsAreArray(expected_names))
      << full_name;
  for (const auto& m : expected) {
    const MethodDescriptor* method = service->FindMethodByName(m.name);
    ASSERT_NE(method, nullptr) << full_name << "." << m.name;
    EXPECT_EQ(method->input_type()->full_name(), m.input) << m.name;
    EXPECT_EQ(method->output_type()->full_name(), m.output) << m.name;
    EXPECT_FALSE(method->client_streaming()) << m.name;
    EXPECT_EQ(method->server_streaming(), m.server_streaming) << m.name;
  }
}

TEST(ProtoContractsTest, IdentityServiceMethods) {
  const std::string p = "meshid.identity.v1.";
  ExpectService(
      p + "Identity",
      {
          {"IssueToken", p + "IssueTokenRequest", p + "TokenResponse", false},
          {"RegisterUser", p + "RegisterUserRequest",
           p + "RegisterUserResponse", false},
          {"Login", p + "LoginRequest", p + "TokenResponse", false},
          {"IntrospectToken", p + "IntrospectTokenRequest",
           p + "IntrospectTokenResponse", false},
          {"RevokeToken", p + "RevokeTokenRequest", "google.protobuf.Empty",
           false},
          {"GetJwks", p + "GetJwksRequest", p + "GetJwksResponse", false},
      });
  // The gRPC stubs were generated from the same file.
  EXPECT_STREQ(identity::v1::Identity::service_full_name(),
               "meshid.identity.v1.Identity");
}

TEST(ProtoContractsTest, KeyAdminServiceMethods) {
  const std::string p = "meshid.keyadmin.v1.";
  ExpectService(
      p + "KeyAdmin",
      {
          {"CreateClient", p + "CreateClientRequest",
           p + "CreateClientResponse", false},
          {"GetClient", p + "GetClientRequest", p + "Client", false},
          {"ListClients", p + "ListClientsRequest", p + "ListClientsResponse",
           false},
          {"UpdateClientPolicy", p + "UpdateClientPolicyRequest",
           p + "Client", false},
          {"RotateClientSecret", p + "RotateClientSecretRequest",
           p + "RotateClientSecretResponse", false},
          {"DeleteClient", p + "DeleteClientRequest", "google.protobuf.Empty",
           false},
          {"GetPrincipal", p + "GetPrincipalRequest", p + "Principal", false},
          {"ListPrincipals", p + "ListPrincipalsRequest",
           p + "ListPrincipalsResponse", false},
          {"TransitionPrincipal", p + "TransitionPrincipalRequest",
           p + "Principal", false},
          {"UpdatePrincipalRoles", p + "UpdatePrincipalRolesRequest",
           p + "Principal", false},
          {"CreateKey", p + "CreateKeyRequest", p + "Key", false},
          {"RotateKey", p + "RotateKeyRequest", p + "RotateKeyResponse",
           false},
          {"RevokeKey", p + "RevokeKeyRequest", p + "Key", false},
          {"ListKeys", p + "ListKeysRequest", p + "ListKeysResponse", false},
          {"GetKey", p + "GetKeyRequest", p + "Key", false},
          {"RevokeSubject", p + "RevokeSubjectRequest",
           p + "RevokeSubjectResponse", false},
          {"ListAuditEvents", p + "ListAuditEventsRequest",
           p + "ListAuditEventsResponse", false},
          {"WatchKeys", p + "WatchKeysRequest", p + "WatchKeysResponse", true},
      });
  EXPECT_STREQ(keyadmin::v1::KeyAdmin::service_full_name(),
               "meshid.keyadmin.v1.KeyAdmin");
}

TEST(ProtoContractsTest, LogServiceMethods) {
  const std::string p = "meshid.logging.v1.";
  ExpectService(
      p + "Log",
      {
          {"Append", p + "AppendRequest", p + "AppendResponse", false},
          {"Query", p + "QueryRequest", p + "QueryResponse", false},
          {"Tail", p + "TailRequest", p + "LogEntry", true},
      });
  EXPECT_STREQ(logging::v1::Log::service_full_name(), "meshid.logging.v1.Log");
}

TEST(ProtoContractsTest, GatewayConfigHasNoService) {
  const FileDescriptor* file = File("meshid/gateway/v1/config.proto");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->service_count(), 0);
}

TEST(ProtoContractsTest, WatchKeysResponseIsOneOfFourEvents) {
  const Descriptor* d = keyadmin::v1::WatchKeysResponse::descriptor();
  ASSERT_EQ(d->oneof_decl_count(), 1);
  std::vector<std::string> names;
  for (int i = 0; i < d->oneof_decl(0)->field_count(); ++i) {
    names.push_back(d->oneof_decl(0)->field(i)->message_type()->name());
  }
  EXPECT_THAT(names, ::testing::ElementsAre("Snapshot", "KeyEvent",
                                            "RevocationEvent", "Heartbeat"));
}

// --- Conventions over every message and enum of the four files -------------

void ForEachMessage(const Descriptor* d,
                    const std::function<void(const Descriptor*)>& fn) {
  fn(d);
  for (int i = 0; i < d->nested_type_count(); ++i) {
    ForEachMessage(d->nested_type(i), fn);
  }
}

void ForEachMessage(const std::function<void(const Descriptor*)>& fn) {
  for (const char* name : kFiles) {
    const FileDescriptor* file = File(name);
    ASSERT_NE(file, nullptr) << name;
    for (int i = 0; i < file->message_type_count(); ++i) {
      ForEachMessage(file->message_type(i), fn);
    }
  }
}

std::vector<const EnumDescriptor*> AllEnums() {
  std::vector<const EnumDescriptor*> enums;
  for (const char* name : kFiles) {
    const FileDescriptor* file = File(name);
    if (file == nullptr) continue;
    for (int i = 0; i < file->enum_type_count(); ++i) {
      enums.push_back(file->enum_type(i));
    }
  }
  ForEachMessage([&](const Descriptor* d) {
    for (int i = 0; i < d->enum_type_count(); ++i) {
      enums.push_back(d->enum_type(i));
    }
  });
  return enums;
}

TEST(ProtoContractsTest, EveryEnumStartsWithUnspecifiedZero) {
  const auto enums = AllEnums();
  EXPECT_GE(enums.size(), 8u);
  for (const EnumDescriptor* e : enums) {
    const auto* zero = e->FindValueByNumber(0);
    ASSERT_NE(zero, nullptr) << e->full_name();
    EXPECT_EQ(e->value(0), zero) << e->full_name();
    EXPECT_TRUE(EndsWith(zero->name(), "_UNSPECIFIED"))
        << e->full_name() << ": " << zero->name();
  }
}

TEST(ProtoContractsTest, FieldNumbersAreDense) {
  ForEachMessage([](const Descriptor* d) {
    if (d->options().map_entry()) return;
    int max_number = 0;
    for (int i = 0; i < d->field_count(); ++i) {
      max_number = std::max(max_number, d->field(i)->number());
    }
    int reserved = 0;
    for (int i = 0; i < d->reserved_range_count(); ++i) {
      reserved += d->reserved_range(i)->end - d->reserved_range(i)->start;
    }
    EXPECT_EQ(max_number, d->field_count() + reserved)
        << d->full_name() << ": field numbers have a gap (reserve removed "
        << "numbers instead of reusing them)";
  });
}

// --- No material where there must be none ----------------------------------

// True if `d` (recursively) has a bytes field or a field named like a secret.
bool CarriesMaterial(const Descriptor* d, std::set<const Descriptor*>& seen,
                     std::string* where) {
  if (!seen.insert(d).second) return false;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->type() == FieldDescriptor::TYPE_BYTES ||
        EndsWith(f->name(), "secret") || EndsWith(f->name(), "password")) {
      *where = f->full_name();
      return true;
    }
    if (f->message_type() != nullptr &&
        CarriesMaterial(f->message_type(), seen, where)) {
      return true;
    }
  }
  return false;
}

TEST(ProtoContractsTest, AdminRepliesNeverCarryMaterialOrSecrets) {
  // The only replies allowed to: the secret shown once, and validators' keys.
  const std::set<std::string> allowed = {
      "CreateClient", "RotateClientSecret", "WatchKeys"};
  const ServiceDescriptor* service = keyadmin::v1::Key::descriptor()
                                         ->file()
                                         ->FindServiceByName("KeyAdmin");
  ASSERT_NE(service, nullptr);
  for (int i = 0; i < service->method_count(); ++i) {
    const MethodDescriptor* m = service->method(i);
    std::set<const Descriptor*> seen;
    std::string where;
    EXPECT_EQ(CarriesMaterial(m->output_type(), seen, &where),
              allowed.count(m->name()) > 0)
        << m->name() << " " << where;
  }
}

TEST(ProtoContractsTest, GatewayConfigHoldsOnlyASecretFileReference) {
  std::set<const Descriptor*> seen;
  std::string where;
  // client_secret_file is the one "secret" name; check everything else.
  const Descriptor* config = gateway::v1::GatewayConfig::descriptor();
  for (int i = 0; i < config->field_count(); ++i) {
    const FieldDescriptor* f = config->field(i);
    if (f->message_type() == gateway::v1::ClientCredentials::descriptor()) {
      continue;
    }
    if (f->message_type() != nullptr) {
      EXPECT_FALSE(CarriesMaterial(f->message_type(), seen, &where)) << where;
    }
  }
  const Descriptor* creds = gateway::v1::ClientCredentials::descriptor();
  EXPECT_NE(creds->FindFieldByName("client_secret_file"), nullptr);
  for (int i = 0; i < creds->field_count(); ++i) {
    EXPECT_NE(creds->field(i)->name(), "client_secret");
    EXPECT_NE(creds->field(i)->type(), FieldDescriptor::TYPE_BYTES);
  }
}

// --- Append-only schema ------------------------------------------------------

std::string FieldType(const FieldDescriptor* f) {
  if (f->message_type() != nullptr) return f->message_type()->full_name();
  if (f->enum_type() != nullptr) return f->enum_type()->full_name();
  return f->type_name();
}

void DescribeMessage(const Descriptor* d, std::vector<std::string>& out) {
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    std::ostringstream line;
    line << "field " << d->full_name() << "." << f->name() << " = "
         << f->number() << " " << (f->is_repeated() ? "repeated " : "")
         << FieldType(f);
    if (f->real_containing_oneof() != nullptr) {
      line << " oneof " << f->real_containing_oneof()->name();
    }
    out.push_back(line.str());
  }
  for (int i = 0; i < d->enum_type_count(); ++i) {
    const EnumDescriptor* e = d->enum_type(i);
    for (int j = 0; j < e->value_count(); ++j) {
      out.push_back("enum " + e->full_name() + "." + e->value(j)->name() +
                    " = " + std::to_string(e->value(j)->number()));
    }
  }
  for (int i = 0; i < d->nested_type_count(); ++i) {
    if (d->nested_type(i)->options().map_entry()) continue;
    DescribeMessage(d->nested_type(i), out);
  }
}

// One line per field, enum value and method: the facts that must not change
// once published (name and number for JSON and wire, type, streaming).
std::vector<std::string> DescribeContracts() {
  std::vector<std::string> out;
  for (const char* name : kFiles) {
    const FileDescriptor* file = File(name);
    if (file == nullptr) continue;
    out.push_back("file " + file->name() + " package " + file->package());
    for (int i = 0; i < file->service_count(); ++i) {
      const ServiceDescriptor* s = file->service(i);
      for (int j = 0; j < s->method_count(); ++j) {
        const MethodDescriptor* m = s->method(j);
        out.push_back("rpc " + m->full_name() + "(" +
                      (m->client_streaming() ? "stream " : "") +
                      m->input_type()->full_name() + ") returns (" +
                      (m->server_streaming() ? "stream " : "") +
                      m->output_type()->full_name() + ")");
      }
    }
    for (int i = 0; i < file->enum_type_count(); ++i) {
      const EnumDescriptor* e = file->enum_type(i);
      for (int j = 0; j < e->value_count(); ++j) {
        out.push_back("enum " + e->full_name() + "." + e->value(j)->name() +
                      " = " + std::to_string(e->value(j)->number()));
      }
    }
    for (int i = 0; i < file->message_type_count(); ++i) {
      DescribeMessage(file->message_type(i), out);
    }
  }
  return out;
}

TEST(ProtoContractsTest, SchemaIsAppendOnlyAgainstGolden) {
  const std::string path =
      std::string(MESHID_PROTO_TEST_DIR) + "/contracts.golden";
  const std::vector<std::string> current = DescribeContracts();
  ASSERT_GT(current.size(), 100u);

  if (std::getenv("MESHID_UPDATE_GOLDEN") != nullptr) {
    std::ofstream out(path, std::ios::trunc);
    out << "# Published proto contracts, one line per RPC, field and enum\n"
           "# value. Append-only: regenerate with MESHID_UPDATE_GOLDEN=1\n"
           "# after adding to proto/; a changed or removed line is a\n"
           "# breaking change.\n";
    for (const auto& line : current) out << line << "\n";
    ASSERT_TRUE(out.good()) << path;
    // No skip: the comparison below then reads back what was written.
    std::cout << "golden rewritten: " << path << "\n";
  }

  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "missing golden file " << path;
  const std::set<std::string> now(current.begin(), current.end());
  std::set<std::string> golden;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    golden.insert(line);
    EXPECT_TRUE(now.count(line) > 0)
        << "published contract changed or removed: " << line;
  }
  for (const auto& l : current) {
    if (golden.count(l) == 0) {
      std::cerr << "new (not yet in golden): " << l << "\n";
    }
  }
}

}  // namespace
}  // namespace meshid::proto
