// Runs collected into a table's cells: each run's summary of its metric,
// grouped by its row and column values, and the layout of rows and columns.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/sweep/table_spec.h"

namespace irlab::sweep {

// Row values in the spec's `rows` order, then the column value.
using CellKey = std::vector<std::string>;

struct Cells {
  std::map<CellKey, std::vector<double>> raw;                     // one value per run
  std::map<CellKey, std::vector<double>> norm;                    // the finite normalised values
  std::map<CellKey, std::vector<std::optional<double>>> reached;  // with `reach`
  // With `reach`: runs left out of `reached` because they logged fewer values
  // than the window (BC evaluates once), per cell.
  std::map<CellKey, int> too_short;
  std::vector<std::set<std::string>> row_values;  // per row variable
  std::set<std::string> column_values;
};

// (r - random) / (expert - random) for the `by` value `key`; NaN when either
// reference is missing or they are equal.
double Normalise(double r, const ReferenceReturns& reference, const std::string& key);

// The spec's normalise.expert and normalise.random runs averaged per `by`
// value (empty without [normalise]). Runs left out are added to `warnings`.
absl::StatusOr<ReferenceReturns> CollectReferences(const TableSpec& spec,
                                                   std::vector<std::string>& warnings);

// The [[source]] runs grouped into cells, normalised by `reference`.
absl::StatusOr<Cells> CollectCells(const TableSpec& spec, const ReferenceReturns& reference,
                                   std::vector<std::string>& warnings);

struct Layout {
  std::vector<std::vector<std::string>> rows;  // row values of the rows with runs, in order
  std::vector<std::string> columns;            // in order
  std::set<std::string> columns_with_paper;    // with a published figure in some row
};

// The display order: [order], then the published file's, then numeric or
// lexicographic.
Layout LayOut(const TableSpec& spec, const Published& published, const Cells& cells);

// The published figure for a cell, or null.
const PublishedEntry* FindPublished(const TableSpec& spec, const Published& published,
                                    const std::vector<std::string>& row, const std::string& column);

// The `normalise.by` value of a cell ("" when it is neither a row nor the column variable).
std::string NormaliseByValue(const TableSpec& spec, const std::vector<std::string>& row,
                             const std::string& column);

}  // namespace irlab::sweep
