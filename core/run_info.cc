#include "core/run_info.h"

#include <toml++/toml.h>
#include <unistd.h>

#include <cctype>
#include <fstream>

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

// The git directory of the work tree containing `start`, if any (".git" may
// be a file "gitdir: <path>" in worktrees and submodules).
std::optional<fs::path> FindGitDir(fs::path start) {
  std::error_code ec;
  for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
    const fs::path git = dir / ".git";
    if (fs::is_directory(git, ec)) return git;
    if (fs::is_regular_file(git, ec)) {
      if (auto line = FirstLine(git); line && line->rfind("gitdir: ", 0) == 0) {
        fs::path target = line->substr(8);
        return target.is_absolute() ? target : dir / target;
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

// `git -C <work tree of git_dir> args...`, run to completion; nullopt when
// git cannot be run.
std::optional<CommandResult> Git(const fs::path& git_dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", git_dir.parent_path().string()});
  absl::StatusOr<CommandResult> result = RunCapture(args);
  if (!result.ok()) return std::nullopt;
  return *result;
}

}  // namespace

std::optional<std::string> GitRevision() {
  for (const fs::path& start : SearchStarts()) {
    auto git_dir = FindGitDir(start);
    if (!git_dir) continue;
    if (auto hash = ReadHead(*git_dir)) return hash;
    auto git = Git(*git_dir, {"rev-parse", "HEAD"});
    if (!git || git->exit_code != 0) continue;
    if (const std::string line = FirstLineOf(git->out); IsHex40(line)) return line;
  }
  return std::nullopt;
}

std::optional<bool> GitDirty() {
  for (const fs::path& start : SearchStarts()) {
    auto git_dir = FindGitDir(start);
    if (!git_dir) continue;
    auto git = Git(*git_dir, {"--no-optional-locks", "diff", "--quiet", "HEAD", "--"});
    if (git && git->exit_code == 0) return false;
    if (git && git->exit_code == 1) return true;
    return std::nullopt;
  }
  return std::nullopt;
}

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
