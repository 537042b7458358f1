// Config: plain structs with commented defaults, overridden by TOML files and
// `--set key=value`. A struct lists its fields once in a Bind function:
//
//   struct PpoConfig {
//     int num_envs = 8;             // parallel environments
//     double learning_rate = 3e-4;  // Adam step, annealed linearly to 0
//     void Bind(ConfigBinder& b) {
//       b.Field("num_envs", num_envs, "parallel environments").Range(1, 4096);
//       b.Field("learning_rate", learning_rate, "Adam step size").Range(0, 1);
//     }
//   };
//
// Binding a struct gives a schema that applies TOML tables (unknown keys, wrong
// types and out-of-range values are errors naming the file, line and key) and
// writes the resolved values back out as TOML.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"

namespace toml {
inline namespace v3 {
class table;
class node;
}  // namespace v3
}  // namespace toml

namespace irlab {

class ConfigBinder {
 public:
  // std::optional<double>: unset (nullopt) means "the default of whoever reads
  // it" (e.g. a task's own ctrl_cost_weight); written to TOML as a comment.
  using Target = std::variant<bool*, int*, int64_t*, double*, std::string*, std::vector<int>*,
                              std::optional<double>*, std::vector<double>*>;

  struct FieldInfo {
    std::string key;  // dotted, e.g. "ppo.learning_rate"
    Target target;
    std::string help;
    std::optional<double> min, max;    // numeric ranges (inclusive)
    std::vector<std::string> choices;  // allowed strings, if any
  };

  // Chainable constraints on the field just bound.
  class FieldRef {
   public:
    explicit FieldRef(FieldInfo& info) : info_(info) {}
    FieldRef& Range(double lo, double hi) {
      info_.min = lo;
      info_.max = hi;
      return *this;
    }
    FieldRef& Min(double lo) {
      info_.min = lo;
      return *this;
    }
    FieldRef& OneOf(std::vector<std::string> choices) {
      info_.choices = std::move(choices);
      return *this;
    }

   private:
    FieldInfo& info_;
  };

  template <class T>
  FieldRef Field(std::string_view key, T& value, std::string_view help) {
    std::string full_key = prefix_;  // appended, not `prefix_ + ...`: GCC 12 warns falsely on that
    full_key.append(key);
    fields_.push_back(
        FieldInfo{std::move(full_key), Target(&value), std::string(help), {}, {}, {}});
    return FieldRef(fields_.back());
  }

  // Binds a nested struct under "name.".
  template <class S>
  void Section(std::string_view name, S& sub) {
    const std::string saved = prefix_;
    prefix_.append(name).push_back('.');
    sub.Bind(*this);
    prefix_ = saved;
  }

  std::vector<FieldInfo>& fields() { return fields_; }

 private:
  std::string prefix_;
  // a deque-like guarantee is not needed: FieldRef is used only right after push_back
  std::vector<FieldInfo> fields_;
};

// The bound fields of one config struct, and the operations on them.
class ConfigSchema {
 public:
  template <class S>
  static ConfigSchema For(S& config) {
    ConfigBinder binder;
    config.Bind(binder);
    return ConfigSchema(std::move(binder.fields()));
  }

  // Applies a TOML file; errors name the file, line and key.
  absl::Status ApplyFile(const std::filesystem::path& path);
  // Applies TOML text; `source` names it in errors.
  absl::Status ApplyText(std::string_view text, std::string_view source);
  // Applies one "key=value" override (value in TOML syntax; bare words are
  // taken as strings for string fields). Errors name `source`, by default
  // "--set key=value".
  absl::Status ApplyOverride(std::string_view assignment, std::string_view source = {});

  // The resolved config as TOML, with each field's help as a comment.
  std::string ToToml() const;
  // One line per field: key, type, value, help (for --help output).
  std::string Describe() const;
  // A stable 64-bit hash of the resolved values.
  uint64_t Hash() const;

  const std::vector<ConfigBinder::FieldInfo>& fields() const { return fields_; }

 private:
  explicit ConfigSchema(std::vector<ConfigBinder::FieldInfo> fields);
  absl::Status ApplyTable(const toml::table& table, std::string_view source,
                          const std::string& prefix);
  absl::Status ApplyValue(const ConfigBinder::FieldInfo& field, const toml::node& node,
                          std::string_view source);

  std::vector<ConfigBinder::FieldInfo> fields_;
  std::map<std::string, size_t, std::less<>> index_;
};

// A command's own flag as a config override (`--algo gail` sets algo =
// "gail"); its errors name the flag as given, not a --set nobody typed.
struct FlagOverride {
  std::string flag;        // "--algo gail"
  std::string assignment;  // "algo=gail"
};

// Loads a config struct from defaults, an optional file, the --set
// overrides, then the command's own flags.
template <class S>
absl::Status LoadConfig(S& config, const std::filesystem::path& file,
                        const std::vector<std::string>& overrides,
                        const std::vector<FlagOverride>& flags = {}) {
  ConfigSchema schema = ConfigSchema::For(config);
  if (!file.empty()) {
    if (absl::Status s = schema.ApplyFile(file); !s.ok()) return s;
  }
  for (const auto& o : overrides) {
    if (absl::Status s = schema.ApplyOverride(o); !s.ok()) return s;
  }
  for (const auto& f : flags) {
    if (absl::Status s = schema.ApplyOverride(f.assignment, f.flag); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace irlab
