#include "algos/ppo/checkpoint.h"

#include <algorithm>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"
#include "core/zip_check.h"

namespace irlab {
namespace fs = std::filesystem;
namespace {

using torch::serialize::InputArchive;
using torch::serialize::OutputArchive;

torch::Tensor I64(const std::vector<int64_t>& v) { return torch::tensor(v, torch::kInt64); }
torch::Tensor F64(const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64); }
torch::Tensor Widths(const std::vector<int>& v) {
  return I64(std::vector<int64_t>(v.begin(), v.end()));
}

template <class T>
std::vector<T> ToVector(const torch::Tensor& t) {
  torch::Tensor c = t.contiguous();
  return std::vector<T>(c.data_ptr<T>(), c.data_ptr<T>() + c.numel());
}

}  // namespace

bool TensorFitsStorage(const torch::Tensor& t) {
  if (!t.defined()) return false;
  if (t.numel() == 0) return true;
  if (!t.has_storage() || t.storage_offset() < 0) return false;
  int64_t last = t.storage_offset();  // the highest element addressed
  for (int64_t d = 0; d < t.dim(); ++d) {
    int64_t span = 0;
    if (t.stride(d) < 0 || __builtin_mul_overflow(t.size(d) - 1, t.stride(d), &span) ||
        __builtin_add_overflow(last, span, &last)) {
      return false;
    }
  }
  int64_t bytes = 0;
  if (__builtin_mul_overflow(last + 1, static_cast<int64_t>(t.element_size()), &bytes))
    return false;
  return bytes <= static_cast<int64_t>(t.storage().nbytes());
}

namespace {

// Reads one entry; the error names the file and the entry.
struct Reader {
  InputArchive& archive;
  const fs::path& path;

