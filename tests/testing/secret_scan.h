// SecretScanner: remembers every secret a test handed out or received
// (client secrets, tokens, key material, the master key) and finds any of
// them in text the system produced: log lines, /metrics, error messages.
//
//   SecretScanner scanner;
//   scanner.Add("client secret of svc", secret);
//   scanner.Add("access token", token);
//   for (const Leak& leak : scanner.Scan("identity.log", log_text)) ...
//
// A secret is looked for in the spellings a careless log line would use:
// as is, base64url, standard base64, and lower/upper hex. A token is also
// looked for by its signature segment alone (a token missing its header is
// still a token). Secrets shorter than 12 bytes are refused: too short to
// search for without false alarms, and no meshid secret is that short.
#ifndef MESHID_TESTS_TESTING_SECRET_SCAN_H_
#define MESHID_TESTS_TESTING_SECRET_SCAN_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace meshid::test_process {

struct Leak {
  std::string where;     // the source name given to Scan
  std::string what;      // the secret's description given to Add
  std::string spelling;  // "raw", "base64url", "base64", "hex", ...
};

class SecretScanner {
 public:
  // Returns false (and remembers nothing) for secrets under 12 bytes.
  bool Add(absl::string_view description, absl::string_view secret);
  // Adds a compact JWS: the whole token and its signature segment.
  bool AddToken(absl::string_view description, absl::string_view token);

  std::vector<Leak> Scan(absl::string_view where,
                         absl::string_view text) const;
  size_t size() const { return needles_.size(); }

 private:
  struct Needle {
    std::string what;
    std::string spelling;
    std::string bytes;
  };
  std::vector<Needle> needles_;
};

// "where: what (spelling)" lines, for an assertion message.
std::string DescribeLeaks(const std::vector<Leak>& leaks);

}  // namespace meshid::test_process

#endif  // MESHID_TESTS_TESTING_SECRET_SCAN_H_
