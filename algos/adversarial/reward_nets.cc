#include "algos/adversarial/reward_nets.h"

#include <algorithm>
#include <cmath>

#include "algos/common/torch_pch.h"
#include "algos/nn/kernels.h"
#include "core/status.h"
#include "core/thread_pool.h"

namespace irlab {
namespace {

double Sigmoid(double x) {
  return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
}

// AIRL's shaping of row r of a pass over n rows, h [2n] holding h(s) then
// h(s'): f = g + gamma (1 - done) h(s') - h(s); h(s') = 0 at a terminal s'.
float Shaped(float g, const float* h, int n, int r, float done, float gamma) {
  return g + (gamma * (1 - done) * h[n + r] - h[r]);
}

// d loss / d h [2n] from d loss / d f [n]: d f / d h(s) = -1, d f / d h(s') = gamma (1 - done).
void ShapingBackward(const float* done, const float* d_f, int n, float gamma,
                     std::vector<float>& d_h) {
  d_h.resize(size_t(2) * n);
  for (int r = 0; r < n; ++r) {
    d_h[r] = -d_f[r];
    d_h[n + r] = gamma * (1 - done[r]) * d_f[r];
  }
}

}  // namespace

double Softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }

Discriminator::Discriminator(DiscriminatorShape shape) : shape_(std::move(shape)) {
  if (shape_.obs_keep.empty()) {
    for (int i = 0; i < shape_.obs_dim; ++i) shape_.obs_keep.push_back(i);
  }
  visible_ = static_cast<int>(shape_.obs_keep.size());
  const bool with_act = !(shape_.kind == DiscriminatorKind::kAirl && shape_.state_only);
  g_ = nn::MlpLayout(visible_ + (with_act ? shape_.act_dim : 0), shape_.reward_hidden, 1,
                     nn::Activation::kRelu, 0);
  if (shaped())
    h_ = nn::MlpLayout(visible_, shape_.potential_hidden, 1, nn::Activation::kRelu, g_.end());
  params_.assign(shaped() ? h_.end() : g_.end(), 0.0f);
}

std::vector<std::array<int64_t, 3>> Discriminator::ParameterSlices() const {
  std::vector<std::array<int64_t, 3>> out;
  for (const nn::MlpLayout* mlp : {&g_, &h_}) {
    if (mlp->sizes.empty()) continue;
    for (int l = 0; l < mlp->layers(); ++l) {
      out.push_back({mlp->weight(l), mlp->sizes[l + 1], mlp->sizes[l]});
      out.push_back({mlp->bias(l), mlp->sizes[l + 1], 0});
    }
  }
  return out;
}

void Discriminator::GatherG(const TransitionBatch& t, int begin, int total, Pass& p) const {
  const int od = shape_.obs_dim, ad = shape_.act_dim, in = g_.in(), k = visible_;
  const bool with_act = in > k;
  p.x_g.resize(size_t(total) * in);
  for (int r = 0; r < t.size; ++r) {
    float* xg = &p.x_g[size_t(begin + r) * in];
    for (int c = 0; c < k; ++c) xg[c] = t.obs[size_t(r) * od + shape_.obs_keep[c]];
    if (with_act) std::copy_n(&t.act[size_t(r) * ad], ad, xg + k);
  }
}

void Discriminator::GatherH(const TransitionBatch& t, int begin, int total, Pass& p) const {
  if (!shaped()) return;
  const int od = shape_.obs_dim, k = visible_;
  p.x_h.resize(size_t(2) * total * k);
  for (int r = 0; r < t.size; ++r) {
    float* xs = &p.x_h[size_t(begin + r) * k];
    float* xn = &p.x_h[size_t(total + begin + r) * k];
    for (int c = 0; c < k; ++c) {
      xs[c] = t.obs[size_t(r) * od + shape_.obs_keep[c]];
      xn[c] = t.next_obs[size_t(r) * od + shape_.obs_keep[c]];
    }
  }
}

void Discriminator::Gather(const TransitionBatch& t, int begin, int total, Pass& p) const {
  GatherG(t, begin, total, p);
  GatherH(t, begin, total, p);
}

