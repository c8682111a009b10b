// One helper to write the audit event of an admin transaction.
#ifndef MESHID_IDENTITY_AUDIT_H_
#define MESHID_IDENTITY_AUDIT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "identity/store/store.h"

namespace meshid::identity {

struct AuditEntry {
  std::string actor;
  std::string action;  // "key.rotate", "client.create", ...
  std::string target;
  std::string kid;
  std::map<std::string, std::string> details;  // never secrets or material
};

inline absl::Status WriteAudit(Transaction& tx, AuditEntry entry, absl::Time at,
                               int64_t version) {
  AuditEvent event;
  event.at = at;
  event.actor = std::move(entry.actor);
  event.action = std::move(entry.action);
  event.target = std::move(entry.target);
  event.kid = std::move(entry.kid);
  event.details = std::move(entry.details);
  event.version = version;
  return tx.audit().Append(event).status();
}

// Audit events matching `filter` (and `target`, when not empty), newest
// first.
inline absl::StatusOr<std::vector<AuditEvent>> ListAuditEvents(
    Store& store, const AuditFilter& filter, const std::string& target) {
  std::vector<AuditEvent> out;
  absl::Status status = store.RunInTransaction([&](Transaction& tx) {
    AuditFilter page = filter;
    out.clear();
    // The target filter is applied here; keep reading until enough match.
    while (static_cast<int>(out.size()) < filter.limit) {
      absl::StatusOr<std::vector<AuditEvent>> events = tx.audit().List(page);
      if (!events.ok()) return events.status();
      for (AuditEvent& e : *events) {
        page.before_id = e.id;
        if (!target.empty() && e.target != target) continue;
        out.push_back(std::move(e));
        if (static_cast<int>(out.size()) == filter.limit) break;
      }
      if (static_cast<int>(events->size()) < page.limit) break;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_AUDIT_H_
