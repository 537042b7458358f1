#include "algos/export/export.h"

#include <torch/script.h>

#include "algos/adversarial/learned_reward.h"
#include "algos/ppo/checkpoint.h"
#include "core/files.h"
#include "core/json.h"
#include "core/status.h"
#include "core/strings.h"
#include "data/demo_format.h"
#include "envs/registry.h"

namespace irlab {
namespace fs = std::filesystem;
namespace {

// What every module records about where it came from.
struct Provenance {
  std::string task, what, algo, config_hash, env_options;
  int obs_dim = 0, act_dim = 0;
  int64_t step = 0;
  std::vector<double> act_low, act_high;
  fs::path run, checkpoint;
};

// The run's config.toml: its [env_options] as TOML, and the hash irlab collect
// records as config_hash (FNV-1a of the file's bytes).
struct RunConfig {
  EnvOptions env_options;
  std::string env_options_toml, hash;
};

absl::StatusOr<RunConfig> ReadRunConfig(const fs::path& run_dir) {
  RunConfig out;
  IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(run_dir / "config.toml"));
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(h));
  out.hash = hex;
  IRLAB_RETURN_IF_ERROR(ApplyRunEnvOptions(run_dir, out.env_options));
  out.env_options_toml = ConfigSchema::For(out.env_options).ToToml();
  return out;
}

Json MetadataJson(const Provenance& p) {
  return Json{{"format", "irlab-export"},
              {"what", p.what},
              {"task", p.task},
              {"algo", p.algo},
              {"obs_dim", p.obs_dim},
              {"act_dim", p.act_dim},
              {"act_low", p.act_low},
              {"act_high", p.act_high},
              {"env_steps", p.step},
              {"irlab_version", std::string(IrlabVersion())},
              {"config_hash", p.config_hash},
              {"env_options", p.env_options},
              {"run", fs::absolute(p.run).lexically_normal().string()},
              {"checkpoint", fs::absolute(p.checkpoint).lexically_normal().string()}};
}

// metadata: every value of the JSON as text (numbers and arrays in JSON).
void RegisterMetadata(torch::jit::Module& m, const Json& metadata) {
  c10::Dict<std::string, std::string> dict;
  for (const auto& [k, v] : metadata.items())
    dict.insert(k, v.is_string() ? v.get<std::string>() : JsonText(v));
  m.register_attribute("metadata",
                       c10::DictType::create(c10::StringType::get(), c10::StringType::get()), dict);
}

torch::Tensor F64(const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64); }
torch::Tensor F32(const std::vector<double>& v) {
  return torch::tensor(v, torch::kFloat64).to(torch::kFloat32);
}

// An MLP module over weights [out, in] and biases [out]: layers fc0, fc1, ...,
// `activation` ("tanh" or "relu") between them, none after the last.
torch::jit::Module MlpModule(const std::string& name, const std::vector<torch::Tensor>& weights,
                             const std::vector<torch::Tensor>& biases,
                             const std::string& activation,
                             const std::shared_ptr<torch::jit::CompilationUnit>& cu) {
  torch::jit::Module mlp(c10::QualifiedName(StrCat("__torch__.irlab.", name)), cu);
  std::string body = "def forward(self, x: Tensor) -> Tensor:\n";
  for (size_t i = 0; i < weights.size(); ++i) {
    torch::jit::Module layer(c10::QualifiedName(StrCat("__torch__.irlab.", name, "_fc", i)), cu);
    layer.register_parameter("weight", weights[i].detach().clone().contiguous(), false);
    layer.register_parameter("bias", biases[i].detach().clone().contiguous(), false);
    layer.define(
        "def forward(self, x: Tensor) -> Tensor:\n  return torch.addmm(self.bias, x, "
        "self.weight.t())\n");
    mlp.register_module(StrCat("fc", i), layer);
    const bool last = i + 1 == weights.size();
    StrAppend(&body, "  x = ", last ? "" : StrCat("torch.", activation, "("), "self.fc", i,
              ".forward(x)", last ? "" : ")", "\n");
  }
  body += "  return x\n";
  mlp.define(body);
  return mlp;
}

// The weights [out, in] and biases [out] of one of the discriminator's MLPs (copies).
void DiscriminatorLayers(const Discriminator& d, const nn::MlpLayout& mlp,
                         std::vector<torch::Tensor>& weights, std::vector<torch::Tensor>& biases) {
  float* params = const_cast<float*>(d.params().data());
  for (int l = 0; l < mlp.layers(); ++l) {
    const int in = mlp.sizes[l], out = mlp.sizes[l + 1];
    weights.push_back(torch::from_blob(params + mlp.weight(l), {out, in}).clone());
    biases.push_back(torch::from_blob(params + mlp.bias(l), {out}).clone());
  }
}

