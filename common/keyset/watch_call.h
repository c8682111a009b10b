// WatchCall: one KeyAdmin.WatchKeys stream, driven by the gRPC callback
// client API (grpc::ClientReadReactor). It only moves messages: each read
// lands in a one-message buffer and is announced under the owner's mutex;
// the owner (the KeySetWatcher thread) takes it, applies it, and asks for
// the next one. So one message is in flight at a time, the reactor threads
// never run meshid logic, and the watcher thread can wait for "message,
// end of stream, stop, resync or idle deadline" in one place.
//
// Reads are started from the owner's thread, outside any reaction, so the
// call holds a hold (ClientReadReactor::AddHold) from Start until Release:
// without it gRPC could finish the call (and free its reader) between a
// message and the next StartRead. The owner calls Release once it will
// start no more reads: when the read side ended, or when it took a message
// and decided to stop (after Cancel). Only then can done() follow.
//
// Lifetime: held by std::shared_ptr; the owner keeps a reference until
// done() (OnDone ran), after which gRPC no longer touches the object. Other
// threads may hold a reference to Cancel() it.
//
// Locking: the accessors need the owner's mutex; Start, ReadNext, Release
// and Cancel must be called WITHOUT it, since gRPC may run reactions inline
// and they take it.
#ifndef MESHID_COMMON_KEYSET_WATCH_CALL_H_
#define MESHID_COMMON_KEYSET_WATCH_CALL_H_

#include <cstdint>

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
  // `mu` (not owned) guards the announced state and must outlive the call.
  // `bearer_token` goes into the `authorization` metadata only.
  WatchCall(absl::Mutex* mu, int64_t since_version,
            absl::string_view bearer_token);

  // Starts the call and the first read, taking the hold.
  void Start(keyadmin::v1::KeyAdmin::StubInterface* stub);
  // Starts the next read, after TakeMessage. Only before Release.
  void ReadNext();
  // Gives up the hold (owner thread, once; later calls do nothing).
  void Release();
  // Cancels the call (thread-safe, any time, idempotent): the read side
  // ends, and done() follows once the owner Released.
  void Cancel() { context_.TryCancel(); }

  // Under *mu (the owner's mutex; not annotated, since the analysis cannot
  // tell that the owner's mutex and mu_ are one).
  bool has_message() const { return has_message_; }
  // The read side ended (OnReadDone(false)): no message will come.
  bool read_ended() const { return read_ended_; }
  bool done() const { return done_; }
  // The final status; valid once done().
  const grpc::Status& status() const { return status_; }
  // Moves the announced message out into `*out`.
  void TakeMessage(keyadmin::v1::WatchKeysResponse* out);

  // gRPC reactions.
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  absl::Mutex* const mu_;
  grpc::ClientContext context_;
  keyadmin::v1::WatchKeysRequest request_;
  // Filled by gRPC while a read is outstanding; read by the owner between
  // OnReadDone(true) and the next ReadNext.
  keyadmin::v1::WatchKeysResponse buffer_;
  bool released_ = false;  // owner thread only
  // Guarded by *mu_.
  bool has_message_ = false;
  bool read_ended_ = false;
  bool done_ = false;
  grpc::Status status_;
};

}  // namespace meshid::keyset

#endif  // MESHID_COMMON_KEYSET_WATCH_CALL_H_
