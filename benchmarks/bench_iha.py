"""Benchmark: the 33 IHA parameters + EFC, qingliu vs eflowcalc on the indices both compute.

Run by hand: ``.venv/bin/python benchmarks/bench_iha.py [--stations 1000] [--peer-stations 100]``
(needs ``pip install eflowcalc`` for the comparison; without it only qingliu is timed).

Synthetic daily flows: a seasonal cycle, slow AR(1) wetness and storm pulses with
recession, 50 water years (October-September) per station, seeded. Prints:

1. qingliu: all 33 IHA parameters and the 34 EFC parameters for ``--stations`` stations
   (target in issue 5: 1,000 stations × 50 years in <= 10 s on this machine);
   Wall-clock and CPU seconds are both printed: on a shared machine the CPU time is the
   honest measure;
2. side by side on ``--peer-stations`` series: eflowcalc (Olden and Poff 2003 indices) on the
   32 indices that are IHA parameters (ma12-ma23 monthly means, dl1-dl5 and dh1-dh5 annual
   extremes, ml17 base flow, tl1/th1 dates, fl1/fh1 and dl16/dh15 pulses, ra1/ra3/ra8 rates
   and reversals), then qingliu's 33 IHA parameters + EFC on the same series, and the ratio;
3. agreement on the indices defined identically in both (mean over years of the annual 1-day
   minimum and maximum, dl1 and dh1; mean monthly flows ma12-ma23 but February). The other shared indices
   differ by definition (eflowcalc's moving means run across water years, its pulse
   thresholds use another percentile rule, its base flow divides by the record's mean flow).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from qingliu.assess.daily import DailyFlows
from qingliu.assess.efc import efc_array
from qingliu.assess.iha import iha_array

YEARS = 50


def synthetic(stations: int, years: int = YEARS, seed: int = 20240605) -> DailyFlows:
    """Daily flows (m3/s) with a seasonal cycle, slow wet/dry spells and storm pulses."""
    dates = pd.date_range(f"{2025 - years}-10-01", "2025-09-30", freq="D")
    rng = np.random.default_rng(seed)
    t = len(dates)
    season = np.sin(2 * np.pi * (dates.day_of_year.to_numpy() - 120) / 365.25)
    base = np.exp(rng.normal(1.0, 0.5, (stations, 1)) + 0.8 * season[None, :])
    wetness = lfilter([1.0], [1.0, -0.98], rng.normal(0.0, 0.03, (stations, t)), axis=1)
    storms = (rng.random((stations, t)) < 0.03) * rng.gamma(2.0, 3.0, (stations, t))
    quick = lfilter([1.0], [1.0, -0.7], storms, axis=1)
    q = base * (np.exp(wetness) + quick)
    return DailyFlows(np.array([f"S{i:04d}" for i in range(stations)]), dates, q)


def run_qingliu(daily: DailyFlows) -> tuple[float, float]:
    """Wall-clock and CPU seconds of the 33 IHA parameters and the EFC (IHA's default statistics)."""
    wall, cpu = time.perf_counter(), time.process_time()
    iha_array(daily)
    efc_array(daily)
    return time.perf_counter() - wall, time.process_time() - cpu


def run_eflowcalc(daily: DailyFlows):
    import eflowcalc as efc

    names = [f"ma{i}" for i in range(12, 24)] + [f"dl{i}" for i in range(1, 6)] + [f"dh{i}" for i in range(1, 6)]
    names += ["ml17", "tl1", "th1", "fl1", "fh1", "dl16", "dh15", "ra1", "ra3", "ra8"]
    functions = [getattr(efc, name) for name in names]
    datetimes = daily.dates.to_pydatetime()
    wall, cpu = time.perf_counter(), time.process_time()
    values = efc.calculator(functions, datetimes, daily.q.T, drainage_area=100.0, hydro_year="01/10")
    return time.perf_counter() - wall, time.process_time() - cpu, dict(zip(names, values, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--peer-stations", type=int, default=100)
    args = parser.parse_args()

    daily = synthetic(args.stations)
    wall, cpu = run_qingliu(daily)
    print(f"qingliu: 33 IHA parameters + 34 EFC, {args.stations} stations × {YEARS} years: "
          f"{wall:.2f} s wall, {cpu:.2f} s CPU (target <= 10 s)")

    peer = daily.select(np.arange(min(args.peer_stations, args.stations)))
    try:
        peer_wall, peer_cpu, peer_values = run_eflowcalc(peer)
    except ImportError:
        print("eflowcalc is not installed (pip install eflowcalc): no comparison")
        return
    ours_wall, ours_cpu = run_qingliu(peer)
    n = len(peer.stations)
    print(f"eflowcalc: 32 shared indices, {n} series × {YEARS} years: {peer_wall:.2f} s wall, {peer_cpu:.2f} s CPU")
    print(f"qingliu:   33 IHA + 34 EFC,     {n} series × {YEARS} years: {ours_wall:.2f} s wall, {ours_cpu:.2f} s CPU")
    print(f"ratio eflowcalc / qingliu: {peer_cpu / ours_cpu:.1f}× CPU, {peer_wall / ours_wall:.1f}× wall")

    # agreement where the definitions coincide (parametric statistics: means over water years);
    # February (ma13) differs by definition: eflowcalc averages all February days, IHA averages
    # the monthly means of the years, which weigh 28- and 29-day Februaries alike
    _, _, parametric = iha_array(peer, statistic="parametric")
    yearly_mean = np.nanmean(parametric, axis=1)  # (S, 33)
    checks = {"dl1": yearly_mean[:, 12], "dh1": yearly_mean[:, 17]}
    for k, name in enumerate(f"ma{i}" for i in range(12, 24)):  # ma12 = January ... ma23 = December
        if name != "ma13":
            checks[name] = yearly_mean[:, (k + 3) % 12]  # our months start in October
    worst = max(float(np.max(np.abs(checks[k] / peer_values[k] - 1))) for k in checks)
    print(f"agreement on dl1, dh1 and the monthly means but February: largest relative difference {worst:.1e} "
          "(eflowcalc computes in float32)")


if __name__ == "__main__":
    main()
