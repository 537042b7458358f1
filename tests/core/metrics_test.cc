#include "core/metrics.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/files.h"

namespace irlab {
namespace {

TEST(MetricsTest, WritesCsvAndJsonlAndAppendsOnReopen) {
  const auto dir = std::filesystem::temp_directory_path() / "irlab_metrics_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok());
    logger->Log(10, {{"return", 1.5}, {"loss", 0.25}});
  }
  {
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok());
    logger->Log(20, {{"loss", 0.125}, {"return", NAN}, {"extra", 3}});
  }
  EXPECT_EQ(*ReadFile(dir / "metrics.csv"), "step,return,loss\n10,1.5,0.25\n20,nan,0.125\n");
  EXPECT_EQ(*ReadFile(dir / "metrics.jsonl"),
            "{\"step\": 10, \"return\": 1.5, \"loss\": 0.25}\n"
            "{\"step\": 20, \"loss\": 0.125, \"return\": null, \"extra\": 3}\n");
  std::filesystem::remove_all(dir);
}

TEST(MetricsTest, ResumeDropsTheRowsPastTheCheckpoint) {
  const auto dir = std::filesystem::temp_directory_path() / "irlab_metrics_resume_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok());
    for (int64_t step : {10, 20, 30}) logger->Log(step, {{"loss", step / 10.0}});
  }
  {
    // the checkpoint was at step 20: step 30 is redone
    auto logger = MetricsLogger::Open(dir, false, 20);
    ASSERT_TRUE(logger.ok());
    logger->Log(30, {{"loss", 9}});
  }
  EXPECT_EQ(*ReadFile(dir / "metrics.csv"), "step,loss\n10,1\n20,2\n30,9\n");
  EXPECT_EQ(*ReadFile(dir / "metrics.jsonl"),
            "{\"step\": 10, \"loss\": 1}\n{\"step\": 20, \"loss\": 2}\n{\"step\": 30, \"loss\": 9}\n");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace irlab
