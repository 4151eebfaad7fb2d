"""Benchmark: Mann-Kendall + Sen's slope, qingliu vs pymannkendall 1.4.3.

Run by hand: ``.venv/bin/python benchmarks/bench_trend.py [--repeat 3]``.

Targets (issue 3): MK + Sen on one series of n = 50,000 in <= 0.1 s; 10,000 series of 120
months in <= 2 s (batched). pymannkendall builds all n²/2 slopes and loops in Python, so it
is timed side by side only where it can run (one series of n = 2,000; 100 series × 120
months, one call per series); the script checks that both give the same S, var(S), z, p,
slope and intercept there, then prints seconds and the ratio. Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from qingliu.assess.trend import mann_kendall, seasonal_kendall

TARGET_LONG_S = 0.1
TARGET_BATCH_S = 2.0


def series(m: int, n: int, seed: int = 20110309) -> np.ndarray:
    """m series of n values: a weak trend, a seasonal cycle, noise, values at 0.01 (ties), 2 % missing."""
    rng = np.random.default_rng(seed)
    step = np.arange(n)
    y = 1.0 + 0.001 * step + 0.3 * np.sin(2 * np.pi * step / 12) + rng.lognormal(0.0, 0.5, (m, n))
    y = np.round(y, 2)
    y[rng.random(y.shape) < 0.02] = np.nan
    return y


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def check_equal(ours, refs) -> None:
    """The fields pymannkendall gives, equal to 1e-9 (absolute or relative)."""
    for i, ref in enumerate(refs):
        got = [ours.s[i], ours.var_s[i], ours.z[i], ours.p[i], ours.slope[i], ours.intercept[i]]
        want = [ref.s, ref.var_s, ref.z, ref.p, ref.slope, ref.intercept]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
        assert ours.trend[i] == ref.trend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    import pymannkendall as mk  # the reference, for benchmarks and tests only

    months = np.arange("1990-01", "2000-01", dtype="datetime64[M]").astype("datetime64[D]")
    print(f"{'case':<46}{'qingliu s':>11}{'pymannkendall s':>17}{'ratio':>9}")

    # side by side where pymannkendall can run
    one = series(1, 2000)
    ours_t, ours = best(lambda: mann_kendall(one), repeat)
    ref_t, ref = best(lambda: [mk.original_test(one[0])], repeat)
    check_equal(ours, ref)
    print(f"{'MK + Sen, 1 series, n = 2,000':<46}{ours_t:>11.4f}{ref_t:>17.4f}{ref_t / ours_t:>8.0f}x")

    hundred = series(100, 120)
    ours_t, ours = best(lambda: mann_kendall(hundred), repeat)
    ref_t, ref = best(lambda: [mk.original_test(row) for row in hundred], repeat)
    check_equal(ours, ref)
    print(f"{'MK + Sen, 100 series x 120 months':<46}{ours_t:>11.4f}{ref_t:>17.4f}{ref_t / ours_t:>8.0f}x")

    ours_t, ours = best(lambda: seasonal_kendall(hundred, 12), repeat)
    ref_t, ref = best(lambda: [mk.seasonal_test(row, period=12) for row in hundred], repeat)
    check_equal(ours, ref)
    print(f"{'seasonal Kendall, 100 series x 120 months':<46}{ours_t:>11.4f}{ref_t:>17.4f}{ref_t / ours_t:>8.0f}x")

    # the targets (pymannkendall: ~10 GB of slopes for n = 50,000; minutes for 10,000 series)
    long = series(1, 50_000)
    long_t, _ = best(lambda: mann_kendall(long), repeat)
    flag = "ok" if long_t <= TARGET_LONG_S else "OVER TARGET"
    print(f"{'MK + Sen, 1 series, n = 50,000':<46}{long_t:>11.4f}{'':>26}  target {TARGET_LONG_S} s: {flag}")
    days = np.datetime64("1900-01-01") + np.arange(50_000)
    long_t, _ = best(lambda: mann_kendall(long, days), repeat)
    print(f"{'  + Sen per year with 95 % limits (daily dates)':<46}{long_t:>11.4f}")

    batch = series(10_000, 120)
    for label, times in (
        ("MK + Sen, 10,000 series x 120 months", None),
        ("  + Sen per year, 95 % limits (months)", months),
    ):
        batch_t, _ = best(lambda: mann_kendall(batch, times), repeat)  # noqa: B023 (called at once)
        flag = "ok" if batch_t <= TARGET_BATCH_S else "OVER TARGET"
        print(f"{label:<46}{batch_t:>11.4f}{'':>26}  target {TARGET_BATCH_S} s: {flag}")
    batch_t, _ = best(lambda: seasonal_kendall(batch, 12, times=months), repeat)
    print(f"{'seasonal Kendall + Sen per year, 10,000 x 120':<46}{batch_t:>11.4f}")


if __name__ == "__main__":
    main()
