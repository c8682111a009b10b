#include "common/keyset/watch_call.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace meshid::keyset {

WatchCall::WatchCall(absl::Mutex* mu, int64_t since_version,
                     absl::string_view bearer_token, MessageHandler on_message)
    : mu_(mu), on_message_(std::move(on_message)) {
  request_.set_since_version(since_version);
  context_.AddMetadata("authorization", absl::StrCat("Bearer ", bearer_token));
}

void WatchCall::Start(keyadmin::v1::KeyAdmin::StubInterface* stub) {
  stub->async()->WatchKeys(&context_, &request_, this);
  StartRead(&buffer_);
  StartCall();
}

void WatchCall::OnReadDone(bool ok) {
  if (!ok) return;  // the read side ended; OnDone brings the status
  if (!on_message_(buffer_)) {
    // Refused: read no further. Without an outstanding read and with the
    // call cancelled, OnDone follows.
    context_.TryCancel();
    return;
  }
  StartRead(&buffer_);
}

void WatchCall::OnDone(const grpc::Status& status) {
  absl::MutexLock lock(mu_);
  status_ = status;
  done_ = true;
  // Nothing after this line touches `this`: the owner may free it as soon
  // as it sees done_.
}

}  // namespace meshid::keyset
