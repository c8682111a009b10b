// Follows a KeyAdmin listing's next_page_token to the end (or to --limit),
// so list commands show everything rather than the server's first page.
//
//   std::vector<keyadmin::v1::Key> keys;
//   grpc::Status status = ListAllPages(
//       c, c.keyadmin(), &keyadmin::v1::KeyAdmin::StubInterface::ListKeys,
//       request, &keyadmin::v1::ListKeysResponse::keys, limit, &keys);
#ifndef MESHID_TOOLS_MESHCTL_PAGING_H_
#define MESHID_TOOLS_MESHCTL_PAGING_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "google/protobuf/repeated_ptr_field.h"
#include "grpcpp/support/status.h"
#include "tools/meshctl/command.h"

namespace meshid::meshctl {

// Page size asked for when there is no limit; the server caps it at 1000.
inline constexpr int32_t kDefaultPageSize = 100;
inline constexpr int32_t kMaxPageSize = 1000;

// Calls `rpc` once per page with `request` (its page_token set from the
// previous reply, its page_size fixed for the whole listing since the server
// may tie page tokens to the query), appending the items to `out` until a
// reply has an empty next_page_token or `limit` items were collected. Every
// page uses the command's one deadline. A server that hands back the page
// token it was given would loop forever; that is reported as INTERNAL.
template <typename Stub, typename Request, typename Response, typename Item>
grpc::Status ListAllPages(
    CommandContext& c, Stub& stub,
    grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
    Request request,
    const google::protobuf::RepeatedPtrField<Item>& (Response::*items)() const,
    std::optional<int64_t> limit, std::vector<Item>* out) {
  request.set_page_size(
      limit.has_value()
          ? static_cast<int32_t>(std::min<int64_t>(*limit, kMaxPageSize))
          : kDefaultPageSize);
  request.clear_page_token();
  while (true) {
    Response response;
    grpc::Status status = c.Call([&](grpc::ClientContext* context) {
      return (stub.*rpc)(context, request, &response);
    });
    if (!status.ok()) return status;
    for (const Item& item : (response.*items)()) {
      if (limit.has_value() && static_cast<int64_t>(out->size()) >= *limit) {
        break;
      }
      out->push_back(item);
    }
    if (response.next_page_token().empty() ||
        (limit.has_value() && static_cast<int64_t>(out->size()) >= *limit)) {
      return grpc::Status::OK;
    }
    if (response.next_page_token() == request.page_token()) {
      return grpc::Status(grpc::StatusCode::INTERNAL,
                          "the server returned the same page token again");
    }
    request.set_page_token(response.next_page_token());
  }
}

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_PAGING_H_