void Discriminator::ForwardF(const float* done, int n, Pass& p, bool unshaped,
                             ThreadPool* pool) const {
  if (!shaped() || unshaped) {
    const float* g = nn::Forward(g_, params_.data(), p.x_g.data(), n, p.g);
    p.f.assign(g, g + n);
    return;
  }
  const float *g = nullptr, *h = nullptr;
  SideBySide(
      pool, [&] { g = nn::Forward(g_, params_.data(), p.x_g.data(), n, p.g); },
      [&] { h = nn::Forward(h_, params_.data(), p.x_h.data(), 2 * n, p.h); });
  p.f.resize(n);
  const float gamma = static_cast<float>(shape_.gamma);
  for (int r = 0; r < n; ++r) p.f[r] = Shaped(g[r], h, n, r, done[r], gamma);
}

void Discriminator::BackwardF(const float* done, int n, Pass& p, const float* d_f, float* grads,
                              ThreadPool* pool) const {
  if (!shaped()) {
    nn::Backward(g_, params_.data(), p.g, d_f, grads, /*accumulate=*/false, /*dx=*/nullptr);
    return;
  }
  ShapingBackward(done, d_f, n, static_cast<float>(shape_.gamma), scratch_a_);
  SideBySide(
      pool,
      [&] {
        nn::Backward(g_, params_.data(), p.g, d_f, grads, /*accumulate=*/false, /*dx=*/nullptr);
      },
      [&] {
        nn::Backward(h_, params_.data(), p.h, scratch_a_.data(), grads, /*accumulate=*/false,
                     /*dx=*/nullptr);
      });
}

void Discriminator::F(const TransitionBatch& t, float* out, ThreadPool* pool) const {
  Gather(t, 0, t.size, pass_);
  ForwardF(t.done, t.size, pass_, /*unshaped=*/false, pool);
  std::copy(pass_.f.begin(), pass_.f.end(), out);
}

namespace {

// f - w log pi (AIRL), in place.
void SubtractLogPi(const DiscriminatorShape& shape, const TransitionBatch& t, float* f) {
  if (shape.kind != DiscriminatorKind::kAirl) return;
  IRLAB_CHECK(t.log_pi != nullptr, "AIRL logits need log pi(a|s)");
  const float w = static_cast<float>(shape.entropy_weight);
  for (int r = 0; r < t.size; ++r) f[r] = f[r] - w * t.log_pi[r];
}

}  // namespace

void Discriminator::Logits(const TransitionBatch& t, float* out, ThreadPool* pool) const {
  F(t, out, pool);
  SubtractLogPi(shape_, t, out);
}

void Discriminator::GeneratorReward(const TransitionBatch& t, float* out, ThreadPool* pool) const {
  F(t, out, pool);
  GeneratorRewardFromF(t, out);
}

void Discriminator::GeneratorRewardFromF(const TransitionBatch& t, float* f) const {
  SubtractLogPi(shape_, t, f);  // the logits
  if (shaped()) return;
  for (int r = 0; r < t.size; ++r) {
    switch (shape_.gail_reward) {
      case GailReward::kPositive:
        f[r] = static_cast<float>(Softplus(f[r]));
        break;  // -log(1 - D)
      case GailReward::kNegative:
        f[r] = static_cast<float>(-Softplus(-f[r]));
        break;  // log D
      case GailReward::kLogit:
        break;
    }
  }
}

void Discriminator::UnshapedReward(const TransitionBatch& t, float* out) const {
  Gather(t, 0, t.size, pass_);
  ForwardF(t.done, t.size, pass_, /*unshaped=*/true);
  std::copy(pass_.f.begin(), pass_.f.end(), out);
}

