#include "tests/authz/matrix_report.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace meshid::authz {

std::string CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTH";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "DENIED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOTFND";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVAL";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPL";
    default:
      return absl::StrCat("code", static_cast<int>(code));
  }
}

std::string RenderMatrix(const std::vector<std::string>& columns,
                         const std::vector<ReportRow>& rows, int* mismatches) {
  std::ostringstream out;
  out << absl::StrFormat("%-38s", "rpc \\ caller");
  for (const std::string& name : columns) {
    out << absl::StrFormat(" %-13s", name);
  }
  out << "\n";
  *mismatches = 0;
  for (const ReportRow& row : rows) {
    out << absl::StrFormat("%-38s", row.name);
    for (size_t c = 0; c < row.got.size(); ++c) {
      std::string cell = CodeName(row.got[c]);
      if (row.got[c] != row.expected[c]) {
        ++*mismatches;
        cell = absl::StrCat(cell, "!", CodeName(row.expected[c]));
      }
      out << absl::StrFormat(" %-13s", cell);
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace meshid::authz
