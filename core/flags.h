// Command-line flags for one subcommand: `--name value`, `--name=value`,
// boolean `--name`, repeatable flags (for --set), and generated --help.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"

namespace irlab {

class FlagParser {
 public:
  FlagParser(std::string command, std::string summary);

  void Add(std::string name, std::string* value, std::string help);
  void Add(std::string name, int* value, std::string help);
  void Add(std::string name, int64_t* value, std::string help);
  void Add(std::string name, double* value, std::string help);
  void Add(std::string name, bool* value, std::string help);  // a switch: --name
  void Add(std::string name, std::vector<std::string>* values, std::string help);  // repeatable
  // Marks a flag that must be given.
  void Require(const std::string& name);
  // Arguments that are not flags (nor a flag's value) go to `out`, in order,
  // instead of being an error; so does everything after "--".
  void CollectPositional(std::vector<std::string>* out) { positional_ = out; }

  // Parses argv (without the program and command names). Returns Cancelled
  // when --help was asked for (the usage is then in usage()); an error names
  // the flag otherwise.
  absl::Status Parse(const std::vector<std::string>& args);
  std::string Usage() const;
  // Whether the flag was given on the command line (after Parse).
  bool Seen(const std::string& name) const;

 private:
  using Target =
      std::variant<std::string*, int*, int64_t*, double*, bool*, std::vector<std::string>*>;
  struct Flag {
    std::string name, help;
    Target target;
    bool required = false;
    bool seen = false;
  };
  Flag* Find(const std::string& name);

  std::string command_, summary_;
  std::vector<Flag> flags_;
  std::vector<std::string>* positional_ = nullptr;
};

}  // namespace irlab
