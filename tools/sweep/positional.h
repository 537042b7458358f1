// Positional arguments for the sweep commands (FlagParser takes flags only):
// `irlab plot runs/a runs/b --out fig.png` -> {"runs/a", "runs/b"} and the
// flags for FlagParser.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace irlab::sweep {

// Moves the arguments that are neither flags nor a flag's value into
// `positional` and returns the rest. `switches` are the flags that take no
// value (e.g. "detach"); every other "--name" without "=" takes the next
// argument as its value. Everything after "--" is positional.
inline std::vector<std::string> SplitPositional(const std::vector<std::string>& args,
                                                const std::set<std::string>& switches,
                                                std::vector<std::string>& positional) {
  std::vector<std::string> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      positional.insert(positional.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (a.rfind("--", 0) != 0 && a != "-h") {
      positional.push_back(a);
      continue;
    }
    flags.push_back(a);
    const std::string name = a.substr(2);
    if (a.find('=') == std::string::npos && !switches.count(name) && name != "help" && a != "-h" &&
        i + 1 < args.size()) {
      flags.push_back(args[++i]);
    }
  }
  return flags;
}

}  // namespace irlab::sweep
