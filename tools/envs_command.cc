// irlab envs: the task table.
#include <cstdio>

#include "envs/registry.h"
#include "tools/cli_util.h"

namespace irlab {

int EnvsCommand(const Args& args) {
  FlagParser flags("envs",
                   "Lists every registered task with its observation and action sizes,\n"
                   "action range, env-step duration and horizon.");
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  std::printf("%-18s %7s %7s %14s %8s %8s\n", "task", "obs", "act", "act range", "dt", "horizon");
  for (const auto& name : EnvNames()) {
    auto env = MakeEnv(name);
    if (!env.ok()) return Fail("envs", env.status());
    const EnvSpec& s = (*env)->spec();
    char range[32];
    std::snprintf(range, sizeof(range), "[%g, %g]", s.act_low[0], s.act_high[0]);
    std::printf("%-18s %7d %7d %14s %8g %8d\n", name.c_str(), s.obs_dim, s.act_dim, range, s.dt,
                s.horizon);
  }
  return 0;
}

}  // namespace irlab
