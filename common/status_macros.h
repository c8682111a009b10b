// Status propagation helpers. Abseil 20220623 (Debian 12) ships no status
// macros, so meshid defines its own.
//
//   absl::StatusOr<Key> LoadKey(...) {
//     RETURN_IF_ERROR(CheckInput(...));
//     ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
//     ...
//   }
#ifndef MESHID_COMMON_STATUS_MACROS_H_
#define MESHID_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MESHID_STATUS_CONCAT_INNER_(a, b) a##b
#define MESHID_STATUS_CONCAT_(a, b) MESHID_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function when it is not OK.
#define RETURN_IF_ERROR(expr)                                   \
  do {                                                          \
    ::absl::Status meshid_status_ = (expr);                     \
    if (!meshid_status_.ok()) return meshid_status_;            \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status, else
// moves the value into `lhs`, which may be a declaration.
#define ASSIGN_OR_RETURN(lhs, rexpr)                                        \
  MESHID_ASSIGN_OR_RETURN_IMPL_(                                            \
      MESHID_STATUS_CONCAT_(meshid_statusor_, __LINE__), lhs, rexpr)

#define MESHID_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

#endif  // MESHID_COMMON_STATUS_MACROS_H_
