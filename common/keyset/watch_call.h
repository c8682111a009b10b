// WatchCall: one KeyAdmin.WatchKeys stream, driven by the gRPC callback
// client API (grpc::ClientReadReactor). Each message is handed to the
// owner's handler right in OnReadDone, on the gRPC thread that read it, and
// the next read starts from there: no hand-off to another thread per
// message. Reads are only ever started inside reactions (the first one
// before StartCall), so the call needs no hold: once the handler refuses a
// message (no further read, the call cancelled) or the read side ends,
// OnDone follows.
//
// The handler is called for one message at a time, in stream order, and
// never after OnDone. It must not block for long: it holds up this stream
// only, but runs on a gRPC thread.
//
// Lifetime: held by std::shared_ptr; the owner keeps a reference until
// done() (OnDone ran), after which gRPC no longer touches the object. Other
// threads may hold a reference to Cancel() it.
//
// Locking: done() and status() need the owner's mutex `mu`; Start and
// Cancel must be called WITHOUT it, since gRPC may run reactions inline and
// OnDone takes it. The handler is called without it.
#ifndef MESHID_COMMON_KEYSET_WATCH_CALL_H_
#define MESHID_COMMON_KEYSET_WATCH_CALL_H_

#include <cstdint>
#include <functional>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/client_callback.h"
#include "grpcpp/support/status.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"

namespace meshid::keyset {

class WatchCall final
    : public grpc::ClientReadReactor<keyadmin::v1::WatchKeysResponse> {
 public:
  // Returns false to stop the stream: no further message is read and the
  // call is cancelled.
  using MessageHandler =
      std::function<bool(const keyadmin::v1::WatchKeysResponse&)>;

  // `mu` (not owned) guards done() and status() and must outlive the call.
  // `bearer_token` goes into the `authorization` metadata only.
  WatchCall(absl::Mutex* mu, int64_t since_version,
            absl::string_view bearer_token, MessageHandler on_message);

  // Starts the call and the first read.
  void Start(keyadmin::v1::KeyAdmin::StubInterface* stub);
  // Cancels the call (thread-safe, any time, idempotent); done() follows.
  void Cancel() { context_.TryCancel(); }

  // Under *mu (the owner's mutex; not annotated, since the analysis cannot
  // tell that the owner's mutex and mu_ are one).
  bool done() const { return done_; }
  // The final status; valid once done().
  const grpc::Status& status() const { return status_; }

  // gRPC reactions.
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  absl::Mutex* const mu_;
  const MessageHandler on_message_;
  grpc::ClientContext context_;
  keyadmin::v1::WatchKeysRequest request_;
  // Filled by gRPC while a read is outstanding; handed to on_message_ in
  // OnReadDone, before the next read reuses it.
  keyadmin::v1::WatchKeysResponse buffer_;
  // Guarded by *mu_.
  bool done_ = false;
  grpc::Status status_;
};

}  // namespace meshid::keyset

#endif  // MESHID_COMMON_KEYSET_WATCH_CALL_H_
