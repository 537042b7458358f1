#include "envs/options.h"

#include <toml++/toml.h>

#include <sstream>

#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {
namespace fs = std::filesystem;

fs::path RunDirOf(const fs::path& run_or_checkpoint) {
  std::error_code ec;
  if (fs::is_directory(run_or_checkpoint, ec)) return run_or_checkpoint;
  fs::path dir = run_or_checkpoint.parent_path();
  if (dir.filename() == "checkpoints") dir = dir.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

absl::Status ApplyRunEnvOptions(const fs::path& run_dir, EnvOptions& options) {
  const fs::path path = run_dir / "config.toml";
  std::error_code ec;
  if (!fs::exists(path, ec)) return absl::OkStatus();
  IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::string section;
  try {
    const toml::table config = toml::parse(text, path.string());
    const toml::table* table = config["env_options"].as_table();
    if (!table) return absl::OkStatus();
    std::ostringstream s;
    s << *table;
    section = s.str();
  } catch (const toml::parse_error& e) {
    return absl::DataLossError(StrCat(path.string(), ": malformed TOML: ", e.description()));
  }
  return ConfigSchema::For(options).ApplyText(section, StrCat(path.string(), " [env_options]"));
}

}  // namespace irlab
