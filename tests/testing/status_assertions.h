// gtest assertions for absl::Status and absl::StatusOr, for tests outside
// identity's store suite (which has its own copy in store_test_env.h).
//
//   ASSERT_OK(store->Append(batch));
//   ASSERT_OK_AND_ASSIGN(QueryPage page, store->Query(query));
#ifndef MESHID_TESTS_TESTING_STATUS_ASSERTIONS_H_
#define MESHID_TESTS_TESTING_STATUS_ASSERTIONS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

#define MESHID_TEST_CONCAT_INNER_(a, b) a##b
#define MESHID_TEST_CONCAT_(a, b) MESHID_TEST_CONCAT_INNER_(a, b)

// Streamable, and a failure prints the status.
#define ASSERT_OK(expr) ASSERT_EQ((expr), ::absl::OkStatus())
#define EXPECT_OK(expr) EXPECT_EQ((expr), ::absl::OkStatus())

#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                    \
  MESHID_TEST_ASSIGN_IMPL_(MESHID_TEST_CONCAT_(meshid_statusor_, __LINE__), \
                           lhs, rexpr)
#define MESHID_TEST_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                             \
  ASSERT_TRUE(statusor.ok()) << statusor.status();     \
  lhs = std::move(statusor).value()

#endif  // MESHID_TESTS_TESTING_STATUS_ASSERTIONS_H_
