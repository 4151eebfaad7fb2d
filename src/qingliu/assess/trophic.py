"""Trophic state of lakes and reservoirs: the comprehensive trophic level index TLI(Σ).

Method: 中国环境监测总站《湖泊（水库）富营养化评价方法及分级技术规定》总站生字〔2001〕090号,
adopted by 地表水环境质量评价办法（试行）环办〔2011〕22号. Coefficients, weights and classes
live in ``standards/tli.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from qingliu.standards import load_toml

PARAMETERS = ("chla", "tp", "tn", "sd", "codmn")
"""Parameter codes of the TLI, in the order of the 2001 method."""


@dataclass(frozen=True)
class _Method:
    r_squared: np.ndarray  # (5,) squared correlation with Chl-a, in PARAMETERS order
    a: np.ndarray
    b: np.ndarray
    reference: int  # position of the reference parameter (Chl-a)
    min_parameters: int
    lower: np.ndarray  # (4,) lower bounds of classes 2..5
    codes: np.ndarray  # (6,) object: None for "no class", then the class codes
    zh: np.ndarray
    en: np.ndarray
    boundaries: dict[str, frozenset[float]]
    default_boundaries: str


@cache
def _method() -> _Method:
    data = load_toml("tli")
    params = data["parameter"]
    if tuple(params) != PARAMETERS:
        raise ValueError(f"tli.toml must list the parameters {PARAMETERS}, got {tuple(params)}")
    classes = data["class"]

    def labels(key: str) -> np.ndarray:
        return np.array([None, *(c[key] for c in classes)], dtype=object)

    bounds = data["boundaries"]
    return _Method(
        r_squared=np.array([params[p]["r"] ** 2 for p in PARAMETERS]),
        a=np.array([params[p]["a"] for p in PARAMETERS]),
        b=np.array([params[p]["b"] for p in PARAMETERS]),
        reference=PARAMETERS.index(data["meta"]["reference_parameter"]),
        min_parameters=int(data["meta"]["min_parameters"]),
        lower=np.array([c["lower"] for c in classes[1:]], dtype=float),
        codes=labels("code"),
        zh=labels("zh"),
        en=labels("en"),
        boundaries={k: frozenset(v) for k, v in bounds.items() if k != "default"},
        default_boundaries=bounds["default"],
    )


def tli_weights(available: ArrayLike | None = None) -> np.ndarray:
    """Weights W_j = r_ij² / Σ r_ij² of the TLI parameters (总站生字〔2001〕090号).

    Parameters
    ----------
    available : bool array (..., 5), optional
        Which of :data:`PARAMETERS` are present; the sum runs over those only. Default: all five.

    Returns
    -------
    ndarray (..., 5)
        Weights in :data:`PARAMETERS` order, 0 for absent parameters; each row sums to 1
        (NaN where no parameter is present).
    """
    r2 = _method().r_squared
    mask = np.ones(len(PARAMETERS), dtype=bool) if available is None else np.asarray(available, dtype=bool)
    w = np.where(mask, r2, 0.0)
    total = w.sum(axis=-1, keepdims=True)
    return np.divide(w, total, out=np.full(w.shape, np.nan), where=total > 0)


def trophic_level(tli_values: ArrayLike, *, boundaries: str | None = None) -> np.ndarray:
    """Trophic class of TLI(Σ) values as an integer level.

    Parameters
    ----------
    tli_values : array-like
        TLI(Σ) values (any shape); NaN gives level 0.
    boundaries : str, optional
        Convention for values equal to a class bound, a key of ``[boundaries]`` in tli.toml:
        ``"text_2001"`` (default; TLI < 30 贫营养, 30 <= TLI <= 50 中营养, then 50 < TLI <= 60,
        60 < TLI <= 70, TLI > 70) or ``"upper_inclusive"`` (TLI <= 30 贫营养, standards.md §2 [M]).

    Returns
    -------
    ndarray of int
        1 贫营养 oligotrophic, 2 中营养 mesotrophic, 3 轻度富营养, 4 中度富营养, 5 重度富营养;
        0 where the value is NaN.
    """
    method = _method()
    name = boundaries or method.default_boundaries
    if name not in method.boundaries:
        raise ValueError(
            f"未知的边界约定 {name!r} / unknown boundary convention {name!r}; "
            f"choose from {sorted(method.boundaries)}"
        )
    from_above = np.isin(method.lower, list(method.boundaries[name]))
    x = np.asarray(tli_values, dtype=float)[..., np.newaxis]
    above = (x > method.lower) | ((x == method.lower) & from_above)
    return np.where(np.isnan(x[..., 0]), 0, 1 + above.sum(axis=-1))


@dataclass(frozen=True)
class TLIResult:
    """Sub-indices, TLI(Σ) and trophic class, one element per input row.

    Attributes
    ----------
    tli_chla, tli_tp, tli_tn, tli_sd, tli_codmn : ndarray
        Sub-indices TLI(j) = 10 (a_j + b_j ln c_j); NaN where the parameter is missing.
    tli : ndarray
        TLI(Σ) = Σ W_j TLI(j) over the parameters present, weights renormalised; NaN when
        Chl-a is missing or fewer than ``min_parameters`` parameters are present.
    n_parameters : ndarray of int
        Number of parameters present in each row.
    trophic_level : ndarray of int
        1..5 (贫营养 .. 重度富营养), 0 where ``tli`` is NaN; see :func:`trophic_level`.
    trophic_class, trophic_zh, trophic_en : ndarray of object
        Class code (e.g. ``"light_eutrophic"``), Chinese and English labels; None where
        ``tli`` is NaN.
    """

    tli_chla: np.ndarray
    tli_tp: np.ndarray
    tli_tn: np.ndarray
    tli_sd: np.ndarray
    tli_codmn: np.ndarray
    tli: np.ndarray
    n_parameters: np.ndarray
    trophic_level: np.ndarray
    trophic_class: np.ndarray
    trophic_zh: np.ndarray
    trophic_en: np.ndarray

    def to_frame(self, index: pd.Index | None = None) -> pd.DataFrame:
        """The result as a table, one row per input row (inputs flattened in C order)."""
        return pd.DataFrame({k: np.ravel(v) for k, v in self.__dict__.items()}, index=index)


def tli(
    chla: ArrayLike,
    tp: ArrayLike,
    tn: ArrayLike,
    sd: ArrayLike,
    codmn: ArrayLike | None = None,
    *,
    min_parameters: int | None = None,
    boundaries: str | None = None,
) -> TLIResult:
    """Comprehensive trophic level index TLI(Σ) of lakes and reservoirs.

    总站生字〔2001〕090号 (adopted by 环办〔2011〕22号): TLI(j) = 10 (a_j + b_j ln c_j) and
    TLI(Σ) = Σ W_j TLI(j) with W_j = r_ij² / Σ r_ij², r_ij the correlation of parameter j with
    the reference parameter Chl-a (coefficients in ``standards/tli.toml``).

    Parameters
    ----------
    chla : array-like
        Chlorophyll a, mg/m3.
    tp, tn : array-like
        Total phosphorus and total nitrogen, mg/L.
    sd : array-like
        Secchi depth (transparency), m.
    codmn : array-like, optional
        Permanganate index, mg/L; None for the 4-parameter index.
    min_parameters : int, optional
        Fewest parameters a row needs (default ``min_parameters`` in tli.toml, 4).
    boundaries : str, optional
        Class-bound convention, see :func:`trophic_level`.

    Returns
    -------
    TLIResult
        Arrays of the broadcast shape of the inputs.

    Notes
    -----
    Missing data (NaN): a missing parameter drops out of the sum and the weights are
    renormalised over the parameters present in that row, so the 4-parameter index without
    CODMn uses W = r² / (1 + 0.84² + 0.82² + 0.83²). Chl-a is required (it is the reference
    parameter the weights are defined against); a row without it, or with fewer than
    ``min_parameters`` parameters, gets TLI(Σ) NaN and no class, while its sub-indices are
    still given. A value <= 0 has no logarithm and counts as missing.
    """
    method = _method()
    needed = method.min_parameters if min_parameters is None else min_parameters
    columns = [np.asarray(v, dtype=float) for v in (chla, tp, tn, sd)]
    columns.append(np.full((), np.nan) if codmn is None else np.asarray(codmn, dtype=float))
    values = np.stack(np.broadcast_arrays(*columns), axis=-1)
    # A value <= 0 (e.g. a below-detection-limit value averaged as zero) has no logarithm: it
    # counts as missing for its row, whose other parameters still give a TLI where enough remain.
    values = np.where(values > 0, values, np.nan)
    sub = 10.0 * (method.a + method.b * np.log(values))
    present = ~np.isnan(values)
    weights = tli_weights(present)
    total = np.nansum(weights * sub, axis=-1)
    count = present.sum(axis=-1)
    valid = present[..., method.reference] & (count >= needed)
    index = np.where(valid, total, np.nan)
    level = trophic_level(index, boundaries=boundaries)
    return TLIResult(
        *(sub[..., j] for j in range(len(PARAMETERS))),
        tli=index,
        n_parameters=np.asarray(count),
        trophic_level=level,
        trophic_class=np.asarray(method.codes[level], dtype=object),
        trophic_zh=np.asarray(method.zh[level], dtype=object),
        trophic_en=np.asarray(method.en[level], dtype=object),
    )
