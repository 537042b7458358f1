#include "core/gnuplot.h"

#include <cstdio>
#include <system_error>

#include "core/files.h"
#include "core/strings.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

// The end of gnuplot's output, for error messages.
std::string OutputTail(const CommandResult& result, size_t max_bytes = 2000) {
  std::string text = result.out + result.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

}  // namespace

std::string GnuplotDatablock(std::string_view name, int width, const std::vector<double>& values) {
  std::string out = StrCat("$", name, " << EOD\n");
  const int height = static_cast<int>(values.size()) / width;
  char buf[32];
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      std::snprintf(buf, sizeof(buf), x == 0 ? "%.6g" : " %.6g", values[y * width + x]);
      out += buf;
    }
    out += "\n";
  }
  return out + "EOD\n";
}

absl::StatusOr<CommandResult> RunGnuplot(const fs::path& script, double timeout_seconds) {
  const auto gnuplot = FindInPath("gnuplot");
  if (!gnuplot) return absl::FailedPreconditionError(kGnuplotMissing);
  return RunCapture({gnuplot->string(), script.string()}, "", timeout_seconds);
}

absl::Status DrawPng(const fs::path& png, const GnuplotScript& script) {
  if (!FindInPath("gnuplot")) {
    return absl::FailedPreconditionError(
        StrCat("cannot draw ", png.string(), ": ", kGnuplotMissing));
  }
  const fs::path tmp_png = fs::path(TempPathFor(png).string() + ".png");
  const fs::path script_path = fs::path(TempPathFor(png).string() + ".gp");
  absl::Status status = absl::UnavailableError("no terminal tried");
  // cairo draws nicer; the libgd png terminal is the fallback
  std::error_code ec;
  for (const char* terminal : {"pngcairo", "png"}) {
    status = WriteFileAtomically(script_path, script(terminal, tmp_png));
    if (!status.ok()) break;
    absl::StatusOr<CommandResult> run = RunGnuplot(script_path);
    if (run.ok() && run->exit_code == 0 && fs::file_size(tmp_png, ec) > 0 && !ec) {
      fs::rename(tmp_png, png, ec);
      status = ec ? absl::UnavailableError(StrCat(png.string(), ": rename failed: ", ec.message()))
                  : absl::OkStatus();
      break;
    }
    status = absl::UnavailableError(
        StrCat(png.string(), ": gnuplot (terminal ", terminal, ") failed",
               run.ok() ? StrCat(" with exit code ", run->exit_code, ": ", OutputTail(*run))
                        : StrCat(": ", run.status().message())));
  }
  fs::remove(script_path, ec);
  fs::remove(tmp_png, ec);
  return status;
}

}  // namespace irlab
