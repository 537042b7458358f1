#include "algos/adversarial/reward_nets.h"

#include <cmath>

#include "core/status.h"

namespace irlab {
namespace {

torch::nn::Sequential Mlp(int in, const std::vector<int>& hidden) {
  torch::nn::Sequential net;
  for (int h : hidden) {
    net->push_back(torch::nn::Linear(in, h));
    net->push_back(torch::nn::ReLU());
    in = h;
  }
  net->push_back(torch::nn::Linear(in, 1));
  return net;
}

std::vector<torch::Tensor> Params(const torch::nn::Sequential& net) { return net->parameters(); }

}  // namespace

MlpReward::MlpReward(int obs_dim, int act_dim, bool state_only, const std::vector<int>& hidden)
    : state_only_(state_only), net_(Mlp(obs_dim + (state_only ? 0 : act_dim), hidden)) {}

torch::Tensor MlpReward::Forward(const Transitions& t) const {
  torch::Tensor in = state_only_ ? t.obs : torch::cat({t.obs, t.act}, 1);
  return net_->forward(in).squeeze(-1);
}

std::vector<torch::Tensor> MlpReward::Parameters() const { return Params(net_); }

ShapedReward::ShapedReward(std::unique_ptr<RewardNet> base, int obs_dim,
                           const std::vector<int>& potential_hidden, double gamma)
    : base_(std::move(base)), potential_(Mlp(obs_dim, potential_hidden)), gamma_(gamma) {}

torch::Tensor ShapedReward::Potential(const torch::Tensor& obs) const {
  return potential_->forward(obs).squeeze(-1);
}

torch::Tensor ShapedReward::Forward(const Transitions& t) const {
  // h(s') = 0 at a terminal s' (terminated, not truncated)
  return base_->Forward(t) + gamma_ * (1 - t.done) * Potential(t.next_obs) - Potential(t.obs);
}

std::vector<torch::Tensor> ShapedReward::Parameters() const {
  std::vector<torch::Tensor> p = base_->Parameters();
  for (const auto& q : Params(potential_)) p.push_back(q);
  return p;
}

Discriminator::Discriminator(DiscriminatorKind kind, std::unique_ptr<RewardNet> reward, GailReward gail_reward,
                             double entropy_weight, torch::Tensor obs_keep)
    : kind_(kind),
      reward_(std::move(reward)),
      gail_reward_(gail_reward),
      entropy_weight_(entropy_weight),
      obs_keep_(std::move(obs_keep)) {}

Transitions Discriminator::Visible(const Transitions& t) const {
  if (!obs_keep_.defined()) return t;
  Transitions v = t;
  v.obs = t.obs.index_select(1, obs_keep_);
  if (t.next_obs.defined()) v.next_obs = t.next_obs.index_select(1, obs_keep_);
  return v;
}

torch::Tensor Discriminator::Logits(const Transitions& t) const {
  torch::Tensor f = reward_->Forward(Visible(t));
  if (kind_ == DiscriminatorKind::kAirl) {
    IRLAB_CHECK(t.log_pi.defined(), "AIRL logits need log pi(a|s)");
    return f - entropy_weight_ * t.log_pi;
  }
  return f;
}

torch::Tensor Discriminator::GeneratorReward(const Transitions& t) const {
  torch::NoGradGuard no_grad;
  const torch::Tensor logits = Logits(t);
  if (kind_ == DiscriminatorKind::kAirl) return logits;
  switch (gail_reward_) {
    case GailReward::kPositive: return torch::softplus(logits);    // -log(1 - D)
    case GailReward::kNegative: return -torch::softplus(-logits);  // log D
    case GailReward::kLogit: break;
  }
  return logits;
}

torch::Tensor Discriminator::LearnedReward(const Transitions& t) const {
  torch::NoGradGuard no_grad;
  if (kind_ == DiscriminatorKind::kAirl) {
    if (const auto* shaped = dynamic_cast<const ShapedReward*>(reward_.get())) {
      return shaped->base().Forward(Visible(t));
    }
  }
  return reward_->Forward(Visible(t));
}

torch::Tensor ImportanceWeights(const torch::Tensor& returns, const torch::Tensor& log_q) {
  return torch::softmax(returns - log_q, 0);
}

torch::Tensor LogPartition(const torch::Tensor& returns, const torch::Tensor& log_q) {
  return torch::logsumexp(returns - log_q, 0) - std::log(static_cast<double>(returns.size(0)));
}

torch::Tensor DiscriminatorLoss(const torch::Tensor& expert_logits, const torch::Tensor& policy_logits) {
  // -log sigma(x) = softplus(-x); -log(1 - sigma(x)) = softplus(x)
  return 0.5 * (torch::softplus(-expert_logits).mean() + torch::softplus(policy_logits).mean());
}

}  // namespace irlab
