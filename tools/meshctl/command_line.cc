#include "tools/meshctl/command_line.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace meshid::meshctl {

absl::StatusOr<Flags> Flags::Parse(
    const std::vector<std::string>& args,
    const std::set<std::string>& value_flags,
    const std::set<std::string>& bool_flags,
    const std::set<std::string>& repeated_flags) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      // A bare word is quoted only when it looks like a mistyped flag: a
      // stray value might be a secret pasted in the wrong place.
      return absl::InvalidArgumentError(
          absl::StartsWith(arg, "-")
              ? absl::StrCat("unexpected argument '", arg,
                             "' (flags start with --)")
              : absl::StrCat("unexpected argument #", i + 1,
                             ": values follow their --flag"));
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (bool_flags.count(name) != 0) {
      if (value.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag --", name, " takes no value"));
      }
      value = "true";
    } else if (value_flags.count(name) != 0 ||
               repeated_flags.count(name) != 0) {
      if (!value.has_value()) {
        if (i + 1 >= args.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat("flag --", name, " needs a value"));
        }
        value = args[++i];
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (repeated_flags.count(name) != 0) {
      flags.repeated_[name].push_back(*std::move(value));
      continue;
    }
    if (!flags.values_.emplace(name, *value).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", name, " given twice"));
    }
  }
  return flags;
}

std::optional<std::string> Flags::Get(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

bool Flags::Has(absl::string_view name) const {
  return values_.find(name) != values_.end() ||
         repeated_.find(name) != repeated_.end();
}

std::vector<std::string> Flags::GetAll(absl::string_view name) const {
  auto it = repeated_.find(name);
  if (it == repeated_.end()) return {};
  return it->second;
}

absl::StatusOr<std::string> Flags::Required(absl::string_view name) const {
  std::optional<std::string> v = Get(name);
  if (!v.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing required flag --", name));
  }
  if (v->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("flag --", name, " must not be empty"));
  }
  return *v;
}

absl::StatusOr<std::optional<int64_t>> Flags::Int(
    absl::string_view name) const {
  std::optional<std::string> v = Get(name);
  if (!v.has_value()) return std::optional<int64_t>();
  int64_t n;
  if (!absl::SimpleAtoi(*v, &n)) {
    return absl::InvalidArgumentError(
        absl::StrCat("flag --", name, " must be an integer, got '", *v, "'"));
  }
  return std::optional<int64_t>(n);
}

}  // namespace meshid::meshctl
