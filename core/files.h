// File helpers that never leave a half-written file under a final name.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace irlab {

// A sibling path for writing `final_path` before renaming it into place:
// "<dir>/.<name>.tmp.<pid>".
std::filesystem::path TempPathFor(const std::filesystem::path& final_path);

// Removes the temporary siblings of `final_path` (".<name>.tmp.<pid>" and
// names beginning so) whose process no longer runs: what a killed writer
// left behind. Files of live processes are kept. Returns how many went.
int RemoveStaleTempFiles(const std::filesystem::path& final_path);

// Writes `contents` to a temporary sibling, flushes it, then renames it over
// `path`. Either the old file or the complete new one is there, never half.
absl::Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents);

// Reads a whole file; the error names the path.
absl::StatusOr<std::string> ReadFile(const std::filesystem::path& path);

// Creates `dir` (and parents) if needed; an error if it exists as a file.
absl::Status EnsureDirectory(const std::filesystem::path& dir);

}  // namespace irlab
