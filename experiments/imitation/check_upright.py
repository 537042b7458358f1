#!/usr/bin/python3
"""Does an expert's demonstration file show the body upright in every episode?

Issue 21 found fixed-horizon experts that run on their back (HalfCheetahFixed) or
crawl and roll (HopperFixed, Walker2dFixed); an expert is chosen by this check, then by
its own evaluation, before any imitation run uses its demonstrations
(experiments/results/adversarial.md, "From scratch").

    /usr/bin/python3 experiments/imitation/check_upright.py DEMOS.h5 cheetah|hopper|walker [-v]

With the x position in the observation (the fixed-horizon tasks), observation 1 is the
torso's height and observation 2 its angle. An episode counts as upright when
  cheetah: |angle| < 1.5 rad at every step;
  hopper, walker: height > 0.8 and |angle| < 1.0 rad at every step.
Prints the episodes that fail (all with -v) and the count; exits 1 unless all pass.
"""
import sys

import h5py
import numpy as np


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in ("cheetah", "hopper", "walker"):
        sys.exit(__doc__)
    path, kind, verbose = sys.argv[1], sys.argv[2], "-v" in sys.argv[3:]
    with h5py.File(path, "r") as f:
        obs = f["observations"][:]
        rewards = f["rewards"][:]
        ids = f["episode_ids"][:]
    failed = 0
    episodes = np.unique(ids)
    for e in episodes:
        o, r = obs[ids == e], rewards[ids == e]
        angle = np.abs(o[:, 2]).max()
        if kind == "cheetah":
            upright = angle < 1.5
            info = f"max |angle| {angle:.2f}"
        else:
            height = o[:, 1].min()
            upright = height > 0.8 and angle < 1.0
            info = f"min height {height:.2f}, max |angle| {angle:.2f}"
        failed += not upright
        if verbose or not upright:
            print(f"episode {e}: {info}, return {r.sum():.0f}{'' if upright else '  NOT UPRIGHT'}")
    returns = [rewards[ids == e].sum() for e in episodes]
    print(f"{path}: upright in {len(episodes) - failed} of {len(episodes)} episodes; "
          f"return {np.mean(returns):.0f} +- {np.std(returns):.0f}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
