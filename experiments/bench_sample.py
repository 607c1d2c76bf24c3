"""The runs of ``dialer-sim bench``'s ``screening_sample`` workload: a fixed sample of the full default sweep.

The full default of :mod:`experiments.screening_starvation` is 75 points (every
strategy at every adoption level, the two baselines, the mixed population and
the message case) times 5 replications: 375 runs of the 30-day, 40,000-number
campaign. The sample takes every :data:`STRIDE`-th point (points 0, 7, ..., 70)
and, of the ``j``-th point taken, replication ``j mod 5``. Because 7 and the 10
adoption levels per strategy share no factor, the 11 runs cover the answer-all
baseline, all 7 swept strategies and all 10 adoption levels from 10 % to 100 %,
and every replication's seed (docs/bench.md, "The full screening sweep").

Each run is the experiment's own: its point's dotted overrides on the
experiment's configuration file and the seed the experiment's sweep gives that
(point, replication) (:func:`dialer_sim.sweep.build_sweep`, common random
numbers), as plain JSON, so that a bench child of any revision can rebuild it with
``load_config``, ``apply_overrides`` and ``run`` alone.

``python -m experiments.bench_sample`` prints the runs as one JSON list (the
bench reads them so, which keeps ``dialer_sim`` free of imports of
``experiments``).
"""

from __future__ import annotations

import json
import sys

import dialer_sim as ds
from dialer_sim.sweep import build_sweep
from experiments import screening_starvation as S

__all__ = ["STRIDE", "screening_sample"]

#: Every STRIDE-th point of the full default sweep is in the sample.
STRIDE = 7


def screening_sample() -> list[dict]:
    """The sample's runs, in point order: labels, overrides, config file and seed, as plain JSON values.

    Returns
    -------
    list of dict
        Per run: ``point`` and ``replication`` (indices in the full default
        sweep), ``params`` (its labels), ``overrides`` (dotted keys),
        ``config`` (the configuration file's path), ``entropy`` and
        ``spawn_key`` (its ``numpy.random.SeedSequence``).
    """
    points = S.points(S.LEVELS)
    spec = build_sweep(ds.load_config(S.CONFIG), points, replications=S.REPLICATIONS, seed=S.SEED,
                       name="screening_starvation")
    runs = []
    for j, p in enumerate(range(0, len(points), STRIDE)):
        r = j % S.REPLICATIONS
        runs.append({"point": p, "replication": r, "params": dict(points[p].params),
                     "overrides": dict(points[p].overrides), "config": str(S.CONFIG), "entropy": spec.seed,
                     "spawn_key": list(spec.spawn_key(p, r))})
    return runs


if __name__ == "__main__":
    json.dump(screening_sample(), sys.stdout)