double Discriminator::BceLossAndGradient(const TransitionBatch& expert,
                                         const TransitionBatch& policy, double grad_penalty,
                                         const float* alpha, float* grads,
                                         DiscriminatorStats* stats, ThreadPool* pool,
                                         const std::function<void()>& beside_forward,
                                         const std::function<void()>& beside_backward) const {
  const int ne = expert.size, np = policy.size, n = ne + np;
  std::vector<float>& done = scratch_b_;
  std::vector<float>& d_f = scratch_c_;
  done.assign(n, 0.0f);
  if (shaped()) {
    std::copy_n(expert.done, ne, done.begin());
    std::copy_n(policy.done, np, done.begin() + ne);
  }
  d_f.resize(n);
  // Each piece of work runs where it balances two threads: g (n rows) with the
  // caller's work beside it, h (AIRL: 2n rows) on the other thread; without h,
  // the caller's work there. One pass over expert rows then policy rows.
  auto paired = [&](const std::function<void()>& g_part, const std::function<void()>& h_part,
                    const std::function<void()>& beside) {
    if (shaped()) {
      SideBySide(
          pool,
          [&] {
            g_part();
            if (beside) beside();
          },
          h_part);
    } else {
      SideBySide(pool, g_part, [&] {
        if (beside) beside();
      });
    }
  };
  const float *g = nullptr, *h = nullptr;
  paired(
      [&] {
        GatherG(expert, 0, n, pass_);
        GatherG(policy, ne, n, pass_);
        g = nn::Forward(g_, params_.data(), pass_.x_g.data(), n, pass_.g);
      },
      [&] {
        GatherH(expert, 0, n, pass_);
        GatherH(policy, ne, n, pass_);
        h = nn::Forward(h_, params_.data(), pass_.x_h.data(), 2 * n, pass_.h);
      },
      beside_forward);

  // the loss: expert rows beside policy rows, each sum in row order
  const float w = static_cast<float>(shape_.entropy_weight);
  const float gamma = static_cast<float>(shape_.gamma);
  double loss_e = 0, loss_p = 0;
  int expert_right = 0, policy_right = 0;
  auto rows = [&](bool is_expert) {
    const int begin = is_expert ? 0 : ne, end = is_expert ? ne : n;
    const float* log_pi = is_expert ? expert.log_pi : policy.log_pi;
    IRLAB_CHECK(!shaped() || log_pi != nullptr, "AIRL logits need log pi(a|s)");
    double sum = 0;
    int right = 0;
    for (int r = begin; r < end; ++r) {
      const float f = shaped() ? Shaped(g[r], h, n, r, done[r], gamma) : g[r];
      const float x = shaped() ? f - w * log_pi[r - begin] : f;
      // -log sigma(x) = softplus(-x) for experts, -log(1 - sigma(x)) = softplus(x) for the policy
      if (is_expert) {
        sum += Softplus(-x);
        right += x > 0;
        d_f[r] = static_cast<float>(-0.5 * Sigmoid(-x) / ne);
      } else {
        sum += Softplus(x);
        right += x < 0;
        d_f[r] = static_cast<float>(0.5 * Sigmoid(x) / np);
      }
    }
    (is_expert ? loss_e : loss_p) = sum;
    (is_expert ? expert_right : policy_right) = right;
  };
  SideBySide(
      pool, [&] { rows(true); }, [&] { rows(false); });
  double loss = 0.5 * (loss_e / ne + loss_p / np);

  paired(
      [&] {
        nn::Backward(g_, params_.data(), pass_.g, d_f.data(), grads, /*accumulate=*/false,
                     /*dx=*/nullptr);
      },
      [&] {
        ShapingBackward(done.data(), d_f.data(), n, gamma, scratch_a_);
        nn::Backward(h_, params_.data(), pass_.h, scratch_a_.data(), grads, /*accumulate=*/false,
                     /*dx=*/nullptr);
      },
      beside_backward);
  if (stats) {
    stats->expert_acc = double(expert_right) / ne;
    stats->policy_acc = double(policy_right) / np;
  }

  if (grad_penalty > 0) {
    // the interpolates' inputs: full rows mixed, then gathered like any batch
    IRLAB_CHECK(ne == np && alpha != nullptr,
                "the gradient penalty mixes expert and policy batches of one size");
    const int od = shape_.obs_dim, ad = shape_.act_dim, k = visible_, in_g = g_.in();
    std::vector<float> obs(size_t(ne) * od), next(size_t(ne) * od), act(size_t(ne) * ad);
    for (int r = 0; r < ne; ++r) {
      const float a = alpha[r];
      for (int c = 0; c < od; ++c) {
        obs[r * od + c] = a * expert.obs[r * od + c] + (1 - a) * policy.obs[r * od + c];
        if (shaped())
          next[r * od + c] =
              a * expert.next_obs[r * od + c] + (1 - a) * policy.next_obs[r * od + c];
      }
      for (int c = 0; c < ad; ++c)
        act[r * ad + c] = a * expert.act[r * ad + c] + (1 - a) * policy.act[r * ad + c];
    }
    const TransitionBatch mix{
        .size = ne, .obs = obs.data(), .act = act.data(), .next_obs = next.data()};
    Gather(mix, 0, ne, mix_);
    // d logits / d inputs: g's, and h's with coefficient -1 at s and gamma (1 - done) at s'
    std::vector<float> u_g(size_t(ne) * in_g), u_h, c_h;
    nn::Forward(g_, params_.data(), mix_.x_g.data(), ne, mix_.g);
    nn::InputGradient(g_, params_.data(), mix_.g, nullptr, u_g.data());
    if (shaped()) {
      nn::Forward(h_, params_.data(), mix_.x_h.data(), 2 * ne, mix_.h);
      c_h.resize(size_t(2) * ne);
      for (int r = 0; r < ne; ++r) {
        c_h[r] = -1.0f;
        c_h[ne + r] = static_cast<float>(shape_.gamma) * (1 - policy.done[r]);
      }
      u_h.resize(size_t(2) * ne * k);
      nn::InputGradient(h_, params_.data(), mix_.h, c_h.data(), u_h.data());
    }
    // penalty = lambda mean_r (|u_obs|^2 + |u_next|^2 + |u_act|^2), u_obs = g's + h(s)'s part
    double sum = 0;
    const float scale = static_cast<float>(2 * grad_penalty / ne);
    std::vector<float> du_g(u_g.size()), du_h(u_h.size());
    for (int r = 0; r < ne; ++r) {
      for (int c = 0; c < in_g; ++c) {
        float u = u_g[size_t(r) * in_g + c];
        if (c < k && shaped()) u += u_h[size_t(r) * k + c];
        sum += double(u) * u;
        du_g[size_t(r) * in_g + c] = scale * u;
        if (c < k && shaped()) du_h[size_t(r) * k + c] = scale * u;
      }
      if (shaped()) {
        for (int c = 0; c < k; ++c) {
          const float u = u_h[size_t(ne + r) * k + c];
          sum += double(u) * u;
          du_h[size_t(ne + r) * k + c] = scale * u;
        }
      }
    }
    loss += grad_penalty * sum / ne;
    nn::InputGradientBackward(g_, params_.data(), mix_.g, du_g.data(), grads);
    if (shaped()) nn::InputGradientBackward(h_, params_.data(), mix_.h, du_h.data(), grads);
  }
  if (stats) stats->loss = loss;
  return loss;
}

