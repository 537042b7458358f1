// Anchors the precompiled LibTorch header that other torch targets reuse.
#include "algos/common/torch_pch.h"