  absl::StatusOr<torch::Tensor> Tensor(const std::string& key, torch::ScalarType type) {
    torch::Tensor t;
    if (!archive.try_read(key, t)) {
      return absl::DataLossError(StrCat(path.string(), ": checkpoint has no entry '", key, "'"));
    }
    if (t.scalar_type() != type) {
      return absl::DataLossError(StrCat(path.string(), ": entry '", key, "' has the wrong type"));
    }
    if (!TensorFitsStorage(t)) {
      return absl::DataLossError(
          StrCat(path.string(), ": entry '", key, "' is larger than its data"));
    }
    return t;
  }
  absl::StatusOr<std::string> String(const std::string& key) {
    c10::IValue v;
    if (!archive.try_read(key, v) || !v.isString()) {
      return absl::DataLossError(
          StrCat(path.string(), ": checkpoint has no text entry '", key, "'"));
    }
    return v.toStringRef();
  }
};

void WritePolicy(OutputArchive& a, const PolicyState& p) {
  a.write("policy/env_name", c10::IValue(p.env_name));
  a.write("policy/dims", I64({p.net->obs_dim(), p.net->act_dim()}));
  a.write("policy/actor_hidden", Widths(p.actor_hidden));
  a.write("policy/critic_hidden", Widths(p.critic_hidden));
  a.write("policy/params", p.net->flat_params().detach().clone());
  a.write("policy/obs_mean", F64(p.obs_rms.mean()));
  a.write("policy/obs_var", F64(p.obs_rms.var()));
  a.write("policy/obs_count", F64({p.obs_rms.count()}));
  a.write("policy/obs_norm", F64({p.norm_obs ? 1.0 : 0.0, p.obs_clip}));
}

absl::StatusOr<PolicyState> ReadPolicy(Reader& r) {
  PolicyState p;
  IRLAB_ASSIGN_OR_RETURN(p.env_name, r.String("policy/env_name"));
  IRLAB_ASSIGN_OR_RETURN(torch::Tensor dims, r.Tensor("policy/dims", torch::kInt64));
  IRLAB_ASSIGN_OR_RETURN(torch::Tensor actor_hidden,
                         r.Tensor("policy/actor_hidden", torch::kInt64));
  IRLAB_ASSIGN_OR_RETURN(torch::Tensor critic_hidden,
                         r.Tensor("policy/critic_hidden", torch::kInt64));
  IRLAB_ASSIGN_OR_RETURN(torch::Tensor params, r.Tensor("policy/params", torch::kFloat32));
  IRLAB_ASSIGN_OR_RETURN(torch::Tensor mean, r.Tensor("policy/obs_mean", torch::kFloat64));
  IRLAB_ASSIGN_OR_RETURN(torch::Tensor var, r.Tensor("policy/obs_var", torch::kFloat64));
  IRLAB_ASSIGN_OR_RETURN(torch::Tensor count, r.Tensor("policy/obs_count", torch::kFloat64));
  IRLAB_ASSIGN_OR_RETURN(torch::Tensor norm, r.Tensor("policy/obs_norm", torch::kFloat64));
  const auto d = ToVector<int64_t>(dims);
  for (const auto& [name, widths] :
       {std::pair{"actor", &actor_hidden}, std::pair{"critic", &critic_hidden}}) {
    for (int64_t w : ToVector<int64_t>(*widths)) {
      if (w < 1 || w > 65536)
        return absl::DataLossError(StrCat(r.path.string(), ": bad ", name, " width"));
    }
  }
  if (d.size() != 2 || d[0] < 1 || d[1] < 1 || d[0] > 100000 || d[1] > 100000 ||
      mean.numel() != d[0] || var.numel() != d[0] || count.numel() != 1 || norm.numel() != 2) {
    return absl::DataLossError(StrCat(r.path.string(), ": inconsistent policy dimensions"));
  }
  for (int64_t w : ToVector<int64_t>(actor_hidden)) p.actor_hidden.push_back(static_cast<int>(w));
  for (int64_t w : ToVector<int64_t>(critic_hidden)) p.critic_hidden.push_back(static_cast<int>(w));
  p.net = std::make_unique<ActorCritic>(d[0], d[1], p.actor_hidden, p.critic_hidden, 0.0, 0);
  if (params.numel() != p.net->flat_params().numel()) {
    return absl::DataLossError(StrCat(r.path.string(), ": 'policy/params' has ", params.numel(),
                                      " values, the network needs ", p.net->flat_params().numel()));
  }
  if (!torch::isfinite(params).all().item<bool>()) {
    return absl::DataLossError(StrCat(r.path.string(), ": 'policy/params' holds NaN or Inf"));
  }
  {
    torch::NoGradGuard no_grad;
    p.net->flat_params().copy_(params);
  }
  p.obs_rms = RunningMeanStd(static_cast<int>(d[0]));
  p.obs_rms.Set(ToVector<double>(mean), ToVector<double>(var), count.item<double>());
  const auto n = ToVector<double>(norm);
  p.norm_obs = n[0] != 0.0;
  p.obs_clip = n[1];
  return p;
}

}  // namespace

std::string LastGoodCheckpoint(const fs::path& checkpoint) {
  std::error_code ec;
  if (!fs::exists(checkpoint, ec))
    return StrCat("no checkpoint was saved yet (", checkpoint.string(), ")");
  if (absl::Status s = VerifyZipFile(checkpoint); !s.ok()) {
    return StrCat("and no good checkpoint is left: ", s.message());
  }
  return StrCat("the last good checkpoint is ", checkpoint.string());
}

absl::Status RunStopped(const absl::Status& why, int64_t step, const fs::path& checkpoint) {
  return absl::Status(why.code(), StrCat(why.message(), " at env step ", step,
                                         "; training stopped, ", LastGoodCheckpoint(checkpoint)));
}

namespace {

// What a run stopped while copying left under checkpoints/: the temporary copy
// of any step, not only of the next one (a run resumed from an earlier
// checkpoint does not write the failed step's copy again).
void RemoveStaleCopies(const fs::path& dir) {
  std::vector<fs::path> finals;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const size_t tmp = name.find(".tmp.");
    if (name.rfind(".step_", 0) == 0 && tmp != std::string::npos) {
      finals.push_back(dir / name.substr(1, tmp - 1));
    }
  }
  for (const fs::path& final_path : finals) RemoveStaleTempFiles(final_path);
}

}  // namespace