// The observation normaliser as the run applied it: in float64,
// clip((x - mean) / sqrt(var + 1e-8), +-clip), then float32.
void RegisterNormalizer(torch::jit::Module& m, const PolicyState& p) {
  m.register_buffer("obs_mean", F64(p.obs_rms.mean()));
  m.register_buffer("obs_var", F64(p.obs_rms.var()));
  m.register_attribute("norm_obs", c10::BoolType::get(), p.norm_obs);
  m.register_attribute("obs_clip", c10::FloatType::get(), p.obs_clip);
  m.define(R"(
def normalize(self, obs: Tensor) -> Tensor:
  if self.norm_obs:
    z = (obs.double() - self.obs_mean) / torch.sqrt(self.obs_var + 1e-8)
    return torch.clamp(z, -self.obs_clip, self.obs_clip).float()
  return obs.float()
)");
}

void RegisterDims(torch::jit::Module& m, const Provenance& p) {
  m.register_attribute("obs_dim", c10::IntType::get(), static_cast<int64_t>(p.obs_dim));
  m.register_attribute("act_dim", c10::IntType::get(), static_cast<int64_t>(p.act_dim));
  m.register_buffer("act_low", F32(p.act_low));
  m.register_buffer("act_high", F32(p.act_high));
}

torch::jit::Module PolicyModule(const PolicyState& p, const Provenance& prov) {
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  torch::jit::Module m(c10::QualifiedName("__torch__.irlab.Policy"), cu);
  // the flat buffer's layout: actor layers, critic layers, log_std
  const torch::Tensor flat = p.net->flat_params().detach();
  int64_t offset = 0;
  auto take = [&](int64_t n) {
    torch::Tensor t = flat.narrow(0, offset, n);
    offset += n;
    return t;
  };
  auto layers = [&](const std::vector<int>& hidden, int out, std::vector<torch::Tensor>& w,
                    std::vector<torch::Tensor>& b) {
    int in = prov.obs_dim;
    std::vector<int> widths = hidden;
    widths.push_back(out);
    for (int width : widths) {
      w.push_back(take(int64_t(width) * in).view({width, in}));
      b.push_back(take(width));
      in = width;
    }
  };
  std::vector<torch::Tensor> aw, ab, cw, cb;
  layers(p.actor_hidden, prov.act_dim, aw, ab);
  layers(p.critic_hidden, 1, cw, cb);
  const torch::Tensor log_std = take(prov.act_dim);
  IRLAB_CHECK(offset == flat.numel(), "policy/params layout");
  // the same tensors the net computes with
  IRLAB_CHECK(
      torch::equal(torch::from_blob(const_cast<float*>(p.net->log_std()), {prov.act_dim}), log_std),
      "policy/params layout (log_std)");

  m.register_parameter("log_std", log_std.clone(), false);
  m.register_module("actor", MlpModule("PolicyActor", aw, ab, "tanh", cu));
  m.register_module("critic", MlpModule("PolicyCritic", cw, cb, "tanh", cu));
  RegisterNormalizer(m, p);
  RegisterDims(m, prov);
  m.define(R"(
def forward(self, obs: Tensor) -> Tensor:
  return self.actor.forward(self.normalize(obs))

def sample(self, obs: Tensor, noise: Tensor) -> Tensor:
  return self.actor.forward(self.normalize(obs)) + torch.exp(self.log_std) * noise

def value(self, obs: Tensor) -> Tensor:
  return self.critic.forward(self.normalize(obs)).squeeze(-1)
)");
  return m;
}

// The observation entries the reward net sees (all but disc.ignore_obs).
torch::Tensor ObsKeep(const AdversarialConfig& cfg, int obs_dim) {
  std::vector<bool> hidden(obs_dim, false);
  for (int i : cfg.disc.ignore_obs) hidden[i] = true;  // in range: MakeDiscriminator checked
  std::vector<int64_t> keep;
  for (int i = 0; i < obs_dim; ++i) {
    if (!hidden[i]) keep.push_back(i);
  }
  return torch::tensor(keep, torch::kInt64);
}

torch::jit::Module RewardModule(const LearnedReward& r, const Provenance& prov) {
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  torch::jit::Module m(c10::QualifiedName("__torch__.irlab.Reward"), cu);
  std::vector<torch::Tensor> w, b;
  DiscriminatorLayers(*r.disc, r.disc->g(), w, b);
  m.register_module("g", MlpModule("RewardG", w, b, "relu", cu));
  m.register_attribute("state_only", c10::BoolType::get(),
                       r.disc->g().in() == r.disc->visible_obs());
  m.register_buffer("obs_keep", ObsKeep(r.config, prov.obs_dim));
  RegisterNormalizer(m, r.policy);
  RegisterDims(m, prov);
  m.define(R"(
def forward(self, obs: Tensor, act: Tensor, next_obs: Tensor, done: Tensor) -> Tensor:
  s = self.normalize(obs).index_select(1, self.obs_keep)
  if self.state_only:
    return self.g.forward(s).squeeze(-1)
  a = torch.max(torch.min(act.float(), self.act_high), self.act_low)
  return self.g.forward(torch.cat([s, a], 1)).squeeze(-1)
)");
  return m;
}

