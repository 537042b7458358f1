// The one precompiled header for translation units that use LibTorch.
// (~30 s to parse <torch/torch.h> otherwise; keep it out of other headers.)
#pragma once
#include <torch/torch.h>
