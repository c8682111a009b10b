// What meshctl prints: aligned tables and "name: value" blocks for people,
// one JSON object per line for programs. Nothing here ever receives a bearer
// token; client secrets are printed only by the commands that must show
// them once.
//
//   Table table({"KID", "STATE"});
//   table.AddRow({key.kid(), "ACTIVE"});
//   table.Print(out);
//   RETURN_IF_ERROR(PrintJson(out, key));
#ifndef MESHID_TOOLS_MESHCTL_OUTPUT_H_
#define MESHID_TOOLS_MESHCTL_OUTPUT_H_

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace meshid::meshctl {

// Columns separated by two spaces, each as wide as its widest cell; the last
// column is not padded. Empty cells print as "-" so every row has the same
// number of words. Cells are made printable (see Printable).
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void AddRow(std::vector<std::string> cells);
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;  // header first
};

// Name/value pairs printed as "name:  value" with the values aligned.
using Fields = std::vector<std::pair<std::string, std::string>>;
void PrintFields(std::ostream& out, const Fields& fields);

// `message` as one line of JSON: proto field names, fields with default
// values included, so every object of a kind has the same members.
absl::Status PrintJson(std::ostream& out,
                       const google::protobuf::Message& message);

// Server text made safe for a terminal: control characters (newlines,
// escape sequences) become \xNN, so a field cannot forge lines or colours.
std::string Printable(absl::string_view text);

// RFC 3339 in UTC, "2024-05-01T12:00:00Z"; "-" when unset.
std::string FormatTime(const google::protobuf::Timestamp& time);
// "15m", "1h30m", "2s"; "-" when unset (zero).
std::string FormatDuration(const google::protobuf::Duration& duration);
// Items joined by ","; "-" when empty.
std::string JoinOrDash(const std::vector<std::string>& items);

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_OUTPUT_H_
