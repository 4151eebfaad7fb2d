"""The official Spearman rank-correlation trend test of 环办〔2011〕22号, batched over series.

地表水环境质量评价办法（试行）(环办〔2011〕22号), trend analysis over N >= 4 periods:
rs = 1 - 6Σd² / [N(N² - 1)], d = rank of the concentration (ascending) minus rank of the
period. The trend is significant when |rs| > Wp, the one-sided critical value at the table's
alpha (``standards/spearman_wp.toml``). rs > 0 means the concentration rises: worse for a
pollutant, better for dissolved oxygen.

Tied concentrations (or times) get their average rank, and the method's formula is applied
to those ranks as written (it is then not exactly Pearson's correlation of the ranks).
Missing values are dropped per series; a series with N below the table's smallest N is not
tested (Wp NaN, not significant).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.stats import norm

from qingliu.assess.kendall import average_ranks
from qingliu.assess.theil_sen import decimal_years
from qingliu.standards import load_toml

RULES = ("interpolate", "floor")


@dataclass(frozen=True)
class WpTable:
    """One table of critical values: its name, one-sided alpha, source, N and Wp."""

    name: str
    alpha: float
    source: str
    n: np.ndarray
    wp: np.ndarray


@dataclass(frozen=True)
class SpearmanResult:
    """Spearman trend test of each series.

    Attributes
    ----------
    n : int array, number of periods with a value.
    rs : float array, the rank correlation coefficient (NaN for n < 2).
    wp : float array, the critical value used (NaN when n is below the table).
    significant : bool array, |rs| > wp.
    direction : str array, "increasing" (rs > 0, significant), "decreasing" or "no trend".
    table : name of the Wp table.
    """

    n: np.ndarray
    rs: np.ndarray
    wp: np.ndarray
    significant: np.ndarray
    direction: np.ndarray
    table: str


@cache
def load_wp_table(name: str | None = None) -> WpTable:
    """Load a Wp table from ``spearman_wp.toml`` (default: the file's ``default_table``)."""
    data = load_toml("spearman_wp")
    name = name or data["meta"]["default_table"]
    try:
        row = data["tables"][name]
    except KeyError:
        known = ", ".join(data["tables"])
        message = f"未知的 Wp 表 {name!r}（可选：{known}）/ unknown Wp table {name!r} (known: {known})"
        raise ValueError(message) from None
    n, wp = np.array(row["n"], dtype=float), np.array(row["wp"], dtype=float)
    for arr in (n, wp):
        arr.setflags(write=False)
    return WpTable(name=name, alpha=float(row["alpha"]), source=row["source"], n=n, wp=wp)


def critical_wp(n: np.ndarray | int, *, table: str | None = None, rule: str = "interpolate") -> np.ndarray:
    """Critical value Wp for N periods.

    Tabulated N: the table's value. N between two tabulated values: linear interpolation in N
    (``rule="interpolate"``) or the value of the next smaller tabulated N (``rule="floor"``,
    stricter). N above the table: z(1 - alpha) / sqrt(N - 1), the large-sample distribution of
    rs under no trend. N below the table: NaN (no test).
    """
    if rule not in RULES:
        raise ValueError(f"未知的插值规则 {rule!r}（可选：{RULES}）/ unknown rule {rule!r} (known: {RULES})")
    tab = load_wp_table(table)
    n = np.asarray(n, dtype=float)
    if rule == "interpolate":
        wp = np.interp(n, tab.n, tab.wp)
    else:
        wp = tab.wp[np.clip(np.searchsorted(tab.n, n, side="right") - 1, 0, len(tab.n) - 1)]
    with np.errstate(divide="ignore", invalid="ignore"):
        beyond = norm.ppf(1 - tab.alpha) / np.sqrt(n - 1)
    wp = np.where(n > tab.n[-1], beyond, wp)
    return np.where(n < tab.n[0], np.nan, wp)


def spearman_trend(
    values: np.ndarray,
    times: np.ndarray | None = None,
    *,
    table: str | None = None,
    rule: str = "interpolate",
) -> SpearmanResult:
    """Spearman rank-correlation trend test (环办〔2011〕22号) of each row.

    Parameters
    ----------
    values : float array (m, N) or (N,): one value per period (e.g. annual means), NaN =
        missing.
    times : None (periods in column order) or an array (N,) or (m, N) of period times
        (numbers or datetime64) whose ranks are the period ranks.
    table : Wp table name in ``spearman_wp.toml`` (default "common").
    rule : how N between tabulated values is handled, "interpolate" or "floor".

    Returns
    -------
    SpearmanResult.
    """
    y = np.atleast_2d(np.asarray(values, dtype=float))
    valid = np.isfinite(y)
    if times is None:
        t = np.broadcast_to(np.arange(y.shape[1], dtype=float), y.shape)
    else:
        t = np.broadcast_to(decimal_years(times), y.shape)
        valid &= np.isfinite(t)
    rank_value = average_ranks(np.where(valid, y, np.nan))
    rank_time = average_ranks(np.where(valid, t, np.nan))
    n = valid.sum(axis=1)
    nf = n.astype(float)
    d2 = np.nansum((rank_value - rank_time) ** 2, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rs = np.where(n >= 2, 1 - 6 * d2 / (nf * (nf**2 - 1)), np.nan)
    wp = critical_wp(n, table=table, rule=rule)
    with np.errstate(invalid="ignore"):
        significant = np.abs(rs) > wp
    direction = np.where(significant, np.where(rs > 0, "increasing", "decreasing"), "no trend").astype(object)
    name = load_wp_table(table).name
    return SpearmanResult(n=n, rs=rs, wp=wp, significant=significant, direction=direction, table=name)
