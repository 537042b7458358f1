// irlab table FILE: aggregates finished runs into a Markdown and CSV table
// laid out like the paper's, with the published figures beside ours.
#include <cstdio>
#include <filesystem>

#include "core/files.h"
#include "tools/cli_util.h"
#include "tools/sweep/table.h"

namespace irlab {

int TableCommand(const Args& args) {
  std::string out;
  std::vector<std::string> vars, notes;
  FlagParser flags("table FILE",
                   "Aggregates the finished runs a table file (experiments/**/table.toml) names:\n"
                   "mean ± std over seeds of a metric per cell, the expert-normalised score and\n"
                   "the published figure beside each cell. Prints Markdown; with --out also\n"
                   "writes PREFIX.md and PREFIX.csv (one line per cell).");
  flags.Add("out", &out, "write PREFIX.md and PREFIX.csv");
  flags.Add("var", &vars, "name=value overriding an entry of the file's [vars]");
  flags.Add("note", &notes, "a line to add under the table (budget, commands)");
  std::vector<std::string> files;
  flags.CollectPositional(&files);
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  if (files.size() != 1) {
    std::fprintf(stderr, "irlab table: expected one table file (see --help)\n");
    return 2;
  }
  auto table = sweep::BuildTable(files[0], vars, notes);
  if (!table.ok()) return Fail("table", table.status());
  for (const auto& w : table->warnings) std::fprintf(stderr, "irlab table: note: %s\n", w.c_str());
  std::printf("%s", table->markdown.c_str());
  if (!out.empty()) {
    const std::filesystem::path prefix(out);
    if (prefix.has_parent_path()) {
      if (absl::Status s = EnsureDirectory(prefix.parent_path()); !s.ok()) return Fail("table", s);
    }
    for (const auto& [ext, text] : {std::pair{".md", &table->markdown}, {".csv", &table->csv}}) {
      if (absl::Status s = WriteFileAtomically(prefix.string() + ext, *text); !s.ok()) {
        return Fail("table", s);
      }
    }
    std::fflush(stdout);
    std::fprintf(stderr, "wrote %s.md and %s.csv\n", out.c_str(), out.c_str());
  }
  return 0;
}

}  // namespace irlab
