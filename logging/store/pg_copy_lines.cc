#include "logging/store/pg_copy_lines.h"

// The raw-line writer of libpqxx 6.4 is deprecated in favour of stream_to,
// which cannot take prepared lines; see the header for why it is used.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <pqxx/tablewriter>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "logging/store/attribute_codec.h"
#include "storage/time_codec.h"

namespace meshid::logging {
namespace {

void AppendEscaped(absl::string_view value, std::string* out) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendInt(int64_t value, std::string* out) { absl::StrAppend(out, value); }

}  // namespace

absl::Status AppendCopyLine(const LogRecord& record, int64_t id,
                            std::string* line) {
  ASSIGN_OR_RETURN(const int64_t time_us,
                   storage::TimeToMicros(record.time, "time"));
  AppendInt(id, line);
  line->push_back('\t');
  AppendInt(time_us, line);
  line->push_back('\t');
  AppendEscaped(record.service, line);
  line->push_back('\t');
  AppendInt(static_cast<int64_t>(record.level), line);
  line->push_back('\t');
  AppendInt(static_cast<int64_t>(record.kind), line);
  line->push_back('\t');
  AppendEscaped(record.subject, line);
  line->push_back('\t');
  AppendEscaped(record.client_id, line);
  line->push_back('\t');
  AppendEscaped(record.method, line);
  line->push_back('\t');
  AppendInt(record.status_code, line);
  line->push_back('\t');
  AppendInt(absl::ToInt64Nanoseconds(record.latency), line);
  line->push_back('\t');
  AppendEscaped(record.peer, line);
  line->push_back('\t');
  AppendEscaped(record.message, line);
  line->push_back('\t');
  AppendEscaped(EncodeAttributes(record.attributes), line);
  return absl::OkStatus();
}

PgCopyWriter::PgCopyWriter(pqxx::transaction_base& work,
                           const std::string& table,
                           const std::vector<std::string>& columns)
    : writer_(std::make_unique<pqxx::tablewriter>(work, table, columns.begin(),
                                                  columns.end())) {}

PgCopyWriter::~PgCopyWriter() = default;

absl::Status PgCopyWriter::Write(const LogRecord& record, int64_t id) {
  line_.clear();
  RETURN_IF_ERROR(AppendCopyLine(record, id, &line_));
  writer_->write_raw_line(line_);
  return absl::OkStatus();
}

void PgCopyWriter::Complete() { writer_->complete(); }

}  // namespace meshid::logging

#pragma GCC diagnostic pop