absl::Status KeepCheckpointCopy(const fs::path& checkpoint, int64_t step) {
  const fs::path copy = checkpoint.parent_path() / "checkpoints" / StrCat("step_", step, ".pt");
  RemoveStaleCopies(copy.parent_path());
  IRLAB_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(checkpoint));
  if (absl::Status s = WriteFileAtomically(copy, bytes); !s.ok()) {
    return absl::UnavailableError(
        StrCat(copy.string(), ": cannot keep a copy of the checkpoint: ", s.message()));
  }
  return absl::OkStatus();
}

fs::path CheckpointPath(const fs::path& run_or_file) {
  std::error_code ec;
  if (fs::is_directory(run_or_file, ec)) return run_or_file / "checkpoint.pt";
  return run_or_file;
}

absl::StatusOr<fs::path> CheckpointAtStep(const fs::path& run_dir, int64_t step) {
  std::vector<int64_t> steps;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(run_dir / "checkpoints", ec)) {
    const std::string name = entry.path().filename().string();
    int64_t n = 0;
    if (name.rfind("step_", 0) == 0 && entry.path().extension() == ".pt" &&
        absl::SimpleAtoi(name.substr(5, name.size() - 8), &n)) {
      steps.push_back(n);
    }
  }
  if (ec) return absl::NotFoundError(StrCat(run_dir.string(), "/checkpoints: ", ec.message()));
  std::sort(steps.begin(), steps.end());
  auto it = std::upper_bound(steps.begin(), steps.end(), step);
  if (it == steps.begin()) {
    return absl::NotFoundError(
        StrCat(run_dir.string(), ": no checkpoint at or before step ", step, " (it has ",
               steps.empty() ? std::string("none") : absl::StrJoin(steps, ", "),
               "; `checkpoint_every` sets how often they are kept)"));
  }
  return run_dir / "checkpoints" / StrCat("step_", *(it - 1), ".pt");
}

absl::Status SavePpoCheckpoint(const fs::path& path, const PpoTrainState& s,
                               const CheckpointWriter& extra) {
  OutputArchive a;
  WritePolicy(a, s.policy);
  a.write("ppo/adam_m", s.adam->m.clone());
  a.write("ppo/adam_v", s.adam->v.clone());
  a.write("ppo/adam_steps", I64({s.adam->steps}));
  const RewardScaler& scaler = s.reward_scaler;
  a.write("ppo/return_mean", F64(scaler.stats().mean()));
  a.write("ppo/return_var", F64(scaler.stats().var()));
  a.write("ppo/return_count", F64({scaler.stats().count()}));
  a.write("ppo/returns", F64(scaler.returns()));
  a.write("run/config", c10::IValue(s.config_toml));
  a.write("run/counters", I64({s.global_step, s.iteration}));
  const Rng::State& rng = s.rng.state();
  a.write("run/rng", I64({static_cast<int64_t>(rng.s[0]), static_cast<int64_t>(rng.s[1]),
                          static_cast<int64_t>(rng.s[2]), static_cast<int64_t>(rng.s[3]),
                          rng.has_spare ? 1 : 0}));
  a.write("run/rng_spare", F64({rng.spare}));
  // the VecEnv, env by env
  const VecEnvState& e = s.envs;
  std::vector<double> qpos, qvel, ctrl;
  std::vector<int64_t> sizes, counts, lengths, elapsed;
  for (size_t i = 0; i < e.envs.size(); ++i) {
    const EnvState& st = e.envs[i];
    qpos.insert(qpos.end(), st.qpos.begin(), st.qpos.end());
    qvel.insert(qvel.end(), st.qvel.begin(), st.qvel.end());
    ctrl.insert(ctrl.end(), st.ctrl.begin(), st.ctrl.end());
    sizes.insert(sizes.end(),
                 {static_cast<int64_t>(st.qpos.size()), static_cast<int64_t>(st.qvel.size()),
                  static_cast<int64_t>(st.ctrl.size())});
    counts.push_back(static_cast<int64_t>(e.episode_count[i]));
    lengths.push_back(e.running_length[i]);
    elapsed.push_back(st.elapsed_steps);
  }
  a.write("run/env_seed", I64({static_cast<int64_t>(e.seed)}));
  a.write("run/env_sizes", I64(sizes));
  a.write("run/env_qpos", F64(qpos));
  a.write("run/env_qvel", F64(qvel));
  a.write("run/env_ctrl", F64(ctrl));
  a.write("run/env_episode_count", I64(counts));
  a.write("run/env_running_length", I64(lengths));
  a.write("run/env_elapsed", I64(elapsed));
  a.write("run/env_running_return", F64(e.running_return));
  if (extra) extra(a);

  RemoveStaleTempFiles(path);  // what a killed run left
  // serialised in memory, then written, flushed and renamed by irlab: LibTorch
  // writing a file itself ends a full disk in a throwing destructor (abort)
  std::ostringstream bytes;
  try {
    a.save_to(bytes);
  } catch (const std::exception& ex) {
    return absl::InternalError(StrCat(path.string(), ": cannot serialise checkpoint: ", ex.what(),
                                      "; ", LastGoodCheckpoint(path)));
  }
  if (absl::Status s = WriteFileAtomically(path, bytes.view()); !s.ok()) {
    // the write went to a temporary file: the one at `path` is untouched
    return absl::UnavailableError(StrCat(path.string(), ": cannot write checkpoint: ", s.message(),
                                         "; ", LastGoodCheckpoint(path)));
  }
  return absl::OkStatus();
}