double Discriminator::GclLossAndGradient(const TransitionBatch& expert,
                                         const TransitionBatch& policy, int T, int N,
                                         const float* log_q, double expert_length, float* grads,
                                         double* ess) const {
  IRLAB_CHECK(policy.size == T * N, "GAN-GCL's policy batch is the rollout [T, N]");
  const int ne = expert.size, n = ne + policy.size;
  Gather(expert, 0, n, pass_);
  Gather(policy, ne, n, pass_);
  ForwardF(nullptr, n, pass_, /*unshaped=*/true);  // r = g
  const float* r = pass_.f.data();
  // per-env segment returns R_j, log-space importance weights w = softmax(R - log q)
  std::vector<double> s(N, 0.0);
  for (int t = 0; t < T; ++t) {
    for (int j = 0; j < N; ++j) s[j] += r[ne + t * N + j];
  }
  for (int j = 0; j < N; ++j) s[j] -= log_q[j];
  const double top = *std::max_element(s.begin(), s.end());
  double z = 0, expert_mean = 0, sq = 0;
  for (double v : s) z += std::exp(v - top);
  for (int i = 0; i < ne; ++i) expert_mean += r[i] / ne;
  const double log_partition = top + std::log(z) - std::log(double(N));
  const double L = expert_length;
  std::vector<float>& d_r = scratch_c_;
  d_r.resize(n);
  for (int i = 0; i < ne; ++i) d_r[i] = static_cast<float>(-L / ne);
  for (int j = 0; j < N; ++j) {
    const double w = std::exp(s[j] - top) / z;
    sq += w * w;
    for (int t = 0; t < T; ++t) d_r[ne + t * N + j] = static_cast<float>(L / T * w);
  }
  if (ess) *ess = 1 / sq;
  BackwardF(nullptr, n, pass_, d_r.data(), grads);
  return -L * expert_mean + log_partition * (L / T);
}

void InitLikeTorchLinear(Discriminator& disc) {
  torch::NoGradGuard no_grad;
  for (const nn::MlpLayout* mlp : {&disc.g(), &disc.h()}) {
    if (mlp->sizes.empty()) continue;
    for (int l = 0; l < mlp->layers(); ++l) {
      torch::nn::Linear linear(mlp->sizes[l], mlp->sizes[l + 1]);
      std::copy_n(linear->weight.contiguous().data_ptr<float>(), linear->weight.numel(),
                  disc.params().data() + mlp->weight(l));
      std::copy_n(linear->bias.data_ptr<float>(), linear->bias.numel(),
                  disc.params().data() + mlp->bias(l));
    }
  }
}

}  // namespace irlab
