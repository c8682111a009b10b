#include "identity/store/pg_change_listener.h"

#include "absl/strings/numbers.h"
#include "pqxx/pqxx"

namespace meshid::identity {
namespace {

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, std::function<void(int64_t)>* on_change)
      : pqxx::notification_receiver(c, "meshid_changes"),
        on_change_(on_change) {}
  void operator()(const std::string& payload, int backend_pid) override {
    int64_t version = 0;
    if (absl::SimpleAtoi(payload, &version)) (*on_change_)(version);
  }

 private:
  std::function<void(int64_t)>* on_change_;
};

}  // namespace

PgChangeListener::PgChangeListener(std::string url,
                                   std::function<void(int64_t)> on_change,
                                   absl::Duration retry)
    : url_(std::move(url)),
      on_change_(std::move(on_change)),
      retry_(retry),
      thread_([this] { Run(); }) {}

PgChangeListener::~PgChangeListener() {
  stop_.Notify();
  thread_.join();
}

void PgChangeListener::Run() {
  std::function<void(int64_t)> on_change = on_change_;
  while (!stop_.HasBeenNotified()) {
    try {
      pqxx::connection connection(url_);
      Receiver receiver(connection, &on_change);
      // Anything committed while we were not listening is picked up by a
      // refresh now that we are.
      listening_ = true;
      on_change(0);
      while (!stop_.HasBeenNotified()) {
        // Wakes on a notification or after 200 ms to check for stop.
        connection.await_notification(0, 200000);
      }
    } catch (const std::exception&) {
      // The connection broke (or never came up). No message: it may name
      // the server; the store's own errors say what is wrong.
    }
    listening_ = false;
    stop_.WaitForNotificationWithTimeout(retry_);
  }
}

}  // namespace meshid::identity
