"""Flood samples with extraordinary historical floods, and their plotting positions (经验频率).

SL 44-2006 treats a measured (systematic) record of n years together with a extraordinary
floods (特大洪水) known to be the a largest in an N-year period (N counted from the earliest
historical flood to the last year of record); l of them fall inside the measured record.
Such a series is discontinuous (不连序系列), and its empirical frequencies are:

* extraordinary floods, rank M = 1..a in N years: P_M = M/(N + 1);
* the other measured floods, rank m = l+1..n in the measured record,
  - unified sample (统一样本法): P_m = P_Ma + (1 - P_Ma)·(m - l)/(n - l + 1), P_Ma = a/(N + 1);
  - independent samples (独立样本法): P_m = m/(n + 1).

A continuous series (连序系列) has P_m = m/(n + 1) (the Weibull position; SL 44-2006).
The moments of a discontinuous series weight each of the n - l ordinary floods by
(N - a)/(n - l) (SL 44-2006, moments with historical floods):
x̄ = [Σ_a x_j + (N - a)/(n - l)·Σ_{n-l} x_i] / N, and S, Cs likewise with N - 1 and
N/[(N - 1)(N - 2)] [M: the Cs form follows the continuous formula; the standard itself fixes
Cs by curve fitting].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FORMULAS = ("unified", "independent")
KIND_ZH = {"historical": "历史洪水", "extraordinary": "实测特大洪水", "measured": "实测洪水"}


def weibull_positions(x: np.ndarray) -> np.ndarray:
    """Empirical exceedance frequency P = m/(n + 1) of each value, m its rank from the largest.

    SL 44-2006 (continuous series). Ties get consecutive ranks in their input order. NaN
    values get NaN and do not count in n. Vectorised over leading axes: ``x`` (..., n).
    """
    x = np.asarray(x, dtype=float)
    finite = np.isfinite(x)
    order = np.argsort(np.where(finite, -x, np.inf), axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, x.shape[-1] + 1), axis=-1)
    n = finite.sum(axis=-1, keepdims=True)
    return np.where(finite, ranks / (n + 1.0), np.nan)


@dataclass(frozen=True)
class FloodSample:
    """A measured record with the extraordinary floods of a longer period (不连序系列).

    Parameters
    ----------
    measured : the n annual values of the measured record (all of them, including the l
        extraordinary floods that occurred in it).
    extraordinary : the a extraordinary floods of the N-year period (historical and in-record).
    in_record : l, how many of ``extraordinary`` are also in ``measured``; they are taken to be
        the l largest measured values.
    period : N, the years the extraordinary floods are the largest of.
    """

    measured: np.ndarray
    extraordinary: np.ndarray
    in_record: int
    period: int

    def __post_init__(self) -> None:
        measured = np.asarray(self.measured, dtype=float)
        extraordinary = np.asarray(self.extraordinary, dtype=float)
        object.__setattr__(self, "measured", measured[np.isfinite(measured)])
        object.__setattr__(self, "extraordinary", extraordinary[np.isfinite(extraordinary)])
        n, a, l, big_n = self.measured.size, self.extraordinary.size, self.in_record, self.period
        problems = []
        if not 0 <= l <= min(a, n):
            problems.append((f"实测期内的特大洪水数 l={l} 须在 0 与 min(a={a}, n={n}) 之间",
                             f"in-record extraordinary floods l={l} must be between 0 and min(a={a}, n={n})"))
        if big_n < n + a - l:
            problems.append((f"调查考证期 N={big_n} 年短于实测期与历史洪水之和（{n + a - l} 年）",
                             f"period N={big_n} is shorter than the measured years plus historical floods ({n + a - l})"))
        if n - l < 2:
            problems.append(("除特大洪水外实测洪水不足 2 年", "fewer than 2 measured floods besides the extraordinary ones"))
        if problems:
            raise ValueError("; ".join(f"{zh} / {en}" for zh, en in problems))

    @property
    def ordinary(self) -> np.ndarray:
        """The n - l measured values that are not extraordinary, largest first."""
        return np.sort(self.measured)[::-1][self.in_record:]

    @property
    def ordinary_weight(self) -> float:
        """(N - a)/(n - l): the years each ordinary flood stands for in the N-year period."""
        return (self.period - self.extraordinary.size) / (self.measured.size - self.in_record)


def plotting_positions(sample: FloodSample, formula: str = "unified") -> pd.DataFrame:
    """Empirical frequencies of a discontinuous series by SL 44-2006 (unified or independent).

    Returns
    -------
    DataFrame, largest first: value, probability (exceedance, 0-1), rank (M among the
    extraordinary floods, m in the measured record), kind ("historical" for an extraordinary
    flood outside the record, "extraordinary" for one inside it, "measured").
    """
    if formula not in FORMULAS:
        known = ", ".join(FORMULAS)
        raise ValueError(f"未知的经验频率公式 {formula!r}（可选：{known}）/ unknown formula {formula!r} (one of {known})")
    n, a, l, big_n = sample.measured.size, sample.extraordinary.size, sample.in_record, sample.period
    big = np.sort(sample.extraordinary)[::-1]
    big_rank = np.arange(1, a + 1)
    p_big = big_rank / (big_n + 1.0)
    m = np.arange(l + 1, n + 1)
    if formula == "unified":
        p_last = a / (big_n + 1.0)
        p_ordinary = p_last + (1.0 - p_last) * (m - l) / (n - l + 1.0)
    else:
        p_ordinary = m / (n + 1.0)
    top_measured = np.sort(sample.measured)[::-1][:l]
    in_record = np.isin(big, top_measured) if l else np.zeros(a, dtype=bool)
    frame = pd.DataFrame(
        {
            "value": np.concatenate([big, sample.ordinary]),
            "probability": np.concatenate([p_big, p_ordinary]),
            "rank": np.concatenate([big_rank, m]),
            "kind": np.concatenate([np.where(in_record, "extraordinary", "historical"), np.full(n - l, "measured")]),
        }
    )
    return frame.sort_values(["value", "probability"], ascending=[False, True], kind="stable").reset_index(drop=True)


def weighted_moments(
    extraordinary: np.ndarray, ordinary: np.ndarray, period: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, standard deviation and skewness of a discontinuous series (SL 44-2006).

    Each ordinary value stands for (N - a)/n' years (n' ordinary values per series), each
    extraordinary flood for one: x̄ = Σ w·x / N, S² = Σ w·(x - x̄)²/(N - 1),
    Cs = N·Σ w·(x - x̄)³ / [(N - 1)(N - 2)·S³].

    Parameters
    ----------
    extraordinary : array (a,), the same for every series.
    ordinary : array (..., n'), e.g. bootstrap resamples of the ordinary floods.
    period : N.
    """
    ordinary = np.asarray(ordinary, dtype=float)
    big = np.broadcast_to(np.asarray(extraordinary, dtype=float), (*ordinary.shape[:-1], len(extraordinary)))
    a, n_ord, big_n = big.shape[-1], ordinary.shape[-1], float(period)
    x = np.concatenate([big, ordinary], axis=-1)
    w = np.concatenate([np.ones(a), np.full(n_ord, (big_n - a) / n_ord)])
    mean = (x * w).sum(axis=-1) / big_n
    dev = x - mean[..., None]
    sd = np.sqrt((w * dev**2).sum(axis=-1) / (big_n - 1))
    skew = big_n * (w * dev**3).sum(axis=-1) / ((big_n - 1) * (big_n - 2) * sd**3)
    return mean[()], sd[()], skew[()]
