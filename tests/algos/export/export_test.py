"""irlab export from PyTorch: the modules export_test.cc wrote, loaded with
torch.jit.load (Debian's python3-torch), reproduce irlab's own actions, learned
rewards and potential; the demonstrations are read with h5py as the README shows.
Usage: export_test.py FIXTURE_DIR DEMOS_H5 (run by ctest after export_test)."""
import csv
import json
import sys
from pathlib import Path

import h5py
import torch

fixture, demos = Path(sys.argv[1]), sys.argv[2]
ref = json.loads((fixture / "reference.json").read_text())
n = ref["rows"]

# the README's snippet
with h5py.File(demos) as f:
    obs, act = f["observations"][:], f["actions"][:]
    next_obs, done = f["next_observations"][:], f["terminals"][:]
    task = f.attrs["task"].decode()
assert task == "Pendulum", task
obs, act = torch.from_numpy(obs[:n]), torch.from_numpy(act[:n]).clone()
next_obs, done = torch.from_numpy(next_obs[:n]), torch.from_numpy(done[:n]).float()
act[:: ref["scaled_action_rows_every"], 0] *= 3  # as the C++ test: some actions past the bounds


def check(got, want, what):
    want = torch.tensor(want, dtype=torch.float32).reshape(got.shape)
    err = (got - want).abs().max().item()
    assert torch.allclose(got, want, rtol=1e-5, atol=1e-5), f"{what}: max error {err}"
    print(f"{what}: {got.numel()} values match irlab's (max error {err:.2e})")


with torch.no_grad():
    policy = torch.jit.load(str(fixture / "airl_policy.pt"))
    assert policy.metadata["task"] == "Pendulum" and policy.act_dim == 1
    check(policy(obs), ref["actions"], "policy mean action")
    check(policy.sample(obs, torch.zeros(n, 1)), ref["actions"], "policy sample with zero noise")
    assert [name for name, _ in policy.named_parameters()][:3] == ["log_std", "actor.fc0.weight", "actor.fc0.bias"]

    for run in ("airl", "gail"):
        extra = {"metadata.json": ""}
        reward = torch.jit.load(str(fixture / f"{run}_reward.pt"), _extra_files=extra)
        meta = json.loads(extra["metadata.json"])
        assert meta["algo"] == run and meta["what"] == "reward" and meta["obs_dim"] == 3, meta
        check(reward(obs, act, next_obs, done), ref[f"{run}_rewards"], f"{run} reward")

    potential = torch.jit.load(str(fixture / "airl_potential.pt"))
    check(potential(obs), ref["airl_potential"], "airl potential")
    shaping = potential.shaping(obs, next_obs, done)
    h, h_next = potential(obs), potential(next_obs)
    assert torch.allclose(shaping, potential.gamma * (1 - done) * h_next - h)

# metrics.csv loads with csv.DictReader: the evaluation of the last round is a column
rows = list(csv.DictReader(open(fixture / "airl" / "metrics.csv")))
assert "eval_return" in rows[-1] and rows[-1]["eval_return"] != "", rows[-1].keys()
assert rows[0]["eval_return"] == "", rows[0]  # rounds without an evaluation: empty cells
print(f"metrics.csv: {len(rows)} rows, last eval_return {float(rows[-1]['eval_return']):.2f}")
print("export_test.py: OK")
