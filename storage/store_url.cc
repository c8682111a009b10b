#include "storage/store_url.h"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace meshid::storage {
namespace {

constexpr absl::string_view kRedacted = "***";
constexpr absl::string_view kSqliteScheme = "sqlite://";

// Redacts "password = value" pairs in a libpq key=value string. Values end
// at whitespace unless single-quoted (with backslash escapes).
std::string RedactKeyValuePasswords(absl::string_view conninfo) {
  std::string out;
  size_t i = 0;
  while (i < conninfo.size()) {
    const size_t found = conninfo.find("password", i);
    if (found == absl::string_view::npos) break;
    size_t j = found + 8;
    while (j < conninfo.size() && conninfo[j] == ' ') ++j;
    const bool is_key = (found == 0 || conninfo[found - 1] == ' ') &&
                        j < conninfo.size() && conninfo[j] == '=';
    if (!is_key) {
      absl::StrAppend(&out, conninfo.substr(i, j - i));
      i = j;
      continue;
    }
    ++j;
    while (j < conninfo.size() && conninfo[j] == ' ') ++j;
    absl::StrAppend(&out, conninfo.substr(i, j - i));
    absl::StrAppend(&out, kRedacted);
    if (j < conninfo.size() && conninfo[j] == '\'') {
      for (++j; j < conninfo.size() && conninfo[j] != '\''; ++j) {
        if (conninfo[j] == '\\') ++j;
      }
      ++j;  // the closing quote
    } else {
      while (j < conninfo.size() && conninfo[j] != ' ') ++j;
    }
    i = std::min(j, conninfo.size());
  }
  absl::StrAppend(&out, conninfo.substr(i));
  return out;
}

// Redacts "password=..." members of a URL query ("a=1&password=x").
std::string RedactQueryPasswords(absl::string_view query) {
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(query, '&')) {
    if (absl::StartsWith(part, "password=")) {
      parts.push_back(absl::StrCat("password=", kRedacted));
    } else {
      parts.emplace_back(part);
    }
  }
  return absl::StrJoin(parts, "&");
}

}  // namespace

std::string RedactUrl(absl::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) {
    return RedactKeyValuePasswords(url);
  }
  const size_t authority_begin = scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", authority_begin);
  if (authority_end == absl::string_view::npos) authority_end = url.size();
  std::string out(url.substr(0, authority_begin));
  const absl::string_view authority =
      url.substr(authority_begin, authority_end - authority_begin);
  // The last '@' ends the userinfo: an unencoded '@' in a password must not
  // leak its tail.
  const size_t at = authority.rfind('@');
  if (at != absl::string_view::npos) {
    const absl::string_view userinfo = authority.substr(0, at);
    const size_t colon = userinfo.find(':');
    if (colon != absl::string_view::npos) {
      absl::StrAppend(&out, userinfo.substr(0, colon + 1), kRedacted,
                      authority.substr(at));
    } else {
      absl::StrAppend(&out, authority);
    }
  } else {
    absl::StrAppend(&out, authority);
  }
  absl::string_view rest = url.substr(authority_end);
  const size_t query = rest.find('?');
  if (query == absl::string_view::npos) {
    absl::StrAppend(&out, rest);
    return out;
  }
  absl::StrAppend(&out, rest.substr(0, query + 1));
  rest.remove_prefix(query + 1);
  const size_t fragment = rest.find('#');
  absl::StrAppend(&out, RedactQueryPasswords(rest.substr(0, fragment)));
  if (fragment != absl::string_view::npos)
    absl::StrAppend(&out, rest.substr(fragment));
  return out;
}

namespace {

absl::Status UnsupportedUrl(absl::string_view url, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported store URL \"", RedactUrl(url), "\": ", why,
                   "; want sqlite:///absolute/path/meshid.db or "
                   "postgresql://user@host:port/database"));
}

