#include "core/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "core/files.h"

namespace irlab {
namespace {

TEST(JsonTest, NonFiniteNumbersAreWrittenAsNullAndReadBackAsNaN) {
  Json j;
  j["nan"] = std::nan("");
  j["inf"] = std::numeric_limits<double>::infinity();
  j["minus_inf"] = -std::numeric_limits<double>::infinity();
  j["x"] = 2.5;
  EXPECT_EQ(JsonText(j), R"({"nan":null,"inf":null,"minus_inf":null,"x":2.5})");
  const auto back = ParseJson(JsonText(j), "test");
  ASSERT_TRUE(back.ok());
  const auto scalars = JsonScalars(*back);
  ASSERT_EQ(scalars.size(), 4u);
  EXPECT_TRUE(std::isnan(scalars[0].second));
  EXPECT_EQ(scalars[3], (std::pair<std::string, double>("x", 2.5)));
}

TEST(JsonTest, DoublesRoundTripExactly) {
  const double values[] = {1.0 / 3.0,
                           0.1,
                           1e-310,
                           123456789.123456789,
                           -2.718281828459045,
                           std::numeric_limits<double>::max(),
                           5e-324};
  for (double v : values) {
    const auto back = ParseJson(JsonText(Json{{"v", v}}), "test");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(JsonNumber(*back, "v"), v) << JsonText(Json{{"v", v}});
  }
}

TEST(JsonTest, UnicodeEscapesAreDecoded) {
  const auto j = ParseJson(R"({"name": "caf\u00e9 \ud83d\ude00 \"q\"", "n": 1})", "test");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["name"].get<std::string>(), "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"");
  // and strings with quotes, backslashes and control characters survive a round trip
  const std::string odd = "a\"b\\c\nd\te\x01";
  const auto back = ParseJson(JsonText(Json{{"s", odd}}), "test");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)["s"].get<std::string>(), odd);
}

TEST(JsonTest, MalformedTextIsAnErrorNamingTheFile) {
  const auto j = ParseJson("{\"a\": 1,", "runs/x/eval.json");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("runs/x/eval.json"), std::string::npos);
  const auto missing = ReadJsonFile("/nonexistent/irlab/eval.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/irlab/eval.json"), std::string::npos);
}

TEST(JsonTest, FileRoundTripKeepsKeyOrderAndTypes) {
  const auto path = std::filesystem::temp_directory_path() / "irlab_json_test.json";
  Json j;
  j["env"] = "Hopper";
  j["episodes"] = 20;
  j["deterministic"] = true;
  j["return_mean"] = 3210.123456789012;
  j["returns"] = {1.5, std::nan(""), 2.0};
  ASSERT_TRUE(WriteJsonFile(path, j).ok());
  const auto back = ReadJsonFile(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->begin().key(), "env");
  EXPECT_EQ((*back)["episodes"].get<int64_t>(), 20);
  EXPECT_EQ(JsonNumber(*back, "return_mean"), 3210.123456789012);
  EXPECT_TRUE((*back)["returns"][1].is_null());
  EXPECT_EQ(JsonNumber(*back, "deterministic"), 1.0);
  EXPECT_EQ(JsonNumber(*back, "env"), std::nullopt);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace irlab
