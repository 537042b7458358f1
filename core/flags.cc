#include "core/flags.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "core/strings.h"

namespace irlab {

FlagParser::FlagParser(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

void FlagParser::Add(std::string name, std::string* v, std::string help) {
  flags_.push_back({std::move(name), std::move(help), v});
}
void FlagParser::Add(std::string name, int* v, std::string help) {
  flags_.push_back({std::move(name), std::move(help), v});
}
void FlagParser::Add(std::string name, int64_t* v, std::string help) {
  flags_.push_back({std::move(name), std::move(help), v});
}
void FlagParser::Add(std::string name, double* v, std::string help) {
  flags_.push_back({std::move(name), std::move(help), v});
}
void FlagParser::Add(std::string name, bool* v, std::string help) {
  flags_.push_back({std::move(name), std::move(help), v});
}
void FlagParser::Add(std::string name, std::vector<std::string>* v, std::string help) {
  flags_.push_back({std::move(name), std::move(help), v});
}

void FlagParser::Require(const std::string& name) {
  if (Flag* f = Find(name)) f->required = true;
}

bool FlagParser::Seen(const std::string& name) const {
  for (const auto& f : flags_) {
    if (f.name == name) return f.seen;
  }
  return false;
}

FlagParser::Flag* FlagParser::Find(const std::string& name) {
  for (auto& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

absl::Status FlagParser::Parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") return absl::CancelledError("help");
    if (arg == "--" && positional_) {
      positional_->insert(positional_->end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg.rfind("--", 0) != 0) {
      if (positional_) {
        positional_->push_back(arg);
        continue;
      }
      return absl::InvalidArgumentError(
          StrCat("irlab ", command_, ": unexpected argument '", arg, "' (see --help)"));
    }
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    Flag* flag = Find(name);
    if (!flag) {
      return absl::InvalidArgumentError(
          StrCat("irlab ", command_, ": unknown flag '--", name, "' (see --help)"));
    }
    flag->seen = true;
    if (auto* b = std::get_if<bool*>(&flag->target)) {
      if (has_value && value != "true" && value != "false") {
        return absl::InvalidArgumentError(
            StrCat("--", name, ": expected true or false, got '", value, "'"));
      }
      **b = !has_value || value == "true";
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(StrCat("--", name, ": missing value"));
      }
      value = args[++i];
    }
    const auto bad = [&](std::string_view what) {
      return absl::InvalidArgumentError(
          StrCat("--", name, ": expected ", what, ", got '", value, "'"));
    };
    if (auto* s = std::get_if<std::string*>(&flag->target)) {
      **s = value;
    } else if (auto* n = std::get_if<int*>(&flag->target)) {
      if (!absl::SimpleAtoi(value, *n)) return bad("an integer");
    } else if (auto* n64 = std::get_if<int64_t*>(&flag->target)) {
      if (!absl::SimpleAtoi(value, *n64)) return bad("an integer");
    } else if (auto* d = std::get_if<double*>(&flag->target)) {
      if (!absl::SimpleAtod(value, *d) || !std::isfinite(**d)) return bad("a finite number");
    } else if (auto* list = std::get_if<std::vector<std::string>*>(&flag->target)) {
      (*list)->push_back(value);
    }
  }
  for (const auto& f : flags_) {
    if (f.required && !f.seen) {
      return absl::InvalidArgumentError(
          StrCat("irlab ", command_, ": missing required flag --", f.name, " (see --help)"));
    }
  }
  return absl::OkStatus();
}

std::string FlagParser::Usage() const {
  std::string out = StrCat("usage: irlab ", command_, " [flags]\n\n", summary_, "\n\nflags:\n");
  for (const auto& f : flags_) {
    std::string shown = StrCat("--", f.name);
    if (!std::holds_alternative<bool*>(f.target)) shown += " VALUE";
    std::string def;
    if (auto* s = std::get_if<std::string*>(&f.target); s && !(*s)->empty()) def = **s;
    if (auto* n = std::get_if<int*>(&f.target)) def = StrCat(**n);
    if (auto* n = std::get_if<int64_t*>(&f.target)) def = StrCat(**n);
    if (auto* d = std::get_if<double*>(&f.target)) def = StrCat(**d);
    StrAppend(&out, "  ", shown, std::string(shown.size() < 24 ? 24 - shown.size() : 1, ' '),
              f.help, f.required ? " (required)" : "", def.empty() ? "" : " [" + def + "]",
              std::holds_alternative<std::vector<std::string>*>(f.target) ? " (repeatable)" : "",
              "\n");
  }
  return out;
}

}  // namespace irlab
