#include "algos/tabular/deep_maxent_irl.h"

#include <torch/torch.h>

#include <cmath>

#include "algos/common/compute_threads.h"
#include "algos/tabular/planning.h"
#include "algos/tabular/visitation.h"
#include "core/status.h"

namespace irlab::tabular {
namespace {

// The features as a [S*A, K] tensor, each column shifted and scaled to mean 0
// and standard deviation 1 (constant columns are only shifted).
torch::Tensor StandardisedFeatures(const Mdp& mdp) {
  torch::Tensor x = torch::from_blob(const_cast<double*>(mdp.features.data()),
                                     {mdp.num_pairs(), mdp.feature_dim}, torch::kFloat64)
                        .clone();
  torch::Tensor std = x.std(0, /*unbiased=*/false, /*keepdim=*/true);
  std = torch::where(std > 0, std, torch::ones_like(std));
  return (x - x.mean(0, /*keepdim=*/true)) / std;
}

// K -> hidden (ReLU) x layers -> 1.
torch::nn::Sequential MakeRewardNet(int inputs, const DeepMaxEntConfig& config) {
  torch::nn::Sequential net;
  int width = inputs;
  for (int i = 0; i < config.layers; ++i) {
    net->push_back(torch::nn::Linear(width, config.hidden));
    net->push_back(torch::nn::ReLU());
    width = config.hidden;
  }
  net->push_back(torch::nn::Linear(width, 1));
  net->to(torch::kFloat64);
  return net;
}

}  // namespace

absl::StatusOr<IrlResult> DeepMaxEntIrl(const Mdp& mdp, const std::vector<Trajectory>& demos,
                                        const DeepMaxEntConfig& config, uint64_t seed) {
  IRLAB_RETURN_IF_ERROR(ValidateMdp(mdp));
  IRLAB_RETURN_IF_ERROR(ValidateDemos(mdp, demos));
  SetComputeThreads(config.threads);
  torch::manual_seed(seed);
  const int P = mdp.num_pairs();
  const torch::Tensor x = StandardisedFeatures(mdp);  // [S*A, K]
  torch::nn::Sequential net = MakeRewardNet(mdp.feature_dim, config);
  torch::optim::Adam optimizer(
      net->parameters(),
      torch::optim::AdamOptions(config.learning_rate).weight_decay(config.weight_decay));

  const std::vector<double> start = DemoStartDistribution(mdp, demos);
  const std::vector<double> demo_visits = DemoVisitation(mdp, demos);  // [S, A]
  std::vector<double> reward(P), values, state_visits, sa_visits, grad_r(P);
  TabularPolicy policy;
  IrlResult result;
  for (int it = 0; it < config.iterations; ++it) {
    // r = NN(f), copied out for the planner
    torch::Tensor r = net->forward(x).reshape({P});  // [S*A]
    const torch::Tensor r_host = r.detach().contiguous();
    std::copy_n(r_host.data_ptr<double>(), P, reward.begin());
    // backward and forward passes under the current reward
    SoftValueIteration(mdp, reward, &policy, &values);
    Visitation(mdp, policy, start, &state_visits, &sa_visits);
    // ∂L/∂r = D_demo - E[D] - (l2 / A) r; ascend L by descending -Σ (∂L/∂r) r
    const double l2 = config.reward_l2 / mdp.num_actions;
    double objective = -StartValue(values, start), grad_sq = 0;
    for (int sa = 0; sa < P; ++sa) {
      grad_r[sa] = demo_visits[sa] - sa_visits[sa] - l2 * reward[sa];
      objective += demo_visits[sa] * reward[sa] - 0.5 * l2 * reward[sa] * reward[sa];
      grad_sq += grad_r[sa] * grad_r[sa];
    }
    result.trace.push_back({{"objective", objective}, {"grad_norm", std::sqrt(grad_sq)}});
    result.iterations = result.evaluations = it + 1;
    const torch::Tensor dl_dr = torch::from_blob(grad_r.data(), {P}, torch::kFloat64);
    const torch::Tensor surrogate = -(dl_dr * r).sum();
    optimizer.zero_grad();
    surrogate.backward();
    optimizer.step();
  }
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor r = net->forward(x).reshape({P}).contiguous();
    result.reward.assign(r.data_ptr<double>(), r.data_ptr<double>() + P);
  }
  result.policies.push_back(OptimalPolicy(mdp, result.reward));
  result.mixture = {1.0};
  return result;
}

}  // namespace irlab::tabular
