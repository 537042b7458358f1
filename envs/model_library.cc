#include "envs/model_library.h"

#include <mujoco/mujoco.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {

absl::StatusOr<std::shared_ptr<const mjModel>> CompileModel(std::string_view xml,
                                                            std::string_view name) {
  // mjVFS is a few MB: keep it off the stack
  auto vfs = std::make_unique<mjVFS>();
  mj_defaultVFS(vfs.get());
  const std::string file(name);
  if (mj_makeEmptyFileVFS(vfs.get(), file.c_str(), static_cast<int>(xml.size())) != 0) {
    return absl::InternalError(StrCat(name, ": cannot stage the model in memory"));
  }
  const int index = mj_findFileVFS(vfs.get(), file.c_str());
  std::memcpy(vfs->filedata[index], xml.data(), xml.size());
  char error[1024] = "";
  mjModel* model = mj_loadXML(file.c_str(), vfs.get(), error, sizeof(error));
  mj_deleteVFS(vfs.get());
  if (!model) return absl::InvalidArgumentError(StrCat(name, ": MJCF error: ", error));
  // no solver warm-start: the next state then depends on (qpos, qvel, ctrl)
  // alone, so stored states replay exactly (measured: no slower here)
  model->opt.disableflags |= mjDSBL_WARMSTART;
  return std::shared_ptr<const mjModel>(
      model, [](const mjModel* m) { mj_deleteModel(const_cast<mjModel*>(m)); });
}

std::string ModelDigest(std::string_view text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

absl::StatusOr<std::shared_ptr<const mjModel>> LoadModelFile(const std::filesystem::path& path) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const mjModel>, std::less<>> cache;
  IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  const std::string key = StrCat(path.string(), "@", ModelDigest(text));
  std::lock_guard lock(mu);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  char error[1024] = "";
  mjModel* model = mj_loadXML(path.c_str(), nullptr, error, sizeof(error));
  if (!model) return absl::InvalidArgumentError(StrCat(path.string(), ": MJCF error: ", error));
  model->opt.disableflags |= mjDSBL_WARMSTART;  // as CompileModel
  std::shared_ptr<const mjModel> shared(
      model, [](const mjModel* m) { mj_deleteModel(const_cast<mjModel*>(m)); });
  cache.emplace(key, shared);
  return shared;
}

absl::StatusOr<std::shared_ptr<const mjModel>> LoadModel(std::string_view file_name) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const mjModel>, std::less<>> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(file_name); it != cache.end()) return it->second;

  std::string xml;
  if (const char* dir = std::getenv("IRLAB_ASSETS_DIR"); dir && *dir) {
    IRLAB_ASSIGN_OR_RETURN(xml, ReadFile(std::filesystem::path(dir) / file_name));
  } else {
    for (const auto& f : EmbeddedModels()) {
      if (file_name == f.name) xml = f.contents;
    }
    if (xml.empty()) return absl::NotFoundError(StrCat(file_name, ": no such embedded model"));
  }
  IRLAB_ASSIGN_OR_RETURN(auto model, CompileModel(xml, file_name));
  cache.emplace(std::string(file_name), model);
  return model;
}

}  // namespace irlab
