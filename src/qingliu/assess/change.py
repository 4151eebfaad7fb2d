"""Change of water quality between two periods (环办〔2011〕22号, 水质变化趋势分析).

Two comparisons of the 2011 method, with thresholds in ``standards/change_2011.toml``:

- a river, basin or region by its section shares (:func:`compare_shares`): ΔG, the change of
  the share of sections in classes I-III, against ΔD, the change of the 劣V share;
- one section by its water-quality status level (:func:`compare_section_classes`).

Both grade a change as 0 (无明显变化 no clear change), ±1 (有所好转/变差 slightly
better/worse) or ±2 (明显好转/变差 clearly better/worse), positive meaning better. The
multi-period trend (Spearman rank correlation) is in ``assess.trend``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from qingliu.assess.quality import EvaluationMethod, load_method
from qingliu.standards import load_class_limits, load_toml

_TOLERANCE = 1e-9
"""Slack when comparing with a threshold, so that float noise in shares computed as ratios
(70.0 - 60.0 given as 0.7 * 100 - 0.6 * 100) does not push an exact 10 points over it."""


@dataclass(frozen=True)
class _Rules:
    share_slight: float
    share_clear: float
    level_slight: int
    level_clear: int
    zh: np.ndarray  # wording by grade + 2
    en: np.ndarray


@cache
def _rules() -> _Rules:
    data = load_toml("change_2011")
    wording = sorted(data["change"], key=lambda w: w["grade"])
    if [w["grade"] for w in wording] != [-2, -1, 0, 1, 2]:
        raise ValueError("change_2011.toml must word the grades -2..2")
    return _Rules(
        share_slight=float(data["shares"]["slight"]),
        share_clear=float(data["shares"]["clear"]),
        level_slight=int(data["sections"]["slight"]),
        level_clear=int(data["sections"]["clear"]),
        zh=np.array([w["zh"] for w in wording], dtype=object),
        en=np.array([w["en"] for w in wording], dtype=object),
    )


def _index(*inputs: object) -> pd.Index | None:
    """Index of the first pandas input, so results line up with labelled inputs."""
    return next((x.index for x in inputs if isinstance(x, pd.Series | pd.DataFrame)), None)


def _graded(columns: dict[str, np.ndarray], grade: np.ndarray, index: pd.Index | None) -> pd.DataFrame:
    """Frame of ``columns`` plus the signed grade and its wording (NaN grade = missing)."""
    rules = _rules()
    missing = np.isnan(grade)
    position = np.where(missing, 0, grade + 2).astype(int)
    return pd.DataFrame(
        {
            **columns,
            "change": pd.array(np.where(missing, None, grade), dtype="Int8"),
            "change_zh": np.where(missing, None, rules.zh[position]),
            "change_en": np.where(missing, None, rules.en[position]),
        },
        index=index,
    )


def compare_shares(good1: ArrayLike, bad1: ArrayLike, good2: ArrayLike, bad2: ArrayLike) -> pd.DataFrame:
    """Grade the change of a river, basin or region between two periods by section shares.

    环办〔2011〕22号 trend section: ΔG = G2 - G1 (share of sections in classes I-III),
    ΔD = D2 - D1 (share of 劣V sections); ΔG - ΔD > 0 is an improvement.
    |ΔG - ΔD| <= 10 → 无明显变化; 10 < |ΔG - ΔD| <= 20 → 有所好转/变差;
    |ΔG - ΔD| > 20 → 明显好转/变差 (thresholds in change_2011.toml ``[shares]``). The 2011 method
    applies this to rivers with 5 or more sections; with fewer, compare status levels
    (:func:`compare_section_classes`).

    Parameters
    ----------
    good1, bad1 : array-like
        Shares of I-III and of 劣V sections in the first period, percent (0-100).
    good2, bad2 : array-like
        The same for the second period. All four broadcast together (vectorised over rows).

    Returns
    -------
    DataFrame
        One row per element (index of the first pandas input, if any): ``delta_good`` (ΔG),
        ``delta_bad`` (ΔD), ``net_change`` (ΔG - ΔD), all in percentage points; ``change``
        (Int8 grade -2..2, positive = better) and its wording ``change_zh``, ``change_en``.
        A row with a missing share has NaN changes and no grade.

    Raises
    ------
    ValueError
        If a share lies outside 0-100.
    """
    g1, d1, g2, d2 = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (good1, bad1, good2, bad2))
    g1, d1, g2, d2 = np.broadcast_arrays(g1, d1, g2, d2)
    for share in (g1, d1, g2, d2):
        if ((share < 0) | (share > 100)).any():
            raise ValueError("断面比例须在0-100(%)之间 / section shares must be percentages in 0-100")
    rules = _rules()
    delta_good, delta_bad = g2 - g1, d2 - d1
    net = delta_good - delta_bad
    size = np.abs(net)
    grade = (size > rules.share_slight + _TOLERANCE).astype(float) + (size > rules.share_clear + _TOLERANCE)
    grade = np.where(np.isnan(net), np.nan, np.sign(net) * grade)
    columns = {"delta_good": delta_good.ravel(), "delta_bad": delta_bad.ravel(), "net_change": net.ravel()}
    return _graded(columns, grade.ravel(), _index(good1, bad1, good2, bad2))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def class_numbers(classes: ArrayLike) -> np.ndarray:
    """Water-quality classes as numbers 1..6 (I..V, 6 = 劣V); NaN where missing.

    Accepts numbers 1-6 or the labels of GB 3838-2002 (``"III"``, ``"Ⅲ"``, ``"劣V"``,
    ``"劣Ⅴ"``; any case, full-width forms folded).

    Raises
    ------
    ValueError
        Naming the values that are neither.
    """
    labels = {_fold(label): float(n) for n, label in enumerate(load_class_limits().labels, start=1)}
    array = np.atleast_1d(np.asarray(classes)).ravel()
    if array.dtype.kind in "iuf":  # numbers: no label matching
        raw = pd.Series(array, dtype=float)
        numbers = raw.copy()
    else:
        raw = pd.Series(array, dtype=object)
        numbers = pd.to_numeric(raw, errors="coerce").astype(float)
        text = raw[numbers.isna() & raw.notna()]
        numbers[text.index] = text.astype(str).map(_fold).map(labels).astype(float)
    bad = raw.notna() & ~numbers.isin(np.arange(1.0, len(labels) + 1))
    if bad.any():
        values = sorted({str(v) for v in raw[bad]})
        raise ValueError(f"无法识别的水质类别: {values} / unknown water-quality classes: {values}")
    return numbers.to_numpy()


def status_levels(method: EvaluationMethod | None = None) -> np.ndarray:
    """Status level (1 = best) of classes 1..6: consecutive classes with the same status word
    share a level, so under the 2011 method I and II (优) are level 1 and 劣V is level 5."""
    words = (method or load_method()).status_zh
    return pd.factorize(np.array(words, dtype=object))[0] + 1.0


def compare_section_classes(
    class1: ArrayLike, class2: ArrayLike, *, method: EvaluationMethod | None = None
) -> pd.DataFrame:
    """Grade the change of single sections between two periods by status level.

    环办〔2011〕22号 trend section for one section [M]: status levels I-II 优, III 良好,
    IV 轻度污染, V 中度污染, 劣V 重度污染 (see :func:`status_levels`). No change of
    level → 无明显变化; one level → 有所好转/变差; two or more → 明显好转/变差
    (change_2011.toml ``[sections]``).

    Parameters
    ----------
    class1, class2 : array-like
        Class of each section in the first and the second period: numbers 1-6 (6 = 劣V) or
        labels (see :func:`class_numbers`). The two broadcast together.
    method : EvaluationMethod, optional
        Source of the status words per class (default the 2011 method, ``method_2011.toml``).

    Returns
    -------
    DataFrame
        One row per section (index of the first pandas input, if any): ``status_level_1``,
        ``status_level_2`` (1 优 .. 5 重度污染), ``level_change`` (levels improved, positive
        = better), ``change`` (Int8 grade -2..2) with ``change_zh``, ``change_en``.
        A section with a missing class has no level change and no grade.
    """
    rules = _rules()
    c1, c2 = np.broadcast_arrays(class_numbers(class1), class_numbers(class2))
    table = status_levels(method)

    def level(c: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(c), np.nan, table[np.nan_to_num(c, nan=1).astype(int) - 1])

    level1, level2 = level(c1), level(c2)
    improved = level1 - level2  # level 1 is the best
    size = np.abs(improved)
    grade = (size >= rules.level_slight).astype(float) + (size >= rules.level_clear)
    grade = np.where(np.isnan(improved), np.nan, np.sign(improved) * grade)
    columns = {
        "status_level_1": pd.array(np.where(np.isnan(level1), None, level1), dtype="Int8"),
        "status_level_2": pd.array(np.where(np.isnan(level2), None, level2), dtype="Int8"),
        "level_change": pd.array(np.where(np.isnan(improved), None, improved), dtype="Int8"),
    }
    return _graded(columns, grade, _index(class1, class2))
