"""Kendall's S in O(n log n), batched over series (merge-sort inversion counting).

Knight (1966, J. Am. Stat. Assoc. 61:436) computes Kendall's statistic by sorting the pairs
(t, y) by t, then y, and counting the discordant pairs as the inversions a merge sort of the
y ranks removes. Here the merge sort runs bottom-up on all series at once: at each of the
log2(n) levels every block of 2w slots holds two sorted halves, one ``numpy.sort(kind="stable")``
(timsort, which merges two sorted runs in linear time) merges all blocks of all series, and
the inversions crossing the two halves are read off the merged positions. Ties are handled
by the sort order: equal y ranks keep their time order, so tied pairs are never discordant.

Missing values (NaN, or NaN times) are dropped per series, as pymannkendall does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Slots merged per numpy.sort call: keeps the sort keys in 32 bits and the buffers in cache.
_SLOTS_PER_CHUNK = 1 << 20


@dataclass(frozen=True)
class KendallScore:
    """Kendall's S of each series against time, with its variance under H0 (no trend).

    Attributes
    ----------
    n : int array (m,), number of valid samples per series.
    s : int array (m,), S = concordant minus discordant pairs (pairs tied in time or value
        count zero).
    var_s : float array (m,), variance of S with the tie corrections of Kendall (1975),
        ties in value and in time; with distinct times it is Mann-Kendall's
        [n(n-1)(2n+5) - Σ t(t-1)(2t+5)] / 18.
    time_ties : float array (m,), number of pairs sharing a time (they are not compared).
    """

    n: np.ndarray
    s: np.ndarray
    var_s: np.ndarray
    time_ties: np.ndarray


def inversion_count(ranks: np.ndarray) -> np.ndarray:
    """Count pairs i < j with ``ranks[r, i] > ranks[r, j]`` in each row, in O(n log n).

    Parameters
    ----------
    ranks : int array (m, n); every row is a permutation of 0..n-1 (ordinal ranks).

    Returns
    -------
    int64 array (m,), the number of inversions per row.
    """
    ranks = np.asarray(ranks)
    m, n = ranks.shape
    out = np.zeros(m, dtype=np.int64)
    if n < 2 or m == 0:
        return out
    bits = (n - 1).bit_length()
    rows = max(1, _SLOTS_PER_CHUNK >> bits)
    for start in range(0, m, rows):
        out[start : start + rows] = _merge_count(ranks[start : start + rows], bits)
    return out


def _merge_count(ranks: np.ndarray, bits: int) -> np.ndarray:
    m, n = ranks.shape
    width = 1 << bits
    slots = m * width
    # key = (block << (bits + 1)) | (value << 1) | half: the block id decides the order first,
    # so one flat sort merges every block of every row independently.
    dtype = np.uint32 if (slots - 1).bit_length() + bits <= 32 else np.uint64
    values = np.empty((m, width), dtype=dtype)
    values[:, :n] = ranks
    values[:, n:] = np.arange(n, width, dtype=dtype)  # padding: larger and increasing, no inversions
    values = values.ravel()
    slot = np.arange(slots, dtype=dtype)
    counts = np.zeros(m, dtype=np.int64)
    for level in range(bits):
        half_width = 1 << level
        key = ((slot >> (level + 1)) << (bits + 1)) | (values << 1) | ((slot >> level) & 1)
        key.sort(kind="stable")
        from_right = key & 1
        position = slot & (2 * half_width - 1)
        # The i-th left element at merged position p has p - i right elements (smaller values)
        # before it: a block holds Σ_left p - w(w-1)/2 inversions, and Σ_left p = Σ_all p - Σ_right p.
        right_positions = (position * from_right).reshape(m, width).sum(axis=1, dtype=np.int64)
        blocks = width // (2 * half_width)
        all_positions = blocks * half_width * (2 * half_width - 1)
        counts += all_positions - right_positions - blocks * (half_width * (half_width - 1) // 2)
        values = (key >> 1) & (width - 1)
    return counts


def ordinal_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ordinal ranks along the last axis, ties in position order; and the sorted values.

    NaN and +inf sort last. Tied values keep their position order, so they never form an
    inversion: after the (unstable, fast) sort, each run of equal values is put back in
    position order by sorting the integer keys group·n + position.
    """
    order = np.argsort(values, axis=-1)
    ordered = np.take_along_axis(values, order, axis=-1)
    same = ordered[..., 1:] == ordered[..., :-1]
    if same.any():
        n = values.shape[-1]
        group = np.zeros(values.shape, dtype=np.int64)
        np.cumsum(~same, axis=-1, out=group[..., 1:])
        key = group * n + order
        key.sort(axis=-1)
        order = key - group * n  # group is non-decreasing along the sorted axis: unchanged by the sort
    ranks = np.empty(values.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(values.shape[-1]), values.shape), axis=-1)
    return ranks, ordered


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1 along the last axis, tied values sharing their mean rank; NaN stays NaN.

    The ranking of ``scipy.stats.rankdata(method="average")``, row by row with missing values
    left out.
    """
    values = np.asarray(values, dtype=float)
    valid = np.isfinite(values)
    keyed = np.where(valid, values, np.inf)
    order = np.argsort(keyed, axis=-1, kind="stable")
    ordered = np.take_along_axis(keyed, order, axis=-1)
    n = values.shape[-1]
    new_group = np.ones(values.shape, dtype=bool)
    new_group[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    position = np.broadcast_to(np.arange(n), values.shape)
    # first and last position of each element's tie group, by running max/min of group starts
    first = np.maximum.accumulate(np.where(new_group, position, 0), axis=-1)
    ends = np.ones(values.shape, dtype=bool)
    ends[..., :-1] = new_group[..., 1:]
    last = np.flip(np.minimum.accumulate(np.flip(np.where(ends, position, n), axis=-1), axis=-1), axis=-1)
    ranks = np.empty(values.shape)
    np.put_along_axis(ranks, order, (first + last) / 2 + 1, axis=-1)
    return np.where(valid, ranks, np.nan)


def run_sums(same: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tie-group sums per row from a mask ``same[r, i]`` = element i continues the group of i-1.

    Returns
    -------
    (Σ t(t-1)/2, Σ t(t-1)(t-2), Σ t(t-1)(2t+5)) over the groups of each row, as float arrays;
    the first is the number of tied pairs.
    """
    m, n = same.shape
    if not same.any():
        return np.zeros(m), np.zeros(m), np.zeros(m)
    starts_mask = ~same
    starts_mask[:, 0] = True
    starts = np.flatnonzero(starts_mask.ravel())
    lengths = np.diff(np.append(starts, m * n)).astype(float)
    tied = lengths > 1
    row, t = starts[tied] // n, lengths[tied]
    pairs = np.bincount(row, t * (t - 1) / 2, minlength=m)
    cubic = np.bincount(row, t * (t - 1) * (t - 2), minlength=m)
    mann = np.bincount(row, t * (t - 1) * (2 * t + 5), minlength=m)
    return pairs, cubic, mann


