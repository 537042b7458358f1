// The irlab subcommands. Each takes its arguments (after the command name)
// and returns the process exit code; errors are printed, never thrown.
#pragma once

#include <string>
#include <vector>

namespace irlab {

using Args = std::vector<std::string>;

int EnvsCommand(const Args& args);
int RolloutCommand(const Args& args);
int ExpertCommand(const Args& args);
int EvalCommand(const Args& args);

}  // namespace irlab
