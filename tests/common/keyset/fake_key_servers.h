// In-process fakes of the two servers a KeySetWatcher talks to, on one
// grpc::Server at 127.0.0.1:<port>:
// - FakeIdentity: IssueToken answers "watch-token-<n>" (n counts calls) and
//   records each request;
// - FakeKeyAdmin: WatchKeys is a callback server stream the test drives:
//   wait for the stream to open, read what the watcher asked for (since
//   version, authorization metadata), send messages, end it with a status,
//   or see it cancelled by the watcher.
// Everything waits with deadlines (absl::Mutex conditions), never sleeps.
#ifndef MESHID_TESTS_COMMON_KEYSET_FAKE_KEY_SERVERS_H_
#define MESHID_TESTS_COMMON_KEYSET_FAKE_KEY_SERVERS_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "grpcpp/support/server_callback.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"

namespace meshid::keyset::testing {

inline constexpr absl::Duration kWaitTimeout = absl::Seconds(20);

class FakeIdentity final : public ::meshid::identity::v1::Identity::Service {
 public:
  grpc::Status IssueToken(
      grpc::ServerContext* context,
      const ::meshid::identity::v1::IssueTokenRequest* request,
      ::meshid::identity::v1::TokenResponse* response) override;

  int calls() const;
  ::meshid::identity::v1::IssueTokenRequest request(int i) const;
  bool WaitForCalls(int n, absl::Duration timeout) const;
  void set_expires_in(int64_t seconds);
  // Non-OK: every later IssueToken fails with it.
  void FailWith(grpc::Status status);

 private:
  mutable absl::Mutex mu_;
  std::vector<::meshid::identity::v1::IssueTokenRequest> requests_
      ABSL_GUARDED_BY(mu_);
  int64_t expires_in_ ABSL_GUARDED_BY(mu_) = 3600;
  grpc::Status fail_ ABSL_GUARDED_BY(mu_);
};

// One WatchKeys stream, server side. Owned by FakeKeyAdmin until it is
// destroyed (after the server shut down), so a test may use it at any time.
class FakeWatchStream final : public grpc::ServerWriteReactor<
                                  ::meshid::keyadmin::v1::WatchKeysResponse> {
 public:
  FakeWatchStream(int64_t since_version, std::string authorization);

  int64_t since_version() const { return since_version_; }
  const std::string& authorization() const { return authorization_; }

  // Queues `message`; messages go out in order. False once the stream is
  // finishing or over.
  bool Send(const ::meshid::keyadmin::v1::WatchKeysResponse& message);
  // Ends the stream with `status` once the queued messages are written.
  void Finish(grpc::Status status);
  // True once gRPC is done with the stream (ended by either side).
  bool WaitForDone(absl::Duration timeout) const;
  bool cancelled() const;

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  const int64_t since_version_;
  const std::string authorization_;
  mutable absl::Mutex mu_;
  std::deque<::meshid::keyadmin::v1::WatchKeysResponse> queue_
      ABSL_GUARDED_BY(mu_);
  // The message being written; touched only by whoever set writing_.
  ::meshid::keyadmin::v1::WatchKeysResponse in_flight_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> finish_ ABSL_GUARDED_BY(mu_);
  bool finish_started_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

class FakeKeyAdmin final
    : public ::meshid::keyadmin::v1::KeyAdmin::CallbackService {
 public:
  grpc::ServerWriteReactor<::meshid::keyadmin::v1::WatchKeysResponse>*
  WatchKeys(grpc::CallbackServerContext* context,
            const ::meshid::keyadmin::v1::WatchKeysRequest* request) override;

  int stream_count() const;
  // Waits until `n` streams were opened in total.
  bool WaitForStreams(int n, absl::Duration timeout) const;
  // Stream `i` (0-based, in the order opened); it must exist.
  FakeWatchStream& stream(int i) const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<FakeWatchStream>> streams_ ABSL_GUARDED_BY(mu_);
};

class FakeKeyServers {
 public:
  // Both fakes on 127.0.0.1:`port` (0 picks a free port); null when the
  // port cannot be bound.
  static std::unique_ptr<FakeKeyServers> Start(int port = 0);
  ~FakeKeyServers();

  // Stops the server; open streams end (CANCELLED for the watcher).
  void Shutdown();

  std::string address() const;
  int port() const { return port_; }
  FakeIdentity& identity() { return identity_; }
  FakeKeyAdmin& keyadmin() { return keyadmin_; }

 private:
  FakeKeyServers() = default;

  FakeIdentity identity_;
  FakeKeyAdmin keyadmin_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace meshid::keyset::testing

#endif  // MESHID_TESTS_COMMON_KEYSET_FAKE_KEY_SERVERS_H_
