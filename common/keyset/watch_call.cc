#include "common/keyset/watch_call.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace meshid::keyset {

WatchCall::WatchCall(absl::Mutex* mu, int64_t since_version,
                     absl::string_view bearer_token)
    : mu_(mu) {
  request_.set_since_version(since_version);
  context_.AddMetadata("authorization", absl::StrCat("Bearer ", bearer_token));
}

void WatchCall::Start(keyadmin::v1::KeyAdmin::StubInterface* stub) {
  stub->async()->WatchKeys(&context_, &request_, this);
  AddHold();
  StartRead(&buffer_);
  StartCall();
}

void WatchCall::ReadNext() { StartRead(&buffer_); }

void WatchCall::Release() {
  if (released_) return;
  released_ = true;
  RemoveHold();
}

void WatchCall::TakeMessage(keyadmin::v1::WatchKeysResponse* out) {
  out->Clear();
  out->Swap(&buffer_);
  has_message_ = false;
}

void WatchCall::OnReadDone(bool ok) {
  absl::MutexLock lock(mu_);
  if (ok) {
    has_message_ = true;
  } else {
    read_ended_ = true;  // OnDone brings the status once Released
  }
}

void WatchCall::OnDone(const grpc::Status& status) {
  absl::MutexLock lock(mu_);
  status_ = status;
  done_ = true;
  // Nothing after this line touches `this`: the owner may free it as soon
  // as it sees done_.
}

}  // namespace meshid::keyset
