#include "core/files.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/strings.h"

namespace irlab {

namespace fs = std::filesystem;

fs::path TempPathFor(const fs::path& final_path) {
  return final_path.parent_path() /
         StrCat(".", final_path.filename().string(), ".tmp.", ::getpid());
}

int RemoveStaleTempFiles(const fs::path& final_path) {
  const fs::path parent =
      final_path.parent_path().empty() ? fs::path(".") : final_path.parent_path();
  const std::string prefix = StrCat(".", final_path.filename().string(), ".tmp.");
  std::error_code ec;
  int removed = 0;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const size_t digits_end = name.find_first_not_of("0123456789", prefix.size());
    const std::string digits = name.substr(prefix.size(), digits_end - prefix.size());
    if (digits.empty() || digits.size() > 9) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid == ::getpid() || pid <= 0) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // running (or not ours to judge)
    std::error_code remove_ec;
    if (fs::remove_all(entry.path(), remove_ec) > 0 && !remove_ec) ++removed;
  }
  return removed;
}

absl::Status WriteFileAtomically(const fs::path& path, std::string_view contents) {
  const fs::path tmp = TempPathFor(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(
        StrCat(path.string(), ": cannot create ", tmp.string(), ": ", std::strerror(errno)));
  }
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return absl::UnavailableError(StrCat(path.string(), ": write failed: ", std::strerror(err)));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return absl::UnavailableError(StrCat(path.string(), ": flush failed: ", std::strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return absl::UnavailableError(StrCat(path.string(), ": rename failed: ", std::strerror(err)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return absl::InvalidArgumentError(StrCat(path.string(), ": is a directory, not a file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(StrCat(path.string(), ": cannot open: ", std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return absl::DataLossError(StrCat(path.string(), ": read failed"));
  return ss.str();
}

absl::Status EnsureDirectory(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return absl::AlreadyExistsError(StrCat(dir.string(), ": exists and is not a directory"));
  }
  fs::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(StrCat(dir.string(), ": cannot create: ", ec.message()));
  return absl::OkStatus();
}

}  // namespace irlab
