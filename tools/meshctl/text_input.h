// Reading tokens from stdin, one per line, the same way in every command.
#ifndef MESHID_TOOLS_MESHCTL_TEXT_INPUT_H_
#define MESHID_TOOLS_MESHCTL_TEXT_INPUT_H_

#include <istream>
#include <string>

namespace meshid::meshctl {

// Calls fn(line) for each line of `in`, dropping a trailing "\r" and
// skipping empty lines; nothing else is trimmed, so stray spaces make a
// token fail rather than being silently repaired.
template <typename Fn>
void ForEachLine(std::istream& in, Fn fn) {
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    fn(line);
  }
}

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_TEXT_INPUT_H_
