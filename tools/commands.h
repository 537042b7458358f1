// The irlab subcommands. Each takes its arguments (after the command name)
// and returns the process exit code; errors are printed, never thrown.
#pragma once

#include <string>
#include <vector>

namespace irlab {

using Args = std::vector<std::string>;

int DemoCommand(const Args& args);
int EnvsCommand(const Args& args);
int RolloutCommand(const Args& args);
int InspectCommand(const Args& args);
int ConvertCommand(const Args& args);
int ExpertCommand(const Args& args);
int EvalCommand(const Args& args);
int ExportCommand(const Args& args);
int CollectCommand(const Args& args);
int TrainCommand(const Args& args);
int TransferCommand(const Args& args);
int ReplayCommand(const Args& args);
int TabularCommand(const Args& args);
int SweepCommand(const Args& args);
int TableCommand(const Args& args);
int PlotCommand(const Args& args);
int ReproduceCommand(const Args& args);

}  // namespace irlab
