// Learned rewards and discriminators, composed rather than inherited:
//   MlpReward        g(s) or g(s, a): an MLP over normalised inputs
//   ShapedReward     f = g + gamma * (1 - done) * h(s') - h(s): a base reward
//                    plus a learned potential (AIRL's shaping term)
//   Discriminator    logits over transitions; AIRL's are f - log pi(a|s), GAIL's
//                    the raw score of D(s, a). AIRL differs from GAIL only there.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "algos/common/torch_pch.h"

namespace irlab {

// A batch of transitions (normalised observations), shapes in comments.
struct Transitions {
  torch::Tensor obs;       // [B, obs_dim]
  torch::Tensor act;       // [B, act_dim] as applied (clipped to the action range)
  torch::Tensor next_obs;  // [B, obs_dim]
  torch::Tensor done;      // [B] 1 where s' is terminal (terminated, not truncated)
  torch::Tensor log_pi;    // [B] log pi(a|s) under the current policy (AIRL only)
};

// A reward over transitions.
class RewardNet {
 public:
  virtual ~RewardNet() = default;
  // r for each transition: [B].
  virtual torch::Tensor Forward(const Transitions& t) const = 0;
  // Trainable parameters.
  virtual std::vector<torch::Tensor> Parameters() const = 0;
};

// g(s) (state_only) or g(s, a): ReLU MLP, scalar output.
class MlpReward : public RewardNet {
 public:
  MlpReward(int obs_dim, int act_dim, bool state_only, const std::vector<int>& hidden);
  torch::Tensor Forward(const Transitions& t) const override;
  std::vector<torch::Tensor> Parameters() const override;
  bool state_only() const { return state_only_; }

 private:
  bool state_only_;
  mutable torch::nn::Sequential net_;  // forward() is not const in LibTorch
};

// f = base + gamma * (1 - done) * h(s') - h(s).
class ShapedReward : public RewardNet {
 public:
  ShapedReward(std::unique_ptr<RewardNet> base, int obs_dim, const std::vector<int>& potential_hidden,
               double gamma);
  torch::Tensor Forward(const Transitions& t) const override;
  std::vector<torch::Tensor> Parameters() const override;
  const RewardNet& base() const { return *base_; }
  torch::Tensor Potential(const torch::Tensor& obs) const;  // h: [B]

 private:
  std::unique_ptr<RewardNet> base_;
  mutable torch::nn::Sequential potential_;
  double gamma_;
};

enum class DiscriminatorKind { kAirl, kGail };
enum class GailReward { kLogit, kPositive, kNegative };

// A reward net read as a binary classifier, expert = 1.
class Discriminator {
 public:
  // entropy_weight w scales AIRL's policy density term, in the logits and so in the
  // generator reward alike: D = exp(f) / (exp(f) + pi^w). w = 1 is the paper's formula.
  // obs_keep ([K] int64, or undefined for all) lists the observation entries the reward
  // net sees, in s and s' alike: a discriminator that must not tell expert from policy
  // by, say, the distance covered is given the observation without x and y.
  Discriminator(DiscriminatorKind kind, std::unique_ptr<RewardNet> reward, GailReward gail_reward,
                double entropy_weight = 1.0, torch::Tensor obs_keep = {});

  // AIRL: f - w log pi; GAIL: the network's score. [B]
  torch::Tensor Logits(const Transitions& t) const;
  // What the generator maximises. AIRL: log D - log(1 - D) = f - w log pi;
  // GAIL: the logit, -log(1 - D) or log D. [B], no gradient.
  torch::Tensor GeneratorReward(const Transitions& t) const;
  // The reward exported for transfer: AIRL's g (the unshaped base), GAIL's score. [B]
  torch::Tensor LearnedReward(const Transitions& t) const;

  const RewardNet& reward() const { return *reward_; }
  std::vector<torch::Tensor> Parameters() const { return reward_->Parameters(); }
  DiscriminatorKind kind() const { return kind_; }

 private:
  DiscriminatorKind kind_;
  std::unique_ptr<RewardNet> reward_;
  // The transitions as the reward net sees them (obs and next_obs reduced to obs_keep_).
  Transitions Visible(const Transitions& t) const;

  GailReward gail_reward_;
  double entropy_weight_;
  torch::Tensor obs_keep_;
};

// GAN-GCL's self-normalised importance weights over J sampled trajectories,
// w_j = exp(R_j - log q_j) / sum_k exp(R_k - log q_k), computed in log space.
// returns, log_q: [J] -> [J]
torch::Tensor ImportanceWeights(const torch::Tensor& returns, const torch::Tensor& log_q);
// log of the importance-sampled partition function, log (1/J) sum_j exp(R_j - log q_j).
torch::Tensor LogPartition(const torch::Tensor& returns, const torch::Tensor& log_q);

// Binary cross-entropy with logits, expert = 1, policy = 0: mean over both.
torch::Tensor DiscriminatorLoss(const torch::Tensor& expert_logits, const torch::Tensor& policy_logits);

}  // namespace irlab
