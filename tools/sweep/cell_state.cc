#include "tools/sweep/cell_state.h"

#include <toml++/toml.h>

#include <deque>
#include <fstream>

#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::optional<toml::table>> ReadMarker(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<toml::table>();
  IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  try {
    return std::optional<toml::table>(toml::parse(text, path.string()));
  } catch (const toml::parse_error& err) {
    return absl::DataLossError(
        StrCat(path.string(), ": unreadable done marker: ", err.description()));
  }
}

bool NonEmptyDirectory(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec) && !fs::is_empty(dir, ec);
}

std::string Join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) StrAppend(&out, out.empty() ? "" : " ", a);
  return out;
}

}  // namespace

std::string TomlQuote(std::string_view s) { return QuotedString(s); }

std::string MarkerHead(const Cell& cell, std::string_view backend) {
  std::string text = "command = [";
  for (size_t i = 0; i < cell.argv.size(); ++i)
    StrAppend(&text, i ? ", " : "", TomlQuote(cell.argv[i]));
  text += "]\n";
  StrAppend(&text, "cell = ", TomlQuote(cell.id), "\n");
  StrAppend(&text, "backend = ", TomlQuote(backend), "\n");
  return text;
}

std::string MarkerVars(const Cell& cell) {
  std::string text = "[vars]\n";
  for (const auto& [k, v] : cell.vars) StrAppend(&text, TomlQuote(k), " = ", TomlQuote(v), "\n");
  return text;
}

absl::Status WriteDoneMarker(const Cell& cell, std::string_view backend, double seconds) {
  std::string text = MarkerHead(cell, backend);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", seconds);
  StrAppend(&text, "seconds = ", buf, "\n");
  StrAppend(&text, "finished = ", TomlQuote(UtcTimestamp()), "\n", MarkerVars(cell));
  return WriteFileAtomically(DoneMarkerPath(cell), text);
}

absl::StatusOr<bool> IsFinished(const Cell& cell) {
  IRLAB_ASSIGN_OR_RETURN(std::optional<toml::table> marker, ReadMarker(DoneMarkerPath(cell)));
  if (!marker) return false;
  std::vector<std::string> recorded;
  if (const toml::array* list = marker->get_as<toml::array>("command")) {
    for (const auto& el : *list) recorded.push_back(el.value_or(std::string()));
  }
  if (recorded != cell.argv) {
    return absl::FailedPreconditionError(StrCat(
        DoneMarkerPath(cell).string(), ": cell ", cell.id,
        " finished with a different command:\n  was: ", Join(recorded),
        "\n  now: ", Join(cell.argv),
        "\nthe sweep file or its --var/--budget changed; run it with another --out (finished "
        "results are never overwritten)"));
  }
  return true;
}

absl::StatusOr<std::optional<Vars>> ReadMarkerVars(const fs::path& marker_path) {
  IRLAB_ASSIGN_OR_RETURN(std::optional<toml::table> marker, ReadMarker(marker_path));
  if (!marker) return std::optional<Vars>();
  Vars vars;
  if (const toml::table* t = marker->get_as<toml::table>("vars")) {
    for (const auto& [k, v] : *t) {
      if (auto s = v.value_exact<std::string>()) vars[std::string(k.str())] = *s;
    }
  }
  return std::optional<Vars>(std::move(vars));
}

void AppendLog(const Cell& cell, const std::string& line) {
  std::ofstream out(LogPath(cell), std::ios::app);
  out << line << "\n";
}

absl::StatusOr<std::vector<std::string>> PrepareAttempt(const Cell& cell) {
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(cell.state_dir));
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(cell.run_dir.parent_path()));
  std::vector<std::string> argv = cell.argv;
  if (NonEmptyDirectory(cell.run_dir)) {
    std::error_code ec;
    if (!cell.resume_argv.empty() &&
        (cell.resume_when.empty() || fs::exists(cell.run_dir / cell.resume_when, ec))) {
      argv = cell.resume_argv;
      AppendLog(cell, "# irlab sweep: resuming the earlier attempt's run directory");
    } else {
      // keep the partial results, out of the way of a fresh start
      IRLAB_RETURN_IF_ERROR(EnsureDirectory(cell.attempts.parent_path()));
      fs::path aside;
      for (int k = 1;; ++k) {
        aside = cell.attempts;
        aside += StrCat(".", k);
        if (!fs::exists(aside, ec)) break;
      }
      fs::rename(cell.run_dir, aside, ec);
      if (ec) {
        return absl::UnavailableError(StrCat(cell.run_dir.string(),
                                             ": cannot move the earlier attempt to ",
                                             aside.string(), ": ", ec.message()));
      }
      AppendLog(cell,
                StrCat("# irlab sweep: moved the earlier attempt's files to ", aside.string()));
    }
  }
  if (cell.mkdir_out) IRLAB_RETURN_IF_ERROR(EnsureDirectory(cell.run_dir));
  return argv;
}

std::string LogTail(const fs::path& log, int max_lines) {
  std::ifstream in(log);
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (static_cast<int>(lines.size()) > max_lines) lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines) StrAppend(&out, "    ", l, "\n");
  return out;
}

}  // namespace irlab::sweep
