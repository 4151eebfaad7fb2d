"""Benchmark: P-III fits of many stations, by moments and L-moments, vs a per-station loop.

Run by hand: ``.venv/bin/python benchmarks/bench_frequency.py [--stations 10000] [--years 60]``.
Needs the peer ``lmoments3`` (``.venv/bin/pip install lmoments3``; benchmark only, not a
dependency). qingliu estimates every station at once (:func:`qingliu.assess.frequency.estimate`)
and computes the design values at 7 return periods; the peers loop over stations:
``lmoments3.distr.pe3.lmom_fit`` for L-moments, and numpy/``scipy.stats.skew`` for moments.
The loops run on ``--peer-stations`` stations and are scaled to the full count. The script
checks that both give the same parameters, then prints seconds and the ratio.
Target (issue 8): 10,000 stations × 60 years in <= 2 s by moments and by L-moments.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats

from qingliu.assess.frequency import estimate, quantile, return_period_probability

RETURN_PERIODS = np.array([2, 5, 10, 20, 50, 100, 1000])


def make_peaks(stations: int, years: int, seed: int = 8) -> np.ndarray:
    """Annual peaks from P-III curves with Cv 0.3-0.8 and Cs = 2.5-3.5 Cv, 1 % missing years."""
    rng = np.random.default_rng(seed)
    mean = rng.uniform(50, 5000, (stations, 1))
    cv = rng.uniform(0.3, 0.8, (stations, 1))
    cs = cv * rng.uniform(2.5, 3.5, (stations, 1))
    x = mean * (1 + cv * stats.pearson3.rvs(cs, size=(stations, years), random_state=rng))
    x[rng.random(x.shape) < 0.01] = np.nan
    return x


def best_of(repeat: int, func):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def qingliu_fit(x: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    params = estimate(x, "p3", method)
    return params, quantile("p3", params, return_period_probability(RETURN_PERIODS))


def loop_lmoments3(x: np.ndarray) -> np.ndarray:
    from lmoments3 import distr

    out = np.empty((x.shape[0], 3))
    for i, row in enumerate(x):
        fit = distr.pe3.lmom_fit(row[np.isfinite(row)])
        out[i] = fit["loc"], fit["scale"] / fit["loc"], fit["skew"]
    return out


def loop_moments(x: np.ndarray) -> np.ndarray:
    out = np.empty((x.shape[0], 3))
    for i, row in enumerate(x):
        row = row[np.isfinite(row)]
        mean = row.mean()
        out[i] = mean, row.std(ddof=1) / mean, stats.skew(row, bias=False)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=60)
    parser.add_argument("--peer-stations", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    x = make_peaks(args.stations, args.years)
    peer_x = x[: args.peer_stations]
    scale = args.stations / peer_x.shape[0]
    print(f"{args.stations} stations × {args.years} years; peers on {peer_x.shape[0]} stations, scaled ×{scale:g}")
    for method, peer_name, peer in (("moments", "numpy/scipy.stats.skew loop", loop_moments),
                                    ("lmoments", "lmoments3 pe3.lmom_fit loop", loop_lmoments3)):
        ours, (params, _) = best_of(args.repeat, lambda m=method: qingliu_fit(x, m))
        theirs, reference = best_of(1, lambda p=peer: p(peer_x))
        np.testing.assert_allclose(params[: peer_x.shape[0]], reference, rtol=1e-4)
        theirs *= scale
        verdict = "OK" if ours <= 2.0 else "SLOWER THAN TARGET"
        print(f"{method:9s} qingliu {ours:7.3f} s (incl. 7 design values)   {peer_name} {theirs:8.2f} s   "
              f"ratio {theirs / ours:7.1f}×   target <= 2 s: {verdict}")


if __name__ == "__main__":
    main()
