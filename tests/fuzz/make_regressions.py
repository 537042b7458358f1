#!/usr/bin/python3
"""Regression inputs of the fuzz targets for the bad inputs issue 23 found and
fixed, made from the seeds irlab wrote (make_seeds.sh) by changing a value or
an attribute with h5py: each file is one bug, named for it. The test runner
(run_fuzzer.sh) runs every one through its target before the timed run; the
target fails on each of them if the fix it names is undone (checked for each
by building the target with the fix taken out).

Only the demonstration reader's bugs have inputs here: the importers had no
finding, and the checkpoint loader's (an archive whose tensor sizes exceed
their data records) is behind LibTorch, which the fuzz targets cannot link;
CheckpointTest.ATensorLargerThanItsDataIsRefusedByName makes that archive.

    make_regressions.py SEEDS_DIR OUT_DIR

Needs Debian's python3-h5py (tools/setup.sh installs it): /usr/bin/python3.
"""
import os
import shutil
import sys

import h5py
import numpy as np

seeds, out = sys.argv[1], sys.argv[2]


def tampered(target, seed, name, edit):
    """A copy of seeds/<target>/<seed> as out/<target>/<name>, changed by edit(file)."""
    os.makedirs(os.path.join(out, target), exist_ok=True)
    path = os.path.join(out, target, name)
    shutil.copyfile(os.path.join(seeds, target, seed), path)
    with h5py.File(path, "r+") as f:
        edit(f)


def poke(dataset, index, value):
    def edit(f):
        data = f[dataset][...]
        data[index] = value
        f[dataset][...] = data

    return edit


def set_attribute(**values):
    def edit(f):
        for key, value in values.items():
            f.attrs.modify(key, np.array(value, dtype=f.attrs[key].dtype))

    return edit


def edits(*steps):
    def edit(f):
        for step in steps:
            step(f)

    return edit


demo = "demo_file_fuzzer"
with h5py.File(os.path.join(seeds, demo, "demos.h5"), "r") as f:
    first_length = int(f["episodes/length"][0])
first_end = first_length - 1  # the first episode's last row
# sizes from attributes checked against the datasets before anything is sized
# (the episode table was sized from num_episodes first: std::bad_alloc, which
# the fuzzer reports as an allocation over its limit). Both counts, since a
# file with fewer transitions than episodes was refused already.
tampered(demo, "demos.h5", "num-episodes-and-transitions-1e12.h5",
         set_attribute(num_episodes=10**12, num_transitions=10**12))
# values every reader validates (train accepted each and trained on it; the
# target's own checks of an accepted file find each one)
tampered(demo, "demos.h5", "nan-reward.h5", poke("rewards", 3, np.nan))
tampered(demo, "demos.h5", "inf-action.h5", poke("actions", (2, 0), np.inf))
tampered(demo, "demos.h5", "nan-observation.h5", poke("observations", (4, 1), np.nan))
tampered(demo, "demos.h5", "episode-end-without-a-flag.h5",
         edits(poke("terminals", first_end, 0), poke("timeouts", first_end, 0)))
tampered(demo, "demos.h5", "wrong-episode-id.h5", poke("episode_ids", first_length + 1, 0))
tampered(demo, "demos.h5", "next-observation-jumps.h5", poke("next_observations", (1, 0), 1234.0))
tampered(demo, "demos.h5", "final-observation-differs.h5",
         poke("episodes/final_observation", (0, 0), 1234.0))

count = sum(len(files) for _, _, files in os.walk(out))
print(f"regressions: {count} files in {out}")
