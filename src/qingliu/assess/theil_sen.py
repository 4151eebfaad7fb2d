"""Theil-Sen slope: exact order statistics of pairwise slopes, batched, O(n log n) for long series.

The slope is the median of the slopes (y_j - y_i) / (t_j - t_i) over all pairs with t_i != t_j
(Theil 1950; Sen 1968); its confidence limits are two more order statistics of the same slopes
(Gilbert 1987, section 16.5.1). Slopes are pooled over groups when a series is split into
seasons (Hirsch, Slack and Smith 1982).

Two exact ways to reach an order statistic:

* up to ``DIRECT_MAX_PAIRS`` pairs per series, all slopes are built (lag by lag, vectorised over
  series) and selected with ``numpy.partition``;
* above it the n²/2 slopes are never built. The number of slopes below a value θ is the number
  of inversions of z = y - θt in time order (slope < θ  ⇔  z_j < z_i), counted in O(n log n) by
  :func:`qingliu.assess.kendall.inversion_count`. A sample of slopes (runs of pairs at random
  lags) gives a first θ; secant steps on the exact counts narrow a bracket (θa, θb] around the
  wanted rank until it holds few slopes; these are listed (pairs whose z order differs between
  θa and θb lie within a window of width (θb - θa)·span in z, found with a binary search) and
  the rank is read among them, so the value returned is the slope a full sort would give.
  Proposals snap to sampled slopes, so a value that many slopes share (0 when values tie) is
  counted exactly and recognised; only if a bracket shrinks to two adjacent floats without
  being listed (slopes equal to rounding, in bulk, missed by the sample) is its upper end
  returned, within rounding of the true slope.

Missing values (NaN) in y or t drop the pairs that involve them.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from qingliu.assess.kendall import inversion_count, ordinal_ranks, run_sums

DIRECT_MAX_PAIRS = 1 << 19
"""Series with at most this many pairs have all their slopes built (n ≈ 1000)."""

_DIRECT_CHUNK = 1 << 21  # slopes held at once on the direct path (16 MB)
_BAND_MAX = 60_000  # slopes listed at the end of a selection
_CANDIDATES_MAX = 600_000  # pairs examined when listing them
_SAMPLE_SIZE = 100000  # slopes in the starting sample
_SAMPLE_STRATA = 64  # lags drawn for it
_SECONDS_PER_YEAR = 365.25 * 86400  # Julian year
_SEED = 20110309  # fixed: results and timings do not depend on the run


def decimal_years(times) -> np.ndarray:
    """Convert times to years.

    datetime64 (or pandas datetimes) become years since 1970-01-01 in Julian years of 365.25
    days, NaT becomes NaN; numbers are taken as years already.
    """
    t = np.asarray(times)
    if np.issubdtype(t.dtype, np.datetime64):
        seconds = t.astype("datetime64[s]")
        return np.where(np.isnat(seconds), np.nan, seconds.astype(np.int64) / _SECONDS_PER_YEAR)
    return t.astype(float)


def pair_count(y: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
    """Number of slopes per series: pairs within a group, both valid, at distinct times.

    Parameters
    ----------
    y : float array (m, g, L): m series, g groups (seasons) of L samples; NaN = missing.
    t : None (times 0..L-1 in every group) or float array broadcastable to y; NaN = missing.

    Returns
    -------
    float array (m,).
    """
    valid = np.isfinite(y)
    if t is not None:
        t = np.broadcast_to(t, y.shape)
        valid &= np.isfinite(t)
    n = valid.sum(axis=-1).astype(float)
    pairs = (n * (n - 1) / 2).sum(axis=-1)
    if t is None:
        return pairs
    rows = valid.reshape(y.shape[0] * y.shape[1], y.shape[2])
    t_sorted = np.sort(np.where(rows, t.reshape(rows.shape), np.inf), axis=-1)
    same = np.zeros(rows.shape, dtype=bool)
    same[:, 1:] = (t_sorted[:, 1:] == t_sorted[:, :-1]) & np.isfinite(t_sorted[:, 1:])
    return pairs - run_sums(same)[0].reshape(y.shape[:2]).sum(axis=-1)


def theil_sen(
    y: np.ndarray,
    t: np.ndarray | None = None,
    *,
    var_s: np.ndarray | None = None,
    alpha: float = 0.05,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Theil-Sen slope and, given var(S), its 1 - alpha confidence limits, per series.

    The slope is the median of the pairwise slopes (the mean of the two middle ones for an
    even count, as ``numpy.nanmedian``). The limits follow Gilbert (1987), section 16.5.1:
    C = z(1-alpha/2)·sqrt(var S), M1 = (N - C)/2, M2 = (N + C)/2; the lower limit is the M1-th
    and the upper the (M2 + 1)-th smallest of the N slopes, interpolated linearly between
    neighbouring slopes when the rank is fractional. A rank outside 1..N (too few data for
    that confidence) gives NaN.

    Parameters
    ----------
    y : float array (m, g, L) of m series in g groups whose slopes are pooled; NaN = missing.
    t : None (times 0..L-1, the slope is per step) or times broadcastable to y, in the unit
        the slope is wanted per.
    var_s : float array (m,), var(S) of the Mann-Kendall test; None skips the limits.
    alpha : two-sided significance level of the limits.

    Returns
    -------
    slope, lower, upper : float arrays (m,); NaN where a series has no pair (or no limits).
    """
    n_pairs = pair_count(y, t)
    # ranks of the two middle slopes (the same one for an odd count)
    middle = np.stack([np.floor((n_pairs + 1) / 2), np.floor(n_pairs / 2) + 1], axis=1)
    ranks = [middle]
    if var_s is not None:
        c = norm.ppf(1 - alpha / 2) * np.sqrt(np.asarray(var_s, dtype=float))
        limits = np.stack([(n_pairs - c) / 2, (n_pairs + c) / 2 + 1], axis=1)
        limits[~((limits[:, 0] >= 1) & (limits[:, 1] <= n_pairs))] = np.nan
        ranks.append(np.floor(limits))
        ranks.append(np.ceil(limits))
    wanted = np.concatenate(ranks, axis=1)
    values = slope_order_statistics(y, t, np.where(np.isfinite(wanted), wanted, 0).astype(np.int64), n_pairs)
    slope = (values[:, 0] + values[:, 1]) / 2
    if var_s is None:
        nan = np.full(len(slope), np.nan)
        return slope, nan, nan
    low, high = values[:, 2:4], values[:, 4:6]
    with np.errstate(invalid="ignore"):
        bounds = low + (limits - np.floor(limits)) * (high - low)
    return slope, bounds[:, 0], bounds[:, 1]


