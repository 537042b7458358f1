// MinimizeLbfgs on objectives whose minimum is known: an ill-conditioned
// quadratic, Rosenbrock's valley, a start at the minimum, and the iteration
// budget.
#include "algos/tabular/lbfgs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace irlab::tabular {
namespace {

// f(x) = 1/2 sum_i a_i (x_i - c_i)^2: minimum 0 at c, condition number 1000.
double Quadratic(const std::vector<double>& x, std::vector<double>* grad) {
  const double a[] = {1, 10, 1000}, c[] = {1, -2, 0.5};
  double f = 0;
  for (int i = 0; i < 3; ++i) {
    f += 0.5 * a[i] * (x[i] - c[i]) * (x[i] - c[i]);
    (*grad)[i] = a[i] * (x[i] - c[i]);
  }
  return f;
}

// Rosenbrock's function: minimum 0 at (1, 1) at the end of a curved valley.
double Rosenbrock(const std::vector<double>& x, std::vector<double>* grad) {
  const double u = 1 - x[0], v = x[1] - x[0] * x[0];
  (*grad)[0] = -2 * u - 400 * x[0] * v;
  (*grad)[1] = 200 * v;
  return u * u + 100 * v * v;
}

TEST(LbfgsTest, QuadraticReachesItsMinimumWithFallingValues) {
  std::vector<double> x = {0, 0, 0};
  const std::vector<LbfgsStep> steps = MinimizeLbfgs(Quadratic, &x, LbfgsOptions{});
  ASSERT_GE(steps.size(), 2u);
  EXPECT_EQ(steps[0].iteration, 0);
  EXPECT_DOUBLE_EQ(steps[0].value, 145.5);  // f at the start
  for (size_t k = 1; k < steps.size(); ++k) {
    EXPECT_EQ(steps[k].iteration, static_cast<int>(k));
    EXPECT_LT(steps[k].value, steps[k - 1].value) << "step " << k;  // Armijo: every step descends
  }
  EXPECT_LT(steps.back().grad_norm, 1e-6);
  EXPECT_NEAR(x[0], 1, 1e-6);
  EXPECT_NEAR(x[1], -2, 1e-6);
  EXPECT_NEAR(x[2], 0.5, 1e-8);
}

TEST(LbfgsTest, RosenbrockFollowsTheValleyToOneOne) {
  std::vector<double> x = {-1.2, 1};
  const std::vector<LbfgsStep> steps = MinimizeLbfgs(Rosenbrock, &x, LbfgsOptions{});
  EXPECT_DOUBLE_EQ(steps[0].value, 24.2);  // 2.2^2 + 100 * 0.44^2
  EXPECT_NEAR(x[0], 1, 1e-5);
  EXPECT_NEAR(x[1], 1, 1e-5);
  EXPECT_LT(steps.back().value, 1e-10);
  EXPECT_LE(steps.back().evaluations, LbfgsOptions{}.max_evaluations);
}

TEST(LbfgsTest, AStartAtTheMinimumTakesNoStep) {
  std::vector<double> x = {1, -2, 0.5};
  const std::vector<LbfgsStep> steps = MinimizeLbfgs(Quadratic, &x, LbfgsOptions{});
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].value, 0);
  EXPECT_EQ(steps[0].grad_norm, 0);
  EXPECT_EQ(x, (std::vector<double>{1, -2, 0.5}));
}

TEST(LbfgsTest, StopsAtTheIterationBudget) {
  std::vector<double> x = {-1.2, 1};
  LbfgsOptions options;
  options.max_iterations = 3;
  const std::vector<LbfgsStep> steps = MinimizeLbfgs(Rosenbrock, &x, options);
  ASSERT_EQ(steps.size(), 4u);  // the start and three accepted steps
  EXPECT_EQ(steps.back().iteration, 3);
  EXPECT_GT(steps.back().value, 1e-3);  // far from done
}

}  // namespace
}  // namespace irlab::tabular
