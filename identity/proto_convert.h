// Conversions between identity's records and the KeyAdmin/Identity protos.
// Requests are validated here: each error is INVALID_ARGUMENT naming the
// field, as the API promises.
#ifndef MESHID_IDENTITY_PROTO_CONVERT_H_
#define MESHID_IDENTITY_PROTO_CONVERT_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "identity/client_policy.h"
#include "identity/client_service.h"
#include "identity/key_lifecycle.h"
#include "identity/principal_lifecycle.h"
#include "identity/store/records.h"
#include "meshid/keyadmin/v1/keyadmin.pb.h"

namespace meshid::identity {

namespace keyadmin_pb = ::meshid::keyadmin::v1;
namespace identity_pb = ::meshid::identity::v1;

void ToProto(absl::Time t, google::protobuf::Timestamp* out);
absl::Time FromProto(const google::protobuf::Timestamp& t);
// INVALID_ARGUMENT naming `field` for a negative or out-of-range value.
absl::StatusOr<absl::Duration> FromProto(const google::protobuf::Duration& d,
                                         absl::string_view field);

keyadmin_pb::KeyAlgorithm ToProto(Algorithm alg);
absl::StatusOr<Algorithm> FromProto(keyadmin_pb::KeyAlgorithm alg,
                                    absl::string_view field);
keyadmin_pb::KeyState ToProto(KeyState state);
std::optional<KeyState> FromProto(keyadmin_pb::KeyState state);
identity_pb::PrincipalState ToProto(PrincipalState state);
std::optional<PrincipalState> FromProto(identity_pb::PrincipalState state);
identity_pb::PrincipalKind ToProto(PrincipalKind kind);
std::optional<PrincipalKind> FromProto(identity_pb::PrincipalKind kind);
absl::StatusOr<PrincipalEvent> FromProto(keyadmin_pb::PrincipalEvent event);

absl::StatusOr<KeySlot> FromProto(const keyadmin_pb::KeySlot& slot);
void ToProto(const KeySlot& slot, keyadmin_pb::KeySlot* out);
// Never sets material: the Key message has none.
void ToProto(const KeyRecord& key, keyadmin_pb::Key* out);

// `ttl_ceiling` is the server's maximum token TTL (also the default).
absl::StatusOr<ClientPolicy> FromProto(const keyadmin_pb::ClientPolicy& policy,
                                       absl::Duration ttl_ceiling);
void ToProto(const ClientPolicy& policy, keyadmin_pb::ClientPolicy* out);
void ToProto(const ClientInfo& client, keyadmin_pb::Client* out);
void ToProto(const PrincipalRecord& principal, keyadmin_pb::Principal* out);
void ToProto(const AuditEvent& event, keyadmin_pb::AuditEvent* out);

// Paging: page_size 0 means 50, above 1000 means 1000, negative is
// INVALID_ARGUMENT. Page tokens are opaque (base64url of a position).
absl::StatusOr<int> PageSize(int32_t requested);
std::string EncodePageToken(absl::string_view position);
absl::StatusOr<std::string> DecodePageToken(absl::string_view token);

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_PROTO_CONVERT_H_