// The raw password of the URL's userinfo, as written (maybe %-encoded).
std::string RawUserinfoPassword(absl::string_view url) {
  const size_t begin = url.find("://");
  if (begin == absl::string_view::npos) return "";
  absl::string_view authority = url.substr(begin + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  if (at == absl::string_view::npos) return "";
  const absl::string_view userinfo = authority.substr(0, at);
  const size_t colon = userinfo.find(':');
  if (colon == absl::string_view::npos) return "";
  return std::string(userinfo.substr(colon + 1));
}

struct ConninfoOptionsFree {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

absl::StatusOr<ParsedStoreUrl> ParsePostgresUrl(
    absl::string_view url, absl::string_view application_name) {
  ParsedStoreUrl parsed;
  parsed.dialect = SqlDialect::kPostgres;
  if (std::string raw = RawUserinfoPassword(url); !raw.empty()) {
    parsed.secrets.push_back(std::move(raw));
  }
  const std::string url_string(url);
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoOptionsFree> options(
      PQconninfoParse(url_string.c_str(), &error));
  if (options == nullptr) {
    std::string why = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    return UnsupportedUrl(
        url,
        ScrubSecrets(absl::StripTrailingAsciiWhitespace(why), parsed.secrets));
  }
  bool has_connect_timeout = false;
  bool has_application_name = false;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const absl::string_view keyword = o->keyword;
    if (keyword == "password" && *o->val != '\0') {
      parsed.secrets.emplace_back(o->val);
    }
    has_connect_timeout |= keyword == "connect_timeout";
    has_application_name |= keyword == "application_name";
  }
  // Without connect_timeout libpq waits for the kernel's TCP timeout (minutes)
  // on an unreachable host; a store that is down should say so quickly.
  std::vector<std::string> defaults;
  if (!has_connect_timeout) defaults.push_back("connect_timeout=5");
  if (!has_application_name) {
    defaults.push_back(absl::StrCat("application_name=", application_name));
  }
  parsed.pg_conninfo = url_string;
  if (!defaults.empty()) {
    absl::string_view separator = "&";
    if (!absl::StrContains(url, '?')) {
      separator = "?";
    } else if (absl::EndsWith(url, "?") || absl::EndsWith(url, "&")) {
      separator = "";
    }
    absl::StrAppend(&parsed.pg_conninfo, separator,
                    absl::StrJoin(defaults, "&"));
  }
  return parsed;
}

absl::StatusOr<ParsedStoreUrl> ParseSqliteUrl(absl::string_view url) {
  absl::string_view path = url.substr(kSqliteScheme.size());
  if (!absl::StartsWith(path, "/")) {
    return UnsupportedUrl(url,
                          "an SQLite URL needs three slashes and an absolute "
                          "path");
  }
  if (path.size() < 2 || absl::EndsWith(path, "/")) {
    return UnsupportedUrl(url, "an SQLite URL must name a database file");
  }
  if (path.find_first_of(std::string("?#\0", 3)) != absl::string_view::npos) {
    return UnsupportedUrl(url, "SQLite URLs take no query or fragment");
  }
  ParsedStoreUrl parsed;
  parsed.dialect = SqlDialect::kSqlite;
  parsed.sqlite_path = std::string(path);
  return parsed;
}

}  // namespace

absl::StatusOr<ParsedStoreUrl> ParseStoreUrl(
    absl::string_view url, absl::string_view application_name) {
  if (absl::StartsWith(url, kSqliteScheme)) return ParseSqliteUrl(url);
  if (absl::StartsWith(url, "postgresql://") ||
      absl::StartsWith(url, "postgres://")) {
    return ParsePostgresUrl(url, application_name);
  }
  return UnsupportedUrl(url, "unknown scheme");
}

std::string ScrubSecrets(absl::string_view message,
                         const std::vector<std::string>& secrets) {
  std::string out(message);
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    absl::StrReplaceAll({{secret, kRedacted}}, &out);
  }
  return out;
}

}  // namespace meshid::storage
