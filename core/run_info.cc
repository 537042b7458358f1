#include "core/run_info.h"

#include <toml++/toml.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "core/files.h"
#include "core/json.h"
#include "core/process.h"
#include "core/strings.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

// The first line of `text`, without surrounding white space.
std::string FirstLineOf(const std::string& text) {
  return std::string(
      absl::StripAsciiWhitespace(absl::string_view(text).substr(0, text.find('\n'))));
}

std::optional<std::string> FirstLine(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return FirstLineOf(line);
}

bool IsHex40(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

struct GitTree {
  fs::path git_dir;    // where HEAD is
  fs::path work_tree;  // the directory holding .git
};

// The work tree containing `start` and its git directory, if any (".git" may
// be a file "gitdir: <path>" in worktrees and submodules).
std::optional<GitTree> FindGitTree(fs::path start) {
  std::error_code ec;
  for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
    const fs::path git = dir / ".git";
    if (fs::is_directory(git, ec)) return GitTree{git, dir};
    if (fs::is_regular_file(git, ec)) {
      if (auto line = FirstLine(git); line && line->rfind("gitdir: ", 0) == 0) {
        fs::path target = line->substr(8);
        return GitTree{target.is_absolute() ? target : dir / target, dir};
      }
    }
    if (dir == dir.parent_path()) break;
  }
  return std::nullopt;
}

// HEAD resolved by reading files: a detached hash, or a ref that is loose or
// in packed-refs (a worktree's refs live in its "commondir").
std::optional<std::string> ReadHead(const fs::path& git_dir) {
  auto head = FirstLine(git_dir / "HEAD");
  if (!head) return std::nullopt;
  if (IsHex40(*head)) return head;
  if (head->rfind("ref: ", 0) != 0) return std::nullopt;
  const std::string ref = head->substr(5);
  fs::path common = git_dir;
  if (auto c = FirstLine(git_dir / "commondir")) {
    common = fs::path(*c).is_absolute() ? fs::path(*c) : git_dir / *c;
  }
  for (const fs::path& dir : {git_dir, common}) {
    if (auto hash = FirstLine(dir / ref); hash && IsHex40(*hash)) return hash;
  }
  std::ifstream packed(common / "packed-refs");
  std::string line;
  while (std::getline(packed, line)) {
    // "<hash> <ref>"
    if (line.size() > 41 && line.compare(41, std::string::npos, ref) == 0 &&
        IsHex40(line.substr(0, 40))) {
      return line.substr(0, 40);
    }
  }
  return std::nullopt;
}

// Directories to search for the source tree: the executable's, then the cwd.
std::vector<fs::path> SearchStarts() {
  std::vector<fs::path> starts;
  std::error_code ec;
  if (fs::path exe = fs::read_symlink("/proc/self/exe", ec); !ec)
    starts.push_back(exe.parent_path());
  if (fs::path cwd = fs::current_path(ec); !ec) starts.push_back(cwd);
  return starts;
}

// `git -C <work tree> args...`, run to completion; nullopt when git cannot be
// run. (A worktree's git directory is not inside its work tree.)
std::optional<CommandResult> Git(const GitTree& tree, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", tree.work_tree.string()});
  absl::StatusOr<CommandResult> result = RunCapture(args);
  if (!result.ok()) return std::nullopt;
  return *result;
}

}  // namespace

std::optional<std::string> GitRevision(std::vector<fs::path> starts) {
  if (starts.empty()) starts = SearchStarts();
  for (const fs::path& start : starts) {
    auto tree = FindGitTree(start);
    if (!tree) continue;
    if (auto hash = ReadHead(tree->git_dir)) return hash;
    auto git = Git(*tree, {"rev-parse", "HEAD"});
    if (!git || git->exit_code != 0) continue;
    if (const std::string line = FirstLineOf(git->out); IsHex40(line)) return line;
  }
  return std::nullopt;
}

std::optional<bool> GitDirty(std::vector<fs::path> starts) {
  if (starts.empty()) starts = SearchStarts();
  for (const fs::path& start : starts) {
    auto tree = FindGitTree(start);
    if (!tree) continue;
    auto git = Git(*tree, {"--no-optional-locks", "diff", "--quiet", "HEAD", "--"});
    if (git && git->exit_code == 0) return false;
    if (git && git->exit_code == 1) return true;
    return std::nullopt;
  }
  return std::nullopt;
}

namespace {
std::optional<BuildRevision>& RegisteredBuildRevision() {
  static std::optional<BuildRevision> revision;
  return revision;
}
}  // namespace

void SetBuildRevision(std::optional<BuildRevision> revision) {
  RegisteredBuildRevision() = std::move(revision);
}

std::optional<BuildRevision> GetBuildRevision() { return RegisteredBuildRevision(); }

absl::Status WriteRunInfo(const fs::path& run_dir, const std::vector<std::string>& command_line) {
  char host[256] = "";
  ::gethostname(host, sizeof(host) - 1);
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  const auto revision = GitRevision();
  const auto dirty = revision ? GitDirty() : std::nullopt;

  Json info;
  info["git_revision"] = revision ? Json(*revision) : Json(nullptr);
  info["git_dirty"] = dirty ? Json(*dirty) : Json(nullptr);
  if (const auto build = GetBuildRevision()) {
    info["build_revision"] = build->commit;
    info["build_dirty"] = build->dirty;
  }
  info["command_line"] = command_line;
  info["cwd"] = cwd.string();
  info["host"] = std::string(host);
  info["pid"] = static_cast<int64_t>(::getpid());
  info["start_time"] = UtcTimestamp();
  // a model of the researcher's own, as the run's config.toml pinned it
  if (auto text = ReadFile(run_dir / "config.toml"); text.ok()) {
    try {
      const toml::table config = toml::parse(*text, (run_dir / "config.toml").string());
      const auto xml_file = config["env_options"]["xml_file"].value<std::string>();
      if (xml_file && !xml_file->empty()) {
        info["model"] =
            Json{{"xml_file", *xml_file},
                 {"model_digest", config["env_options"]["model_digest"].value_or(std::string())}};
      }
    } catch (const toml::parse_error&) {
      // config.toml is the command's own output; a malformed one is reported where it is read
    }
  }
  return WriteJsonFile(run_dir / "run.json", info);
}

absl::Status WriteRunInfo(const fs::path& run_dir, std::string_view command,
                          const std::vector<std::string>& args) {
  std::vector<std::string> command_line = {"irlab", std::string(command)};
  command_line.insert(command_line.end(), args.begin(), args.end());
  return WriteRunInfo(run_dir, command_line);
}

}  // namespace irlab
