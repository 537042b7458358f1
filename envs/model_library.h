// Compiled MuJoCo models, loaded once per process and shared (mjModel is
// read-only during simulation). Models come from the MJCF files in
// assets/mjcf, embedded into the binary at build time; IRLAB_ASSETS_DIR, when
// set, makes them load from that directory instead (for editing models).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

struct mjModel_;
typedef struct mjModel_ mjModel;

namespace irlab {

struct EmbeddedFile {
  const char* name;
  const char* contents;
};

// The MJCF files compiled into the binary.
const std::vector<EmbeddedFile>& EmbeddedModels();

// Returns the compiled model for `file_name` (e.g. "half_cheetah.xml"); the
// error carries MuJoCo's parser message and the file name.
absl::StatusOr<std::shared_ptr<const mjModel>> LoadModel(std::string_view file_name);

// Compiles an MJCF file from disk (a researcher's own model: its includes and
// meshes are found beside it); cached by path and text. The error names the file.
absl::StatusOr<std::shared_ptr<const mjModel>> LoadModelFile(const std::filesystem::path& path);

// The digest irlab records for a model's text: FNV-1a 64, 16 hex digits.
std::string ModelDigest(std::string_view text);

// Compiles MJCF text (for tests with inline models). Solver warm-start is
// disabled, so (qpos, qvel) is the whole simulation state.
absl::StatusOr<std::shared_ptr<const mjModel>> CompileModel(std::string_view xml,
                                                            std::string_view name);

}  // namespace irlab
