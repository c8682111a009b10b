// The authorization matrix printed as a table, one row per RPC and one
// column per caller, with every cell that differs from the expected code
// marked "got!want": what a failing run shows.
#ifndef MESHID_TESTS_AUTHZ_MATRIX_REPORT_H_
#define MESHID_TESTS_AUTHZ_MATRIX_REPORT_H_

#include <string>
#include <vector>

#include "grpcpp/support/status.h"

namespace meshid::authz {

struct ReportRow {
  std::string name;
  std::vector<grpc::StatusCode> got;
  std::vector<grpc::StatusCode> expected;
};

// "OK", "UNAUTH", "DENIED", "NOTFND", "INVAL", "UNIMPL", or "code<N>".
std::string CodeName(grpc::StatusCode code);

// The table; `*mismatches` is the number of cells that differ.
std::string RenderMatrix(const std::vector<std::string>& columns,
                         const std::vector<ReportRow>& rows, int* mismatches);

}  // namespace meshid::authz

#endif  // MESHID_TESTS_AUTHZ_MATRIX_REPORT_H_
