// Learned rewards and discriminators on one flat parameter buffer:
//   g        the reward: g(s) (state-only AIRL) or g(s, a) (AIRL state-action,
//            GAIL's D, GAN-GCL's r), a ReLU MLP over normalised inputs
//   h        AIRL's potential, a ReLU MLP over s, giving the shaped reward
//            f = g + gamma * (1 - done) * h(s') - h(s)
//   logits   AIRL's are f - w log pi(a|s), GAIL's the score g(s, a): AIRL differs
//            from GAIL only there.
// Every pass is written out on algos/nn (forward, backward, and the gradient
// penalty's double backward); LibTorch autograd is the tests' reference.
// Not thread-safe: a Discriminator keeps its scratch buffers.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "algos/nn/mlp.h"

namespace irlab {

class ThreadPool;

enum class DiscriminatorKind { kAirl, kGail };
enum class GailReward { kLogit, kPositive, kNegative };

// A batch of n transitions, row-major; observations normalised, all obs_dim entries.
struct TransitionBatch {
  int size = 0;                     // n
  const float* obs = nullptr;       // [n, obs_dim]
  const float* act = nullptr;       // [n, act_dim] as applied (clipped to the action range)
  const float* next_obs = nullptr;  // [n, obs_dim] (read by AIRL's potential)
  const float* done = nullptr;      // [n] 1 where s' is terminal, not truncated (AIRL)
  const float* log_pi = nullptr;    // [n] log pi(a|s) under the current policy (AIRL logits)
};

struct DiscriminatorShape {
  DiscriminatorKind kind = DiscriminatorKind::kAirl;
  int obs_dim = 0, act_dim = 0;
  bool state_only = true;  // g(s) rather than g(s, a) (AIRL)
  std::vector<int> reward_hidden = {32, 32};
  std::vector<int> potential_hidden = {32, 32};  // AIRL's h
  double gamma = 0.99;                           // AIRL's shaping discount
  double entropy_weight = 1.0;                   // AIRL: w in the logits f - w log pi
  GailReward gail_reward = GailReward::kLogit;
  std::vector<int> obs_keep;  // the observation entries the nets see (empty: all)
};

struct DiscriminatorStats {
  double loss = 0, expert_acc = 0, policy_acc = 0;  // accuracies: the share classified right
  double ess = 0;  // GAN-GCL: the importance weights' effective sample size
};

class Discriminator {
 public:
  // Parameters start at zero: see InitLikeTorchLinear.
  explicit Discriminator(DiscriminatorShape shape);

  const DiscriminatorShape& shape() const { return shape_; }
  DiscriminatorKind kind() const { return shape_.kind; }
  bool shaped() const { return shape_.kind == DiscriminatorKind::kAirl; }
  const nn::MlpLayout& g() const { return g_; }  // [visible obs (, act)] -> 1
  const nn::MlpLayout& h() const { return h_; }  // visible obs -> 1 (AIRL only)
  int visible_obs() const { return visible_; }
  int64_t num_params() const { return static_cast<int64_t>(params_.size()); }
  std::vector<float>& params() { return params_; }
  const std::vector<float>& params() const { return params_; }
  // Each parameter as (offset, rows, cols) in nn.Linear's order: g's W, b,
  // layer by layer, then h's (cols 0: a bias).
  std::vector<std::array<int64_t, 3>> ParameterSlices() const;

  // Forward passes, out [n]:
  // f: AIRL's shaped g + gamma (1 - done) h(s') - h(s); GAIL's score g(s, a).
  // Reads no log pi. With a pool of two threads, AIRL's g and h run side by side.
  void F(const TransitionBatch& t, float* out, ThreadPool* pool = nullptr) const;
  // AIRL: f - w log pi; GAIL: the score g(s, a).
  void Logits(const TransitionBatch& t, float* out, ThreadPool* pool = nullptr) const;
  // What the generator maximises. AIRL: log D - log(1 - D) = the logits;
  // GAIL: the logit, -log(1 - D) or log D.
  void GeneratorReward(const TransitionBatch& t, float* out, ThreadPool* pool = nullptr) const;
  // GeneratorReward from F's output for the same batch, in place: the same
  // bits, with F and log pi computed wherever suits the caller.
  void GeneratorRewardFromF(const TransitionBatch& t, float* f) const;
  // The reward exported for transfer: g alone (AIRL's unshaped base; GAIL's score).
  void UnshapedReward(const TransitionBatch& t, float* out) const;