def slope_order_statistics(
    y: np.ndarray, t: np.ndarray | None, ranks: np.ndarray, n_pairs: np.ndarray | None = None
) -> np.ndarray:
    """The ranks[r, k]-th smallest pairwise slope of series r (ranks from 1; others give NaN).

    Parameters
    ----------
    y, t : as :func:`theil_sen`.
    ranks : int array (m, q).
    n_pairs : :func:`pair_count` of y and t if already known.

    Returns
    -------
    float array (m, q).
    """
    y = np.asarray(y, dtype=float)
    if t is not None:
        t = np.asarray(t, dtype=float)
    if n_pairs is None:
        n_pairs = pair_count(y, t)
    ranks = np.where((ranks >= 1) & (ranks <= n_pairs[:, None]), ranks, 0)
    m, groups, length = y.shape
    if groups * length * (length - 1) // 2 <= DIRECT_MAX_PAIRS:
        return _direct(y, t, ranks)
    out = np.full(ranks.shape, np.nan)
    for r in range(m):
        t_r = np.broadcast_to(np.arange(length, dtype=float) if t is None else t, y.shape)[r]
        if ranks[r].any():
            out[r] = _PairSlopes(y[r], t_r).select(ranks[r])
    return out


def _direct(y: np.ndarray, t: np.ndarray | None, ranks: np.ndarray) -> np.ndarray:
    """Order statistics by building every slope, a chunk of series at a time."""
    m, groups, length = y.shape
    per_series = groups * length * (length - 1) // 2
    out = np.full(ranks.shape, np.nan)
    wanted = ranks > 0
    if per_series == 0 or not wanted.any():
        return out
    # Series with similar ranks share a chunk, so the band of ranks sorted per chunk stays narrow.
    lowest = np.where(wanted, ranks, np.iinfo(np.int64).max).min(axis=1)
    order = np.argsort(lowest, kind="stable")
    order = order[lowest[order] < np.iinfo(np.int64).max]
    rows = min(len(order), max(1, _DIRECT_CHUNK // per_series))
    # NaN slopes (missing values) sort last by themselves; only a shared time (dt = 0) gives ±inf
    clean = t is not None and not _distinct_finite_times(t)
    buffer = np.empty(rows * per_series)
    for start in range(0, len(order), rows):
        idx = order[start : start + rows]
        t_chunk = None if t is None else (t[idx] if t.ndim == 3 and len(t) == m > 1 else t)
        slopes = _all_slopes(y[idx], t_chunk, buffer[: len(idx) * per_series], clean=clean)
        out[idx] = _select_rows(slopes, ranks[idx])
    return out


def _distinct_finite_times(t: np.ndarray) -> bool:
    if not np.isfinite(t).all():
        return False
    ordered = np.sort(t, axis=-1)
    return bool((ordered[..., 1:] > ordered[..., :-1]).all())


def _all_slopes(y: np.ndarray, t: np.ndarray | None, buffer: np.ndarray, *, clean: bool) -> np.ndarray:
    """Slopes of all pairs within each group, lag by lag, into ``buffer`` as (series, pairs).

    Pairs with a missing value give NaN; with ``clean``, every non-finite slope (a pair at
    one time) becomes +inf. Both sort after all slopes.
    """
    c, groups, length = y.shape
    out = buffer.reshape(c, groups, length * (length - 1) // 2)
    offset = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        for lag in range(1, length):
            seg = out[:, :, offset : offset + length - lag]
            np.subtract(y[..., lag:], y[..., :-lag], out=seg)
            seg /= lag if t is None else t[..., lag:] - t[..., :-lag]
            offset += length - lag
    out = out.reshape(c, -1)
    if clean:
        out[~np.isfinite(out)] = np.inf
    return out


def _select_rows(slopes: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Rank statistics per row of ``slopes`` (modified in place; NaN last); ranks from 1, 0 = none."""
    wanted = ranks > 0
    zero_based = ranks - 1
    lo = int(zero_based[wanted].min())
    hi = int(zero_based[wanted].max())
    slopes.partition(hi, axis=1)
    if hi - lo == 1:
        band = np.stack([slopes[:, :hi].max(axis=1), slopes[:, hi]], axis=1)
    else:
        if hi > lo:
            slopes[:, :hi].partition(lo, axis=1)
        band = np.sort(slopes[:, lo : hi + 1], axis=1)
    picked = np.take_along_axis(band, np.clip(zero_based - lo, 0, hi - lo), axis=1)
    return np.where(wanted, picked, np.nan)


class _PairSlopes:
    """The pairwise slopes of one long series (rows = groups), never built in full."""

    def __init__(self, y: np.ndarray, t: np.ndarray):
        valid = np.isfinite(y) & np.isfinite(t)
        self.length = valid.sum(axis=1)
        width = int(self.length.max())
        shape = (len(y), width)
        self.y = np.full(shape, np.inf)
        self.t = np.zeros(shape)  # raw times, for the slopes themselves
        for g in range(len(y)):
            keep = np.flatnonzero(valid[g])
            t_g = t[g, keep]
            if not (t_g[1:] > t_g[:-1]).all():  # order by time, then value
                keep = keep[np.lexsort((y[g, keep], t_g))]
            self.y[g, : len(keep)] = y[g, keep]
            self.t[g, : len(keep)] = t[g, keep]
        self.inside = np.arange(width) < self.length[:, None]
        origin = self.t[self.inside].min()
        self.t_shifted = np.where(self.inside, self.t - origin, 0.0)  # z = y - θt, well conditioned
        self.same_time = np.zeros(shape, dtype=bool)
        self.same_time[:, 1:] = (self.t[:, 1:] == self.t[:, :-1]) & self.inside[:, 1:]
        self.scale = np.abs(self.y[self.inside]).max() + 1.0
        self.span = self.t_shifted.max()
        self.n_pairs = float((self.length * (self.length - 1) / 2).sum() - run_sums(self.same_time)[0].sum())
        self.sample = self._sample()
        self.points: list[tuple[float, int, int]] = []  # (θ, #slopes < θ, #slopes <= θ)
        self.bands: list[tuple[int, int, np.ndarray]] = []  # (#<= θa, #<= θb, sorted slopes)

    def _sample(self) -> np.ndarray:
        """A sorted sample of slopes in which every pair has the same chance to be.

        Lags are drawn one per stratum of 1..L-1; at lag d a run of consecutive pairs (i, i + d)
        from a random start is taken, its length a fixed share of the L - d pairs at that lag.
        """
        rng = np.random.default_rng(_SEED)
        parts = []
        total = max(self.n_pairs, 1.0)
        for g, length in enumerate(self.length):
            if length < 2:
                continue
            edges = np.unique(np.linspace(1, length, min(_SAMPLE_STRATA, length - 1) + 1).astype(np.int64))
            lags = rng.integers(edges[:-1], edges[1:])
            share = min(1.0, _SAMPLE_SIZE / total * (length - 1) / len(lags))
            y, t = self.y[g, :length], self.t[g, :length]
            for lag in lags:
                pairs = length - lag
                size = max(1, int(round(share * pairs)))
                i = int(rng.integers(0, pairs - size + 1)) + np.arange(size)
                dt = t[i + lag] - t[i]
                moved = dt != 0
                parts.append((y[i + lag] - y[i])[moved] / dt[moved])
        sample = np.sort(np.concatenate(parts))
        return sample if sample.size else np.zeros(1)

    def count(self, theta: float) -> tuple[int, int]:
        """Numbers of slopes < θ and <= θ (exact: inversions and ties of z = y - θt)."""
        z = np.where(self.inside, self.y - theta * self.t_shifted, np.inf)
        ranks, ordered = ordinal_ranks(z)
        below = int(inversion_count(ranks).sum())
        same = np.zeros(z.shape, dtype=bool)
        same[:, 1:] = (ordered[:, 1:] == ordered[:, :-1]) & self.inside[:, 1:]
        ties = run_sums(same)[0].sum()
        if self.same_time.any():  # pairs at one time are not slopes
            ties -= run_sums(self.same_time & np.pad(z[:, 1:] == z[:, :-1], ((0, 0), (1, 0))))[0].sum()
        return below, below + int(round(ties))

    def select(self, ranks: np.ndarray) -> np.ndarray:
        """The slopes of the given ranks (from 1; 0 gives NaN)."""
        return np.array([self._rank(int(k)) if k > 0 else np.nan for k in ranks])

    def _rank(self, k: int) -> float:
        for low, high, band in self.bands:
            if low < k <= high:
                return float(band[k - low - 1])
        if not self.points:
            self._count(self._quantile(k))
        error = 0.0
        while True:
            for theta, below, at in self.points:
                if below < k <= at:
                    return theta
            lower = max(((th, at) for th, _, at in self.points if at < k), default=None)
            upper = min(((th, at) for th, _, at in self.points if at >= k), default=None)
            if lower is not None and upper is not None:
                if lower[0] >= upper[0]:
                    return float(upper[0])  # counts out of order: slopes tie to rounding here
                if upper[1] - lower[1] <= _BAND_MAX:
                    band = self._list(lower[0], upper[0])
                    if band is not None and band.size:
                        self.bands.append((lower[1], upper[1], band))
                        return float(band[int(np.clip(k - lower[1] - 1, 0, band.size - 1))])
            theta, aim = self._propose(k, lower, upper, error)
            if theta is None:  # the bracket is two adjacent floats: slopes tie to rounding
                return float(upper[0])
            error = abs(self._count(theta) - aim)

    def _count(self, theta: float) -> int:
        below, at = self.count(theta)
        self.points.append((float(theta), below, at))
        return at

    def _quantile(self, rank: float) -> float:
        """The sample slope expected to have ``rank`` slopes at or below it."""
        i = int(np.clip(rank / self.n_pairs * self.sample.size, 0, self.sample.size - 1))
        return float(self.sample[i])

    def _propose(self, k, lower, upper, error) -> tuple[float | None, float]:
        """Next θ: aim past k on the side whose bound is weaker, by twice the last miss."""
        a = -np.inf if lower is None else lower[0]
        b = np.inf if upper is None else upper[0]
        bracket = self.n_pairs if lower is None or upper is None else upper[1] - lower[1]
        reach = min(max(256.0, 2 * error, self.n_pairs / self.sample.size), bracket / 4)
        widen_lower = lower is None or (upper is not None and k - lower[1] >= upper[1] - k)
        aim = k - reach if widen_lower else k + reach
        theta = self._model(aim)
        if not a < theta < b and lower is not None and upper is not None:
            theta = self._within(aim, lower, upper)
        if not a < theta < b:
            theta = self._quantile(aim)
        if not a < theta < b:
            if lower is None or upper is None:
                # beyond the sample: step out, doubling the step with every count made
                step = (self.sample[-1] - self.sample[0] + 1.0) * 2.0 ** len(self.points)
                theta = b - step if lower is None else a + step
            else:
                theta = a + (b - a) / 2
        if not a < theta < b:
            return None, aim
        return float(theta), aim

    def _model(self, aim: float) -> float:
        """Secant on the two counts nearest ``aim``; Newton with the sample's density if one."""
        pts = sorted(self.points, key=lambda p: abs(p[2] - aim))
        if len(pts) >= 2 and pts[0][2] != pts[1][2] and pts[0][0] != pts[1][0]:
            (t0, _, c0), (t1, _, c1) = pts[0], pts[1]
            return t0 + (aim - c0) * (t1 - t0) / (c1 - c0)
        theta0, _, c0 = pts[0]
        return self._snap(theta0 + (aim - c0) / self._density(theta0))

    def _within(self, aim, lower, upper) -> float:
        """Inside a bracket: the sample slope at the share of the bracket's count, or its middle."""
        (a, ca), (b, cb) = lower, upper
        ia, ib = np.searchsorted(self.sample, [a, b], side="right")
        if ib - ia >= 2:
            i = ia + int((aim - ca) / (cb - ca) * (ib - ia))
            return float(self.sample[int(np.clip(i, ia, ib - 1))])
        return a + (b - a) / 2

    def _density(self, theta: float) -> float:
        """Slopes per unit θ near θ, from the sample."""
        size = self.sample.size
        half = max(50, size // 100)
        i = int(np.searchsorted(self.sample, theta))
        lo, hi = max(0, i - half), min(size - 1, i + half)
        width = self.sample[hi] - self.sample[lo]
        if width <= 0:
            width = self.sample[-1] - self.sample[0] + 1.0
        return max(hi - lo, 1) / size * self.n_pairs / width

    def _snap(self, theta: float) -> float:
        """The sample slope nearest θ: lands exactly on values that many slopes share."""
        i = int(np.clip(np.searchsorted(self.sample, theta), 1, self.sample.size - 1))
        below, above = self.sample[i - 1], self.sample[min(i, self.sample.size - 1)]
        return float(below if abs(theta - below) <= abs(above - theta) else above)

    def _list(self, a: float, b: float) -> np.ndarray | None:
        """Sorted slopes in (a, b], or None if that means examining too many pairs.

        A pair i, j (t_i < t_j) is in (a, b] when z_a,j > z_a,i and z_b,j <= z_b,i; then
        0 < z_a,j - z_a,i <= (b - a)(t_j - t_i), so j lies within (b - a)·span of i in z_a.
        """
        window = (b - a) * self.span * (1 + 1e-9) + 1e-12 * (self.scale + (abs(a) + abs(b)) * self.span)
        firsts, seconds = [], []
        total = 0
        for g, length in enumerate(self.length):
            u = self.y[g, :length] - a * self.t_shifted[g, :length]
            order = np.argsort(u, kind="stable")
            us = u[order]
            start = np.searchsorted(us, us, side="right")
            stop = np.searchsorted(us, us + window, side="right")
            count = stop - start
            total += int(count.sum())
            if total > _CANDIDATES_MAX:
                return None
            first = np.repeat(order, count)
            run_start = np.repeat(np.cumsum(count) - count, count)
            second = order[np.repeat(start, count) + np.arange(len(first)) - run_start]
            w = self.y[g, :length] - b * self.t_shifted[g, :length]
            keep = (self.t[g, second] > self.t[g, first]) & (w[second] <= w[first])
            firsts.append(g * self.y.shape[1] + first[keep])
            seconds.append(g * self.y.shape[1] + second[keep])
        i, j = np.concatenate(firsts), np.concatenate(seconds)
        y, t = self.y.ravel(), self.t.ravel()
        return np.sort((y[j] - y[i]) / (t[j] - t[i]))