absl::StatusOr<torch::jit::Module> PotentialModule(const LearnedReward& r, const Provenance& prov,
                                                   const fs::path& path) {
  if (!r.disc->shaped()) {
    return absl::InvalidArgumentError(
        StrCat(path.string(), ": a ", r.config.algo,
               " reward has no potential (only airl and airl-sa learn one)"));
  }
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  torch::jit::Module m(c10::QualifiedName("__torch__.irlab.Potential"), cu);
  std::vector<torch::Tensor> w, b;
  DiscriminatorLayers(*r.disc, r.disc->h(), w, b);
  m.register_module("h", MlpModule("PotentialH", w, b, "relu", cu));
  m.register_attribute("gamma", c10::FloatType::get(), r.config.ppo.gamma);
  m.register_buffer("obs_keep", ObsKeep(r.config, prov.obs_dim));
  RegisterNormalizer(m, r.policy);
  RegisterDims(m, prov);
  m.define(R"(
def forward(self, obs: Tensor) -> Tensor:
  return self.h.forward(self.normalize(obs).index_select(1, self.obs_keep)).squeeze(-1)

def shaping(self, obs: Tensor, next_obs: Tensor, done: Tensor) -> Tensor:
  return self.gamma * (1.0 - done.float()) * self.forward(next_obs) - self.forward(obs)
)");
  return m;
}

}  // namespace

absl::StatusOr<ExportSummary> ExportRun(const fs::path& run_dir, std::optional<int64_t> step,
                                        const std::string& what, const fs::path& out) {
  if (what != "policy" && what != "reward" && what != "potential") {
    return absl::InvalidArgumentError(
        StrCat("--what ", what, ": expected policy, reward or potential"));
  }
  fs::path checkpoint = run_dir / "checkpoint.pt";
  if (step) {
    IRLAB_ASSIGN_OR_RETURN(checkpoint, CheckpointAtStep(run_dir, *step));
  }
  IRLAB_ASSIGN_OR_RETURN(RunConfig config, ReadRunConfig(run_dir));

  Provenance prov;
  prov.what = what;
  prov.run = run_dir;
  prov.checkpoint = checkpoint;
  prov.config_hash = config.hash;
  prov.env_options = config.env_options_toml;
  // the counters: run/counters = [global_step, iteration]
  {
    torch::serialize::InputArchive a;
    IRLAB_RETURN_IF_ERROR(OpenCheckpoint(checkpoint, a));
    torch::Tensor counters;
    if (a.try_read("run/counters", counters) && counters.numel() == 2)
      prov.step = counters[0].item<int64_t>();
  }
  try {
    torch::jit::Module module;
    std::optional<LearnedReward> reward;
    PolicyState policy;
    if (what == "policy") {
      IRLAB_ASSIGN_OR_RETURN(policy, LoadPolicy(checkpoint));
    } else {
      IRLAB_ASSIGN_OR_RETURN(reward, LoadLearnedReward(checkpoint));
      prov.algo = reward->config.algo;
    }
    const PolicyState& p = reward ? reward->policy : policy;
    prov.task = p.env_name;
    prov.obs_dim = p.net->obs_dim();
    prov.act_dim = p.net->act_dim();
    IRLAB_ASSIGN_OR_RETURN(auto env, MakeEnv(prov.task, config.env_options));
    prov.act_low = env->spec().act_low;
    prov.act_high = env->spec().act_high;
    if (what == "policy") {
      module = PolicyModule(p, prov);
    } else if (what == "reward") {
      module = RewardModule(*reward, prov);
    } else {
      IRLAB_ASSIGN_OR_RETURN(module, PotentialModule(*reward, prov, checkpoint));
    }
    const Json metadata = MetadataJson(prov);
    RegisterMetadata(module, metadata);
    module.eval();
    const fs::path tmp = TempPathFor(out);
    try {
      module.save(tmp.string(), {{"metadata.json", JsonText(metadata, 2) + "\n"}});
    } catch (const std::exception& e) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return absl::UnavailableError(StrCat(out.string(), ": cannot write: ", e.what()));
    }
    std::error_code ec;
    fs::rename(tmp, out, ec);
    if (ec)
      return absl::UnavailableError(
          StrCat(out.string(), ": cannot rename into place: ", ec.message()));
  } catch (const c10::Error& e) {
    return absl::InternalError(
        StrCat(checkpoint.string(), ": export failed: ", e.what_without_backtrace()));
  }
  return ExportSummary{checkpoint, prov.task, prov.obs_dim, prov.act_dim, prov.step};
}

}  // namespace irlab
