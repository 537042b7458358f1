#include "core/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/files.h"
#include "core/json.h"

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
  EXPECT_EQ(*ReadFile(dir / "metrics.csv"), "step,return,loss,extra\n10,1.5,0.25,\n20,nan,0.125,3\n");
  EXPECT_EQ(*ReadFile(dir / "metrics.jsonl"),
            "{\"step\":10,\"return\":1.5,\"loss\":0.25}\n"
            "{\"step\":20,\"loss\":0.125,\"return\":null,\"extra\":3.0}\n");
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
            "{\"step\":10,\"loss\":1.0}\n{\"step\":20,\"loss\":2.0}\n{\"step\":30,\"loss\":9.0}\n");
  std::filesystem::remove_all(dir);
}

TEST(MetricsTest, AKeyFirstLoggedLaterGetsAColumnAndOlderRowsAreEmptyThere) {
  const auto dir = std::filesystem::temp_directory_path() / "irlab_metrics_widen_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok());
    logger->Log(1, {{"loss", 0.5}});
    logger->Log(2, {{"loss", 0.25}, {"eval_return", -120.5}});
    logger->Log(3, {{"loss", 0.125}});
  }
  {
    // a resumed run keeps widening the same file
    auto logger = MetricsLogger::Open(dir, false, 3);
    ASSERT_TRUE(logger.ok());
    logger->Log(4, {{"loss", 1}, {"eval_normalized_score", 0.75}});
  }
  EXPECT_EQ(*ReadFile(dir / "metrics.csv"),
            "step,loss,eval_return,eval_normalized_score\n"
            "1,0.5,,\n2,0.25,-120.5,\n3,0.125,,\n4,1,,0.75\n");
  std::filesystem::remove_all(dir);
}

TEST(MetricsTest, NumbersKeepFullPrecision) {
  const auto dir = std::filesystem::temp_directory_path() / "irlab_metrics_precision_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const double third = 1.0 / 3.0, big = 123456789.123456789;
  {
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok());
    logger->Log(7, {{"a", third}, {"b", big}, {"c", INFINITY}});
  }
  const std::string csv = *ReadFile(dir / "metrics.csv");
  const std::string row = csv.substr(csv.find('\n') + 1);
  double a = 0, b = 0;
  ASSERT_EQ(std::sscanf(row.c_str(), "7,%lf,%lf,nan", &a, &b), 2) << row;
  EXPECT_EQ(a, third);
  EXPECT_EQ(b, big);
  const auto jsonl = ParseJson(*ReadFile(dir / "metrics.jsonl"), "metrics.jsonl");
  ASSERT_TRUE(jsonl.ok());
  EXPECT_EQ((*jsonl)["a"].get<double>(), third);
  EXPECT_EQ((*jsonl)["b"].get<double>(), big);
  EXPECT_TRUE((*jsonl)["c"].is_null());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace irlab
