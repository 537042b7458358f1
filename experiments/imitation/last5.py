#!/usr/bin/python3
"""Per-run figures of issue 21's trials, for runs still going or with settings the table
files do not group by (several budgets in one sweep directory).

    /usr/bin/python3 experiments/imitation/last5.py SWEEP_DIR

For each run directory (one holding metrics.csv) under SWEEP_DIR, grouped by its parent:
the mean of its last 5 evaluations of eval_normalized_score, the best evaluation, the first
step at which the rolling mean of 5 evaluations reached 0.9 ("never" when it did not), and the
step of its last evaluation. `irlab table` with `last = 5` and `reach = 0.9` gives the
same figures for finished runs.
"""
import csv
import glob
import os
import statistics
import sys


def summarise(run):
    with open(os.path.join(run, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    evals = [(int(r["step"]), float(r["eval_normalized_score"]))
             for r in rows if r.get("eval_normalized_score") not in (None, "")]
    if not evals:
        return None
    scores = [s for _, s in evals]
    reach = 0
    for k in range(5, len(scores) + 1):
        if statistics.mean(scores[k - 5:k]) >= 0.9:
            reach = evals[k - 1][0]
            break
    return dict(last5=statistics.mean(scores[-5:]), peak=max(scores), reach=reach, step=evals[-1][0])


def reach_text(step):
    return f"{step / 1e3:.0f}k" if step else "never"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    groups = {}
    for path in sorted(glob.glob(os.path.join(root, "**", "metrics.csv"), recursive=True)):
        run = os.path.dirname(path)
        figures = summarise(run)
        if figures:
            groups.setdefault(os.path.dirname(run), []).append((os.path.basename(run), figures))
    for group, runs in groups.items():
        mean = statistics.mean(f["last5"] for _, f in runs)
        cells = "  ".join(f"{name}: {f['last5']:.2f} (peak {f['peak']:.2f}, reach {reach_text(f['reach'])}, "
                          f"at {f['step'] / 1e3:.0f}k)" for name, f in runs)
        print(f"{os.path.relpath(group, root)}: last-5 mean {mean:.3f}  {cells}")


if __name__ == "__main__":
    main()
