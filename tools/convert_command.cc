// irlab convert: demonstrations between irlab's HDF5 layout and Minari's or
// D4RL's, so data from the Python ecosystem trains like collected data.
#include <cstdio>

#include "core/strings.h"
#include "data/convert.h"
#include "data/task_metadata.h"
#include "envs/registry.h"
#include "tools/cli_util.h"

namespace irlab {
namespace {

// The task's name and spec in the form demonstration files record.
absl::StatusOr<DemoMetadata> TaskMetadata(const std::string& task) {
  auto env = MakeEnv(task);
  if (!env.ok()) return env.status();
  return TaskDemoMetadata((*env)->spec());
}

}  // namespace

int ConvertCommand(const Args& args) {
  std::vector<std::string> positional;  // IN OUT
  std::string from, to, env, dataset_id;
  bool overwrite = false;
  FlagParser flags(
      "convert",
      "irlab convert --from {minari,d4rl,irlab} --to {irlab,minari,d4rl} IN OUT [--env TASK]\n"
      "Converts demonstrations between layouts, episode by episode. A Minari IN may be a\n"
      "dataset folder (holding data/main_data.hdf5) or the HDF5 file; a Minari OUT ending\n"
      "in .h5/.hdf5 is a single file, otherwise a dataset folder with metadata.json.\n"
      "Files not written by irlab need --env to say which task they hold. OUT is written\n"
      "under a temporary name and renamed when complete; the input is only read.");
  flags.Add("from", &from, "input layout: minari, d4rl or irlab");
  flags.Add("to", &to, "output layout: irlab, minari or d4rl");
  flags.Add("env", &env, "the task the data comes from (sizes are checked against it)");
  flags.Add("overwrite", &overwrite, "replace an existing OUT");
  flags.Add("dataset_id", &dataset_id, "Minari folder output: its dataset id");
  flags.Require("from");
  flags.Require("to");
  flags.CollectPositional(&positional);
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  if (positional.size() != 2) {
    std::fprintf(stderr, "irlab convert: expected IN and OUT, got %zu arguments (see --help)\n",
                 positional.size());
    return 2;
  }
  auto from_layout = ParseDemoLayout(from);
  if (!from_layout.ok()) return Fail("convert", from_layout.status());
  auto to_layout = ParseDemoLayout(to);
  if (!to_layout.ok()) return Fail("convert", to_layout.status());

  ConvertOptions options;
  options.overwrite = overwrite;
  options.minari_dataset_id = dataset_id;
  if (!env.empty()) {
    auto task = TaskMetadata(env);
    if (!task.ok()) return Fail("convert", task.status());
    options.task = *task;
  }
  auto summary = ConvertDemos(*from_layout, positional[0], *to_layout, positional[1], options);
  if (!summary.ok()) return Fail("convert", summary.status());
  for (const std::string& note : summary->notes) std::printf("note: %s\n", note.c_str());
  std::printf("wrote %s (%s): %lld episodes, %lld transitions\n", positional[1].c_str(),
              std::string(DemoLayoutName(*to_layout)).c_str(),
              static_cast<long long>(summary->episodes),
              static_cast<long long>(summary->transitions));
  return 0;
}

}  // namespace irlab
