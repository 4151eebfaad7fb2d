"""Benchmark: GB 3838-2002 single-factor classification, qingliu vs a plain pandas version.

Run by hand: ``.venv/bin/python benchmarks/bench_classify.py [--rows 10000000] [--repeat 3]``.
Both classify the same random matrix (10 items, 1 % missing); the script checks that they
agree, then prints seconds, values per second and the ratio. Target (issue 3): 10 million
samples × 10 items in <= 1 s on one core.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from qingliu.assess.quality import classify, load_method
from qingliu.standards import load_class_limits

CODES = ["ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "cu", "zn", "hg"]


def make_values(rows: int, seed: int = 20240601) -> np.ndarray:
    """Lognormal concentrations around each item's class III limit; pH ~ N(7.8, 0.8); 1 % NaN."""
    limits = load_class_limits()
    rng = np.random.default_rng(seed)
    values = np.empty((rows, len(CODES)))
    for j, code in enumerate(CODES):
        if code == "ph":
            values[:, j] = rng.normal(7.8, 0.8, rows)
        else:
            values[:, j] = limits.limit(code, 3) * rng.lognormal(0.0, 0.8, rows)
    values[rng.random(values.shape) < 0.01] = np.nan
    return values


def pandas_classify(frame: pd.DataFrame) -> pd.Series:
    """The straightforward way: ``pd.cut`` per column, then the row maximum."""
    limits = load_class_limits()
    classes = {}
    for code in frame.columns:
        col = frame[code]
        if code in limits.range_items:
            low, high = limits.range_items[code]
            classes[code] = pd.Series(np.where(col.between(low, high), 1, 6), index=col.index).where(col.notna())
            continue
        lims = limits.river[limits.row(code)]
        if limits.upper[limits.row(code)]:
            edges = np.unique(lims)
            labels = [1 + int((lims < e).sum()) for e in edges] + [6]
            classes[code] = pd.cut(col, [-np.inf, *edges, np.inf], labels=labels, right=True).astype(float)
        else:
            edges = np.unique(lims)  # DO: value >= limit, bins closed on the left
            labels = [6] + [1 + int((lims > e).sum()) for e in edges]
            classes[code] = pd.cut(col, [-np.inf, *edges, np.inf], labels=labels, right=False).astype(float)
    table = pd.DataFrame(classes)
    evaluated = [c for c in frame.columns if c in load_method().evaluated]
    return table[evaluated].max(axis=1).fillna(0).astype(np.uint8)


def best_of(repeat: int, func) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    values = make_values(args.rows)
    n_values = values.size
    frame = pd.DataFrame(values, columns=CODES)
    water_body = np.where(np.arange(args.rows) % 4 == 0, "reservoir", "river").astype(object)

    ours, result = best_of(args.repeat, lambda: classify(values, CODES))
    fortran, _ = best_of(args.repeat, lambda: classify(frame.to_numpy(), CODES))
    mixed, _ = best_of(args.repeat, lambda: classify(values, CODES, water_body=water_body))
    worst, _ = best_of(1, lambda: result.worst)
    theirs, expected = best_of(1, lambda: pandas_classify(frame))
    assert np.array_equal(result.sample_class, expected.to_numpy()), "qingliu and pandas disagree"

    print(f"{args.rows:,} samples x {len(CODES)} items = {n_values:,} values (best of {args.repeat})")
    print(f"qingliu classify, C order        {ours:8.3f} s  {n_values / ours / 1e6:8.1f} M values/s")
    print(f"qingliu classify, pandas F order {fortran:8.3f} s  {n_values / fortran / 1e6:8.1f} M values/s")
    print(f"qingliu, water body per sample   {mixed:8.3f} s")
    print(f"qingliu ClassResult.worst        {worst:8.3f} s")
    print(f"pandas pd.cut per column + max   {theirs:8.3f} s  {n_values / theirs / 1e6:8.1f} M values/s")
    print(f"ratio pandas / qingliu           {theirs / ours:8.1f} x")


if __name__ == "__main__":
    main()