  // Binary cross-entropy with logits, expert = 1, policy = 0, the mean over
  // each half averaged: 0.5 (E_expert softplus(-x) + E_policy softplus(x)).
  // With grad_penalty > 0 (expert and policy batches of one size, mixing
  // weights alpha [n]), plus grad_penalty * E ||d logits / d inputs||^2 at the
  // interpolates alpha expert + (1 - alpha) policy (obs, next obs and actions).
  // Writes d loss / d params into grads [P]; returns the loss. With a pool of
  // two threads, AIRL's g and h passes run side by side, and the expert rows'
  // loss terms beside the policy rows' (the same bits). beside_forward and
  // beside_backward are the caller's work that shares nothing with the
  // discriminator (e.g. drawing the next step's batches): they run during the
  // forward and the backward pass, on the thread of g (the lighter net; GAIL:
  // the other thread), or after them without a pool.
  double BceLossAndGradient(const TransitionBatch& expert, const TransitionBatch& policy,
                            double grad_penalty, const float* alpha, float* grads,
                            DiscriminatorStats* stats, ThreadPool* pool = nullptr,
                            const std::function<void()>& beside_forward = {},
                            const std::function<void()>& beside_backward = {}) const;

  // GAN-GCL's reward step: -L E_expert[g] + (L / T) log (1/N sum_j exp(R_j - log q_j)),
  // R_j the sum of g over env j's T steps of the policy batch (time-major
  // [T, N]), log_q [N] their behaviour log-likelihoods, L the expert
  // trajectory length. Writes the gradient into grads; returns the loss and
  // the importance weights' effective sample size in *ess.
  double GclLossAndGradient(const TransitionBatch& expert, const TransitionBatch& policy, int T,
                            int N, const float* log_q, double expert_length, float* grads,
                            double* ess) const;

 private:
  // One forward pass of f over n rows, kept for the backward pass.
  struct Pass {
    std::vector<float> x_g, x_h;  // inputs: g's [n, in], h's [2n, visible]: s rows then s' rows
    nn::MlpScratch g, h;
    std::vector<float> f;  // [n]
  };
  // Gathers the visible inputs of rows [begin, begin + t.size) of `p` (of a
  // pass over `total` rows): g's and h's, g's alone, h's alone (AIRL).
  void Gather(const TransitionBatch& t, int begin, int total, Pass& p) const;
  void GatherG(const TransitionBatch& t, int begin, int total, Pass& p) const;
  void GatherH(const TransitionBatch& t, int begin, int total, Pass& p) const;
  // f over the rows gathered in p; with unshaped, g alone.
  void ForwardF(const float* done, int n, Pass& p, bool unshaped, ThreadPool* pool = nullptr) const;
  // d loss / d params from d loss / d f [n] (overwrites grads' g and h parts).
  void BackwardF(const float* done, int n, Pass& p, const float* d_f, float* grads,
                 ThreadPool* pool = nullptr) const;

  DiscriminatorShape shape_;
  int visible_;
  nn::MlpLayout g_, h_;
  std::vector<float> params_;
  mutable Pass pass_, mix_;
  mutable std::vector<float> scratch_a_, scratch_b_, scratch_c_;
};

// Initialises every layer as LibTorch's nn::Linear does (uniform within
// 1/sqrt(fan_in), weights then bias, g's layers then h's) from LibTorch's
// global generator: seed it first (torch::manual_seed) for a reproducible net.
void InitLikeTorchLinear(Discriminator& disc);

// softplus(x) = log(1 + e^x), computed without overflow.
double Softplus(double x);

}  // namespace irlab
