#include "core/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace irlab {
namespace {

std::string Contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  for (int c; (c = std::fgetc(f)) != EOF;) text += static_cast<char>(c);
  return text;
}

TEST(ProgressTest, FormatsStepsPercentRateEtaAndHeadline) {
  ProgressSnapshot p{"expert Hopper", "steps", 250000,
                     1000000,         50.0,    {{"return", 812.54}, {"score", 0.61234}}};
  EXPECT_EQ(FormatProgress(p, false),
            "expert Hopper 250000/1000000 steps  25%  5000 steps/s  eta 2m30s  return 812.5  score "
            "0.6123");
  EXPECT_EQ(FormatProgress(p, true).substr(0, 36), "expert Hopper [#####...............]");
  EXPECT_EQ(FormatProgress(p, false, true),
            "expert Hopper 250000/1000000 steps  25%  5000 steps/s  took 50s  return 812.5  score "
            "0.6123");
  p.elapsed_seconds = 0;  // no rate yet
  EXPECT_NE(FormatProgress(p, false).find("eta ?"), std::string::npos);
}

TEST(ProgressTest, FormatsDurations) {
  EXPECT_EQ(FormatDuration(4.6), "5s");
  EXPECT_EQ(FormatDuration(185), "3m05s");
  EXPECT_EQ(FormatDuration(7620), "2h07m");
  EXPECT_EQ(FormatDuration(-1), "?");
}

TEST(ProgressTest, HeadlineKeepsTheLatestOfEachNumber) {
  std::vector<std::pair<std::string, double>> fields;
  UpdateHeadline({{"episode_return", 10},
                  {"normalized_score", 0.1},
                  {"disc_expert_acc", 0.8},
                  {"disc_policy_acc", 0.6},
                  {"policy_loss", 3}},
                 fields);
  UpdateHeadline({{"eval_return", 50}, {"eval_normalized_score", 0.5}}, fields);
  UpdateHeadline({{"episode_return", 12}}, fields);
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0], (std::pair<std::string, double>("return", 12)));
  EXPECT_EQ(fields[1], (std::pair<std::string, double>("score", 0.5)));
  EXPECT_EQ(fields[2].first, "disc_acc");
  EXPECT_DOUBLE_EQ(fields[2].second, 0.7);
  EXPECT_EQ(fields[3], (std::pair<std::string, double>("eval", 50)));
}

TEST(ProgressTest, LinesModePrintsPlainLinesAndAClosingOne) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressBar bar("train", 100, "steps", {ProgressBar::Mode::kLines, 0.0, out});
    bar.Update(50, {{"episode_return", 1.5}});
    bar.Update(100);
    bar.Finish();
  }
  const std::string text = Contents(out);
  std::fclose(out);
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_NE(text.find("train 50/100 steps  50%"), std::string::npos) << text;
  EXPECT_NE(text.find("return 1.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("train 100/100 steps 100%"), std::string::npos) << text;
  EXPECT_NE(text.find("took"), std::string::npos) << text;
}

TEST(ProgressTest, ShortJobsInLinesModeStaySilent) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressBar bar("collect", 10, "episodes", {ProgressBar::Mode::kLines, 10.0, out});
    for (int i = 1; i <= 10; ++i) bar.Update(i);
    bar.Finish();
  }
  EXPECT_EQ(Contents(out), "");
  std::fclose(out);
}

TEST(ProgressTest, TerminalModeRedrawsOneLine) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressBar bar("expert", 10, "steps", {ProgressBar::Mode::kTerminal, 10.0, out});
    bar.Update(10);
    bar.Finish();
  }
  const std::string text = Contents(out);
  std::fclose(out);
  EXPECT_EQ(text.front(), '\r');
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("[####################] 10/10 steps 100%"), std::string::npos) << text;
}

}  // namespace
}  // namespace irlab
