"""Baseflow separation (基流分割) by recursive digital filters, and the baseflow index (BFI).

Filters (numbers in ``standards/ecoflow.toml``, ``[baseflow]``):

* Lyne–Hollick (Lyne and Hollick 1979; Nathan and McMahon 1990): quickflow
  f_t = α·f_{t−1} + (1 + α)/2·(Q_t − Q_{t−1}), baseflow b_t = Q_t − f_t, with quickflow kept
  non-negative (b_t ≤ Q_t). Written for baseflow: b_t = min(Q_t, α·b_{t−1} + (1 − α)/2·(Q_t +
  Q_{t−1})). α = 0.925, three passes — forward, backward, forward — each filtering the
  baseflow of the pass before (Ladson et al. 2013). The first day of a pass starts at
  b = its input.
* Eckhardt (2005): b_t = min(Q_t, [(1 − BFImax)·α·b_{t−1} + (1 − α)·BFImax·Q_t] / (1 − α·BFImax)),
  α = 0.98, BFImax = 0.80 (perennial stream, porous aquifer; 0.50 ephemeral porous, 0.25
  perennial hard rock). One forward pass starting at b = Q on the first day.

Both filters have the form b_t = min(Q_t, a·b_{t−1} + u_t) with a ≥ 0. Because an affine map
with a ≥ 0 commutes with min, the clamped recursion has the closed form
b_t = L_t + min(0, min_{k≤t} a^{t−k}·(Q_k − L_k)), where L is the unclamped filter (a linear
recursion: :func:`scipy.signal.lfilter`, vectorised over stations). The discounted running
minimum is taken in logarithms, min_k −exp(ln|D_k| + (t − k)·ln a), as a running maximum of
ln|D_k| − k·ln a, so no day-by-day Python loop is needed and nothing overflows.

Missing days are not allowed inside a record (fill or reject them first,
:func:`qingliu.assess.daily.fill_gaps`); a station's days outside its record stay NaN.
BFI = Σ baseflow / Σ flow over the days with a value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from qingliu.assess.daily import DailyFlows, record_span
from qingliu.standards import load_toml

METHODS = ("lyne_hollick", "eckhardt")
BLOCK = 64
"""Stations filtered together (cache-sized blocks)."""


def clamped_filter(q: np.ndarray, a: float, u: np.ndarray, b0: np.ndarray) -> np.ndarray:
    """Solve b_t = min(q_t, a·b_{t−1} + u_t) for t ≥ 1 with b_0 = ``b0``, along the last axis.

    Parameters
    ----------
    q : float array (S, T)
        Upper bound of each day (the flow).
    a : float in [0, 1)
        Recession coefficient of the filter.
    u : float array (S, T)
        Input of each day (``u[:, 0]`` is not used).
    b0 : float array (S,)
        Value on the first day (at most ``q[:, 0]``).
    """
    if not 0 <= a < 1:
        raise ValueError(f"filter coefficient must lie in [0, 1), not {a}")
    t = q.shape[1]
    drive = np.array(u, dtype=float, copy=True)
    drive[:, 0] = b0
    free = lfilter([1.0], [1.0, -a], drive, axis=1)  # L: the filter without the clamp
    gap = q - free  # D_k; only negative values bind
    if a == 0:
        return np.minimum(q, free)
    log_a = np.log(a)
    k = np.arange(t)
    with np.errstate(divide="ignore"):
        score = np.where(gap < 0, np.log(np.where(gap < 0, -gap, 1.0)) - k * log_a, -np.inf)
    best = np.maximum.accumulate(score, axis=1)
    with np.errstate(over="ignore"):
        correction = -np.exp(best + k * log_a)  # 0 where no day has bound yet (exp(-inf))
    return np.minimum(free + correction, q)  # min() only absorbs rounding


def _pass(q: np.ndarray, a: float, u: np.ndarray) -> np.ndarray:
    return clamped_filter(q, a, u, q[:, 0])


def lyne_hollick(q: np.ndarray, alpha: float | None = None, passes: int | None = None) -> np.ndarray:
    """Lyne–Hollick baseflow of gap-free daily flows (S, T) (see the module notes)."""
    spec = load_toml("ecoflow")["baseflow"]["lyne_hollick"]
    alpha = spec["alpha"] if alpha is None else alpha
    passes = spec["passes"] if passes is None else passes
    b = np.asarray(q, dtype=float)
    for k in range(passes):  # a handful of passes over all stations and days at once
        x = b if k % 2 == 0 else b[:, ::-1]
        u = np.zeros_like(x)
        u[:, 1:] = (1 - alpha) / 2 * (x[:, 1:] + x[:, :-1])
        out = _pass(x, alpha, u)
        b = out if k % 2 == 0 else out[:, ::-1]
    return b


def eckhardt(q: np.ndarray, alpha: float | None = None, bfi_max: float | None = None) -> np.ndarray:
    """Eckhardt baseflow of gap-free daily flows (S, T) (see the module notes)."""
    spec = load_toml("ecoflow")["baseflow"]["eckhardt"]
    alpha = spec["alpha"] if alpha is None else alpha
    bfi_max = spec["bfi_max"] if bfi_max is None else bfi_max
    if not 0 < bfi_max <= 1:
        raise ValueError(f"BFImax must lie in (0, 1], not {bfi_max}")
    q = np.asarray(q, dtype=float)
    scale = 1 - alpha * bfi_max
    return _pass(q, (1 - bfi_max) * alpha / scale, (1 - alpha) * bfi_max * q / scale)


def separate(daily: DailyFlows, method: str = "lyne_hollick", **params: float) -> np.ndarray:
    """Baseflow (S, T) of every station over its record (NaN outside it)."""
    if method not in METHODS:
        raise ValueError(f"未知的基流分割方法 {method!r}，可选：{', '.join(METHODS)} / unknown method {method!r}; one of {', '.join(METHODS)}")
    first, last = record_span(daily.q)
    out = np.full(daily.q.shape, np.nan)
    inside = np.isfinite(daily.q)
    if (inside.sum(axis=1) != np.where(first >= 0, last - first + 1, 0)).any():
        raise ValueError("记录内有缺测日，请先补齐 / days missing inside a record: fill them first")
    for start, end in sorted({(int(f), int(l)) for f, l in zip(first, last, strict=True) if f >= 0}):
        rows = (first == start) & (last == end)  # stations sharing one record span
        for block in np.array_split(np.flatnonzero(rows), max(1, int(rows.sum()) // BLOCK)):
            segment = daily.q[block, start : end + 1]
            filtered = lyne_hollick(segment, **params) if method == "lyne_hollick" else eckhardt(segment, **params)
            out[block, start : end + 1] = filtered
    return out


def baseflow_index(daily: DailyFlows, baseflow: np.ndarray, start_month: int = 1) -> pd.DataFrame:
    """BFI of each station over its record and in each year with a value.

    Returns a frame ``station_id, year, n_days, q_mean, baseflow_mean, bfi``; ``year`` is
    empty on the row for the whole record. Years are labelled as water years starting in
    ``start_month`` (1 = calendar years).
    """
    month = daily.dates.month.to_numpy()
    year = daily.dates.year.to_numpy() + ((month >= start_month) & (start_month > 1))
    known = np.isfinite(daily.q) & np.isfinite(baseflow)
    years = np.unique(year)
    index = np.searchsorted(years, year)
    s, y = len(daily.stations), len(years)
    flat = (np.arange(s)[:, None] * y + index[None, :])[known]
    n = np.bincount(flat, minlength=s * y).reshape(s, y)
    q_sum = np.bincount(flat, weights=daily.q[known], minlength=s * y).reshape(s, y)
    b_sum = np.bincount(flat, weights=baseflow[known], minlength=s * y).reshape(s, y)
    rows = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for label, nn, qq, bb in (
            (np.full(s, pd.NA), n.sum(1), q_sum.sum(1), b_sum.sum(1)),
            (None, n, q_sum, b_sum),
        ):
            if label is None:
                si, yi = np.nonzero(n > 0)
                frame = pd.DataFrame({"station_id": daily.stations[si], "year": years[yi], "n_days": nn[si, yi],
                                      "q_mean": qq[si, yi] / nn[si, yi], "baseflow_mean": bb[si, yi] / nn[si, yi],
                                      "bfi": bb[si, yi] / qq[si, yi]})
            else:
                frame = pd.DataFrame({"station_id": daily.stations, "year": label, "n_days": nn, "q_mean": qq / nn,
                                      "baseflow_mean": bb / nn, "bfi": bb / qq})
            rows.append(frame)
    out = pd.concat(rows, ignore_index=True)
    out["year"] = out["year"].astype("Int64")
    return out
