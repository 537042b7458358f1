// A table file (its keys are described in table.h) and the published figures
// it names, read and checked.
#pragma once

#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/sweep/sweep_file.h"

namespace irlab::sweep {

// A [[source]], or normalise.expert / normalise.random.
struct TableSource {
  std::string runs;  // a path template
  std::string metric;
  int last = 1;
  Vars set;    // variables added to each run
  Vars where;  // only runs with these values
};

struct TableSpec {
  std::filesystem::path file;
  std::string title, description;
  std::vector<std::string> rows;
  std::string column;
  std::string metric;
  int last = 1;
  std::string published;
  std::filesystem::path published_file;
  int min_seeds = 5;
  std::optional<double> reach;  // also tabulate the steps at which runs first reach it
  Vars vars;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::vector<std::string>> order;
  std::vector<TableSource> sources;
  std::string normalise_by;
  std::optional<TableSource> expert, random;
};

// Expert and random returns per value of `normalise.by`.
struct ReferenceReturns {
  std::map<std::string, double> expert, random;
};

struct PublishedEntry {
  Vars match;
  double mean = NAN, std = NAN;
};

struct Published {
  std::string source;
  std::vector<PublishedEntry> entries;
  ReferenceReturns reference;  // the paper's own
};

// Reads `file`; `var_overrides` are "name=value" for its [vars].
absl::StatusOr<TableSpec> ReadTableSpec(const std::filesystem::path& file,
                                        const std::vector<std::string>& var_overrides);

// The section of the published figures file the spec names (empty when it
// names none).
absl::StatusOr<Published> ReadPublished(const TableSpec& spec);

// The display name of a value or key: its [labels] entry, else itself.
std::string Label(const TableSpec& spec, const std::string& value);

}  // namespace irlab::sweep
