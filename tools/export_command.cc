// irlab export: a run's policy, learned reward or potential as TorchScript.
#include <cstdio>

#include "algos/export/export.h"
#include "core/strings.h"
#include "tools/cli_util.h"

namespace irlab {

int ExportCommand(const Args& args) {
  std::string run, what, out;
  int64_t step = -1;
  FlagParser flags(
      "export",
      "Writes a run's policy, learned reward or AIRL potential as a TorchScript module that\n"
      "PyTorch loads without irlab (torch.jit.load(FILE)), with a forward that includes the\n"
      "run's observation normalisation:\n"
      "  policy     forward(obs) -> mean action; sample(obs, noise); value(obs)\n"
      "  reward     forward(obs, act, next_obs, done) -> the learned reward (AIRL: g)\n"
      "  potential  forward(obs) -> AIRL's h(s); shaping(obs, next_obs, done)\n"
      "Parameters are named by layer; metadata (task, dims, action bounds, irlab version,\n"
      "config hash) is in the module's `metadata` dict and its extra file metadata.json.");
  flags.Add("run", &run, "run directory of irlab expert, train or transfer");
  flags.Add("step", &step,
            "export the kept checkpoint at or before this env step (default: the newest)");
  flags.Add("what", &what, "policy, reward or potential");
  flags.Add("out", &out, "the .pt file to write");
  flags.Require("run");
  flags.Require("what");
  flags.Require("out");
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  auto summary = ExportRun(run, step >= 0 ? std::optional<int64_t>(step) : std::nullopt, what, out);
  if (!summary.ok()) return Fail("export", summary.status());
  std::printf("exported the %s of %s (%s, obs %d, act %d, env step %lld) to %s\n", what.c_str(),
              summary->checkpoint.c_str(), summary->task.c_str(), summary->obs_dim,
              summary->act_dim, static_cast<long long>(summary->step), out.c_str());
  return 0;
}

}  // namespace irlab
