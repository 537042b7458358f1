#include "core/files.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace irlab {
namespace {

namespace fs = std::filesystem;

TEST(FilesTest, AtomicWriteReplacesWholeFileAndLeavesNoTemp) {
  const fs::path dir = fs::temp_directory_path() / "irlab_files_test";
  fs::remove_all(dir);
  ASSERT_TRUE(EnsureDirectory(dir).ok());
  const fs::path p = dir / "a.txt";
  ASSERT_TRUE(WriteFileAtomically(p, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(p, "second").ok());
  EXPECT_EQ(*ReadFile(p), "second");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1);
  fs::remove_all(dir);
}

TEST(FilesTest, ErrorsNameThePath) {
  auto missing = ReadFile("/nonexistent/file");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/file"), std::string::npos);
  auto dir = ReadFile(fs::temp_directory_path());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("directory"), std::string::npos);
  EXPECT_FALSE(WriteFileAtomically("/nonexistent/dir/x", "y").ok());
}

}  // namespace
}  // namespace irlab
