// run.json in a run directory: what produced it. Every command that writes a
// run directory calls WriteRunInfo first, next to its resolved config.toml:
//
//   {"git_revision": "c9c0d8d...", "git_dirty": false,
//    "build_revision": "c9c0d8d...", "build_dirty": false,
//    "command_line": ["irlab", "rollout", "--env", "Hopper", "--out", "runs/a"],
//    "cwd": "/work/main", "host": "vm", "pid": 4242,
//    "start_time": "2026-11-24T00:31:07Z"}
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace irlab {

// The git commit of the source tree this binary was run from: found by
// walking up from the executable and then from the working directory to a
// .git, reading HEAD and the ref it names (loose or packed) without running
// git; `git rev-parse HEAD` as a fallback. nullopt when neither works.
// `starts`: where to look instead (tests).
std::optional<std::string> GitRevision(std::vector<std::filesystem::path> starts = {});

// Whether the work tree has uncommitted changes to tracked files
// (`git diff --quiet HEAD`, also in a `git worktree`); nullopt when git is
// unavailable.
std::optional<bool> GitDirty(std::vector<std::filesystem::path> starts = {});

// The commit the running binary was built from, and whether that build had
// uncommitted changes: the irlab binary registers them at start (generated at
// build time by tools/build_revision.cmake). It can differ from GitRevision(),
// the tree the binary is run from: a binary pinned for a long sweep keeps its
// own commit while the tree moves on. nullopt when none was registered (tests,
// or a build outside a git checkout); SetBuildRevision(std::nullopt) clears it.
struct BuildRevision {
  std::string commit;
  bool dirty = false;
};
void SetBuildRevision(std::optional<BuildRevision> revision);
std::optional<BuildRevision> GetBuildRevision();

// Writes <run_dir>/run.json atomically. `command_line` is the whole command,
// program name first. When the run's config.toml (written before) names an
// env_options.xml_file, run.json records it and its model_digest as "model".
// With a registered build revision it records "build_revision" and
// "build_dirty" beside the tree's "git_revision" and "git_dirty".
absl::Status WriteRunInfo(const std::filesystem::path& run_dir,
                          const std::vector<std::string>& command_line);
// The same for an irlab subcommand: the command line is
// {"irlab", command, args...}.
absl::Status WriteRunInfo(const std::filesystem::path& run_dir, std::string_view command,
                          const std::vector<std::string>& args);

}  // namespace irlab
