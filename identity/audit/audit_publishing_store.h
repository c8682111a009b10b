// AuditPublishingStore: a Store that tells an AuditSink about the audit
// events each transaction committed. It wraps the real store, records every
// AuditRepository::Append that succeeds inside a transaction, and hands the
// events to the sink only once RunInTransaction committed; a rolled back
// attempt (or one PostgreSQL re-runs after a conflict) is forgotten. The
// services that write audit events need no change.
//
//   std::unique_ptr<Store> store = ...OpenStore(url, options)...;
//   store = std::make_unique<AuditPublishingStore>(std::move(store), &shipper);
#ifndef MESHID_IDENTITY_AUDIT_AUDIT_PUBLISHING_STORE_H_
#define MESHID_IDENTITY_AUDIT_AUDIT_PUBLISHING_STORE_H_

#include <memory>

#include "identity/audit/audit_sink.h"
#include "identity/store/store.h"

namespace meshid::identity {

class AuditPublishingStore final : public Store {
 public:
  // `sink` (not owned) must outlive the store.
  AuditPublishingStore(std::unique_ptr<Store> inner, AuditSink* sink)
      : inner_(std::move(inner)), sink_(sink) {}

  absl::Status RunInTransaction(
      absl::FunctionRef<absl::Status(Transaction&)> fn) override;
  absl::string_view dialect() const override { return inner_->dialect(); }

 private:
  const std::unique_ptr<Store> inner_;
  AuditSink* const sink_;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_AUDIT_AUDIT_PUBLISHING_STORE_H_
