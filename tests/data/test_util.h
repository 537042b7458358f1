// Synthetic demonstration files for the data tests. Transition rows encode
// where they come from: observations[g][0] is the global row index g,
// observations[g][1] the episode index, so a sampled row can be identified.
#pragma once

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/strings.h"
#include "data/demo_file.h"
#include "data/demo_writer.h"
#include "gtest/gtest.h"
#include "tests/util/test_util.h"

namespace irlab::testing {

inline DemoMetadata TestMetadata(int obs_dim = 3, int act_dim = 2, int nq = 2, int nv = 2) {
  DemoMetadata m;
  m.task = "Synthetic";
  m.obs_dim = obs_dim;
  m.act_dim = act_dim;
  m.nq = nq;
  m.nv = nv;
  m.dt = 0.05;
  m.horizon = 1000;
  m.act_low.assign(act_dim, -1.0);
  m.act_high.assign(act_dim, 1.0);
  m.env_options = "horizon = 0\n";
  m.policy_run = "runs/expert";
  m.config_hash = "0123456789abcdef";
  m.source = "test";
  return m;
}

// Observation of step t of episode e, whose first row is `start`.
inline void SyntheticObs(const DemoMetadata& m, int64_t start, int64_t e, int64_t t, float* out) {
  out[0] = static_cast<float>(start + t);
  if (m.obs_dim > 1) out[1] = static_cast<float>(e);
  for (int j = 2; j < m.obs_dim; ++j) out[j] = static_cast<float>(std::sin(0.1 * (start + t) + j));
}

// Episode e of `length` steps starting at global row `start`; ends by
// termination or by the time limit.
inline Episode MakeEpisode(const DemoMetadata& m, int64_t start, int64_t e, int length,
                           bool terminal, bool final_state = true) {
  Episode ep;
  std::vector<float> obs(m.obs_dim), next(m.obs_dim), act(m.act_dim);
  std::vector<double> qpos(m.nq), qvel(m.nv);
  for (int t = 0; t < length; ++t) {
    SyntheticObs(m, start, e, t, obs.data());
    SyntheticObs(m, start, e, t + 1, next.data());
    for (int j = 0; j < m.act_dim; ++j)
      act[j] = static_cast<float>(std::cos(0.3 * (start + t) + j));
    for (int j = 0; j < m.nq; ++j) qpos[j] = 0.001 * (start + t) + j;
    for (int j = 0; j < m.nv; ++j) qvel[j] = -0.002 * (start + t) - j;
    const bool last = t == length - 1;
    ep.AddStep(obs, act, 0.5f + 0.25f * static_cast<float>(t % 4), next, last && terminal,
               last && !terminal, qpos, qvel);
  }
  if (final_state) {
    for (int j = 0; j < m.nq; ++j) ep.final_qpos.push_back(0.001 * (start + length) + j);
    for (int j = 0; j < m.nv; ++j) ep.final_qvel.push_back(-0.002 * (start + length) - j);
  }
  ep.seed = 1000 + static_cast<uint64_t>(e);
  return ep;
}

// Writes episodes of the given lengths (every third terminates, the others
// time out) to `path`.
inline void WriteTestFile(const std::filesystem::path& path, const std::vector<int>& lengths,
                          const DemoMetadata& m = TestMetadata(), bool final_state = true) {
  auto writer = DemoWriter::Create(path, m, {.overwrite = true});
  ASSERT_TRUE(writer.ok()) << writer.status();
  int64_t start = 0;
  for (size_t e = 0; e < lengths.size(); ++e) {
    const Episode ep =
        MakeEpisode(m, start, static_cast<int64_t>(e), lengths[e], e % 3 == 0, final_state);
    ASSERT_TRUE((*writer)->Append(ep).ok());
    start += lengths[e];
  }
  ASSERT_TRUE((*writer)->Close().ok());
}

}  // namespace irlab::testing