def kendall_score(values: np.ndarray, times: np.ndarray | None = None) -> KendallScore:
    """Kendall's S of each row against time and its variance, in O(n log n) per series.

    Parameters
    ----------
    values : float array (m, n); NaN (or ±inf) marks a missing sample, dropped per series.
    times : None (samples in column order, as pymannkendall), or float array (n,) shared by
        all rows or (m, n); NaN marks a missing time. Pairs sharing a time are not compared.

    Returns
    -------
    KendallScore with n, S and var(S) (Kendall 1975, ties in value and time).
    """
    y = np.asarray(values, dtype=float)
    valid = np.isfinite(y)
    if times is not None and np.ndim(times) == 1:
        t = np.asarray(times, dtype=float)
        if np.isfinite(t).all() and (t[1:] > t[:-1]).all():
            times = None  # shared, increasing, distinct: column order is time order
    if times is None:
        t_sorted = None
        if not valid.all():
            order = np.argsort(~valid, axis=1, kind="stable")
            y = np.take_along_axis(y, order, axis=1)
            valid = np.take_along_axis(valid, order, axis=1)
    else:
        t = np.broadcast_to(np.asarray(times, dtype=float), y.shape)
        valid &= np.isfinite(t)
        y_key = np.where(valid, y, np.inf)
        t_key = np.where(valid, t, np.inf)
        order = np.lexsort((y_key, t_key), axis=-1)
        y = np.take_along_axis(y_key, order, axis=1)
        t_sorted = np.take_along_axis(t_key, order, axis=1)
        valid = np.take_along_axis(valid, order, axis=1)
    y = np.where(valid, y, np.inf)
    n = valid.sum(axis=1)
    inside = np.arange(y.shape[1]) < n[:, None]

    ranks, y_ordered = ordinal_ranks(y)
    same_y = np.zeros(y.shape, dtype=bool)
    same_y[:, 1:] = (y_ordered[:, 1:] == y_ordered[:, :-1]) & inside[:, 1:]
    tied_y, cubic_y, mann_y = run_sums(same_y)
    if t_sorted is None:
        tied_t = tied_ty = cubic_t = mann_t = np.zeros(len(n))
    else:
        same_t = np.zeros(y.shape, dtype=bool)
        same_t[:, 1:] = (t_sorted[:, 1:] == t_sorted[:, :-1]) & inside[:, 1:]
        tied_t, cubic_t, mann_t = run_sums(same_t)
        same_ty = same_t.copy()
        same_ty[:, 1:] &= y[:, 1:] == y[:, :-1]
        tied_ty = run_sums(same_ty)[0]

    discordant = inversion_count(ranks)
    nf = n.astype(float)
    pairs = nf * (nf - 1) / 2
    s = pairs - tied_t - tied_y + tied_ty - 2 * discordant
    var_s = _variance(nf, (cubic_t, mann_t, tied_t), (cubic_y, mann_y, tied_y))
    return KendallScore(n=n, s=np.rint(s).astype(np.int64), var_s=var_s, time_ties=tied_t)


def _variance(n: np.ndarray, time_ties: tuple, value_ties: tuple) -> np.ndarray:
    """var(S) with ties in both rankings (Kendall 1975, chapter 4; the form scipy's tau-b test uses)."""
    cubic_t, mann_t, pairs_t = time_ties
    cubic_y, mann_y, pairs_y = value_ties
    with np.errstate(divide="ignore", invalid="ignore"):
        var = (n * (n - 1) * (2 * n + 5) - mann_t - mann_y) / 18
        both = cubic_t * cubic_y / (9 * n * (n - 1) * (n - 2)) + 2 * pairs_t * pairs_y / (n * (n - 1))
    return var + np.where(np.isfinite(both), both, 0.0)
