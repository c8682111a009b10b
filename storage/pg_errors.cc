#include "storage/pg_errors.h"

#include <exception>
#include <new>
#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "storage/store_url.h"

namespace meshid::storage {
namespace {

constexpr absl::string_view kRetryMarker = "store transaction conflict: ";

// libpq messages are multi-line ("ERROR:  ...\nDETAIL:  ..."); one line
// reads better in a Status and a JSON log.
std::string OneLine(const char* what, const std::vector<std::string>& secrets) {
  std::string text = ScrubSecrets(what, secrets);
  absl::StrReplaceAll({{"\n", " "}, {"\t", " "}}, &text);
  return std::string(absl::StripAsciiWhitespace(text));
}

// SQLSTATE classes that mean the server, not the statement, failed:
// 08 connection exception, 57P01..57P03 admin/crash shutdown and "cannot
// connect now", 53300 too many connections.
bool IsUnavailableSqlState(const std::string& state) {
  return absl::StartsWith(state, "08") || absl::StartsWith(state, "57P") ||
         state == "53300";
}

}  // namespace

absl::Status CurrentPgExceptionToStatus(
    const std::vector<std::string>& secrets) {
  try {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    return absl::UnavailableError(
        absl::StrCat("store unavailable: the connection broke during commit, "
                     "so whether it committed is unknown: ",
                     OneLine(e.what(), secrets)));
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(
        absl::StrCat("store unavailable: ", OneLine(e.what(), secrets)));
  } catch (const pqxx::unique_violation& e) {
    return absl::AlreadyExistsError(
        absl::StrCat("already exists: ", OneLine(e.what(), secrets)));
  } catch (const pqxx::integrity_constraint_violation& e) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store constraint violated: ", OneLine(e.what(), secrets)));
  } catch (const pqxx::statement_completion_unknown& e) {
    return absl::UnavailableError(
        absl::StrCat("store unavailable: ", OneLine(e.what(), secrets)));
  } catch (const pqxx::transaction_rollback& e) {
    // serialization_failure, deadlock_detected and their class 40 siblings.
    return absl::AbortedError(
        absl::StrCat(kRetryMarker, OneLine(e.what(), secrets)));
  } catch (const pqxx::sql_error& e) {
    if (IsUnavailableSqlState(e.sqlstate())) {
      return absl::UnavailableError(
          absl::StrCat("store unavailable: ", OneLine(e.what(), secrets)));
    }
    return absl::InternalError(
        absl::StrCat("store error: ", OneLine(e.what(), secrets)));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("store error: out of memory");
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("store error: ", OneLine(e.what(), secrets)));
  } catch (...) {
    return absl::InternalError("store error: unknown exception");
  }
}

bool IsRetryablePgStatus(const absl::Status& status) {
  return absl::IsAborted(status) &&
         absl::StartsWith(status.message(), kRetryMarker);
}

}  // namespace meshid::storage