absl::Status OpenCheckpoint(const fs::path& path, InputArchive& archive) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    return absl::NotFoundError(StrCat(path.string(), ": no such checkpoint"));
  if (fs::is_directory(path, ec))
    return absl::InvalidArgumentError(StrCat(path.string(), ": is a directory"));
  // every entry's CRC-32 first: LibTorch would load flipped bits as they are
  IRLAB_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  IRLAB_RETURN_IF_ERROR(VerifyZipBytes(bytes, path.string()));
  try {
    std::istringstream stream(bytes);
    archive.load_from(stream);
  } catch (const std::exception& ex) {
    return absl::DataLossError(
        StrCat(path.string(), ": not a readable checkpoint (truncated or corrupt)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PolicyState> LoadPolicy(const fs::path& path) {
  InputArchive archive;
  IRLAB_RETURN_IF_ERROR(OpenCheckpoint(path, archive));
  Reader r{archive, path};
  try {
    return ReadPolicy(r);
  } catch (const std::exception& ex) {
    return absl::DataLossError(StrCat(path.string(), ": corrupt checkpoint"));
  }
}

absl::StatusOr<PpoTrainState> LoadPpoCheckpoint(const fs::path& path,
                                                const CheckpointReader& extra) {
  InputArchive archive;
  IRLAB_RETURN_IF_ERROR(OpenCheckpoint(path, archive));
  Reader r{archive, path};
  try {
    PpoTrainState s;
    IRLAB_ASSIGN_OR_RETURN(s.policy, ReadPolicy(r));
    const int64_t p = s.policy.net->flat_params().numel();
    s.adam = std::make_unique<FlatAdam>(p);
    IRLAB_ASSIGN_OR_RETURN(s.adam->m, r.Tensor("ppo/adam_m", torch::kFloat32));
    IRLAB_ASSIGN_OR_RETURN(s.adam->v, r.Tensor("ppo/adam_v", torch::kFloat32));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor steps, r.Tensor("ppo/adam_steps", torch::kInt64));
    if (s.adam->m.numel() != p || s.adam->v.numel() != p || steps.numel() != 1) {
      return absl::DataLossError(
          StrCat(path.string(), ": optimiser state does not match the network"));
    }
    s.adam->m = s.adam->m.contiguous();
    s.adam->v = s.adam->v.contiguous();
    s.adam->steps = steps.item<int64_t>();
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor rmean, r.Tensor("ppo/return_mean", torch::kFloat64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor rvar, r.Tensor("ppo/return_var", torch::kFloat64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor rcount, r.Tensor("ppo/return_count", torch::kFloat64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor returns, r.Tensor("ppo/returns", torch::kFloat64));
    s.reward_scaler = RewardScaler(static_cast<int>(returns.numel()), 0.99);
    s.reward_scaler.stats().Set(ToVector<double>(rmean), ToVector<double>(rvar),
                                rcount.item<double>());
    s.reward_scaler.returns() = ToVector<double>(returns);
    IRLAB_ASSIGN_OR_RETURN(s.config_toml, r.String("run/config"));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor counters, r.Tensor("run/counters", torch::kInt64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor rng, r.Tensor("run/rng", torch::kInt64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor spare, r.Tensor("run/rng_spare", torch::kFloat64));
    if (counters.numel() != 2 || rng.numel() != 5 || spare.numel() != 1) {
      return absl::DataLossError(StrCat(path.string(), ": bad counters or RNG state"));
    }
    s.global_step = counters[0].item<int64_t>();
    s.iteration = counters[1].item<int64_t>();
    const auto words = ToVector<int64_t>(rng);
    Rng::State rs;
    for (int i = 0; i < 4; ++i) rs.s[i] = static_cast<uint64_t>(words[i]);
    rs.has_spare = words[4] != 0;
    rs.spare = spare.item<double>();
    s.rng.set_state(rs);

    IRLAB_ASSIGN_OR_RETURN(torch::Tensor seed, r.Tensor("run/env_seed", torch::kInt64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor sizes_t, r.Tensor("run/env_sizes", torch::kInt64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor qpos_t, r.Tensor("run/env_qpos", torch::kFloat64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor qvel_t, r.Tensor("run/env_qvel", torch::kFloat64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor ctrl_t, r.Tensor("run/env_ctrl", torch::kFloat64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor counts_t,
                           r.Tensor("run/env_episode_count", torch::kInt64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor lengths_t,
                           r.Tensor("run/env_running_length", torch::kInt64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor elapsed_t, r.Tensor("run/env_elapsed", torch::kInt64));
    IRLAB_ASSIGN_OR_RETURN(torch::Tensor ret_t,
                           r.Tensor("run/env_running_return", torch::kFloat64));
    const auto sizes = ToVector<int64_t>(sizes_t);
    const auto qpos = ToVector<double>(qpos_t), qvel = ToVector<double>(qvel_t),
               ctrl = ToVector<double>(ctrl_t);
    const auto counts = ToVector<int64_t>(counts_t), lengths = ToVector<int64_t>(lengths_t);
    const auto elapsed = ToVector<int64_t>(elapsed_t);
    const size_t n = counts.size();
    if (sizes.size() != 3 * n || lengths.size() != n || elapsed.size() != n ||
        static_cast<size_t>(ret_t.numel()) != n) {
      return absl::DataLossError(StrCat(path.string(), ": inconsistent env state"));
    }
    s.envs.seed = static_cast<uint64_t>(seed.item<int64_t>());
    s.envs.running_return = ToVector<double>(ret_t);
    size_t op = 0, ov = 0, oc = 0;
    for (size_t i = 0; i < n; ++i) {
      EnvState st;
      const auto nq = sizes[3 * i], nv = sizes[3 * i + 1], nu = sizes[3 * i + 2];
      if (op + nq > qpos.size() || ov + nv > qvel.size() || oc + nu > ctrl.size() || nq < 0 ||
          nv < 0 || nu < 0) {
        return absl::DataLossError(StrCat(path.string(), ": inconsistent env state sizes"));
      }
      st.qpos.assign(qpos.begin() + op, qpos.begin() + op + nq);
      st.qvel.assign(qvel.begin() + ov, qvel.begin() + ov + nv);
      st.ctrl.assign(ctrl.begin() + oc, ctrl.begin() + oc + nu);
      op += nq;
      ov += nv;
      oc += nu;
      st.elapsed_steps = static_cast<int>(elapsed[i]);
      s.envs.envs.push_back(std::move(st));
      s.envs.episode_count.push_back(static_cast<uint64_t>(counts[i]));
      s.envs.running_length.push_back(static_cast<int>(lengths[i]));
    }
    if (extra) IRLAB_RETURN_IF_ERROR(extra(archive));
    return s;
  } catch (const std::exception& ex) {
    return absl::DataLossError(StrCat(path.string(), ": corrupt checkpoint: ", ex.what()));
  }
}

}  // namespace irlab
