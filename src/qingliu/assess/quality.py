"""Single-factor classification of water samples under GB 3838-2002 (单因子评价法).

Each value is put in the best class whose limit it meets (GB 3838-2002 §4 and Table 1); a
sample (or a section's period mean) takes the worst class among the items evaluated by the
2011 method (环办〔2011〕22号 二(一)1, 21 items). The class limits come from
:func:`qingliu.standards.load_class_limits`, the method's rules from ``method_2011.toml`` via
:func:`load_method`.

Classes are small integers: 1..5 for I..V, 6 for worse than V (劣V) and 0 for "not classified"
(a missing value, or an item without class limits such as water temperature or conductivity).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from typing import Sequence

import numpy as np

from qingliu.model.tables import WATER_BODIES
from qingliu.standards import ClassLimits, catalogue, load_class_limits, load_toml

NOT_CLASSIFIED = 0

# Rows per block of the classification kernel: one item's block (512 kB of float64) stays in
# the CPU cache while it is compared against its limits.
_BLOCK_ROWS = 65536


@dataclass(frozen=True)
class ProportionRule:
    """River/basin rule of 二(一)2 (section-class proportion method); shares in percent."""

    min_sections: int
    good_classes_up_to: int
    good_1_3_excellent: int
    good_1_3_good: int
    worse_v_moderate: int
    worse_v_heavy: int


@dataclass(frozen=True)
class MainPollutantRule:
    """Main pollution indicators of 二(一)3."""

    worse_than_class: int
    count: int
    reference_class: int
    no_multiple: tuple[str, ...]
    priority: tuple[str, ...]
    multiple_decimals: int
    rate_decimals: int


@dataclass(frozen=True)
class CwqiRule:
    """City water-quality index (城市地表水环境质量排名技术规定)."""

    reference_class: int
    inverse: tuple[str, ...]
    ph_neutral: float


@dataclass(frozen=True)
class EvaluationMethod:
    """The 2011 evaluation method (or a later one with the same shape) as loaded from TOML.

    Attributes
    ----------
    document : the issuing document, e.g. ``"环办〔2011〕22号"``.
    evaluated : item codes that set a sample's class (21 items).
    lake_separate : item evaluated separately for lakes and reservoirs (``"tn"``).
    lake_water_bodies : water-body kinds that use the lake limits and the lake rules.
    annual_from_monthly_means : annual value = mean of the monthly means.
    dl_default : default detection-limit rule, a key of ``dl_factor``.
    dl_factor : factor applied to a below-detection-limit value per rule.
    status_zh, status_en, colour : status word and colour per class, index 0 = class 1.
    proportion, main_pollutants, cwqi : the rules of the method's sections.
    """

    document: str
    evaluated: tuple[str, ...]
    lake_separate: str
    lake_water_bodies: tuple[str, ...]
    annual_from_monthly_means: bool
    dl_default: str
    dl_factor: dict[str, float]
    status_zh: tuple[str, ...]
    status_en: tuple[str, ...]
    colour: tuple[str, ...]
    proportion: ProportionRule
    main_pollutants: MainPollutantRule
    cwqi: CwqiRule


@cache
def load_method(name: str = "method_2011") -> EvaluationMethod:
    """Load an evaluation method's rules (default 环办〔2011〕22号, ``method_2011.toml``)."""
    data = load_toml(name)
    items, status, dl = data["items"], data["section_status"], data["detection_limit"]
    if list(status["classes"]) != list(range(1, len(status["classes"]) + 1)):
        raise ValueError(f"{name}.toml: section_status.classes must be 1..n")
    return EvaluationMethod(
        document=data["meta"]["document"],
        evaluated=tuple(items["evaluated"]),
        lake_separate=items["lake_separate"],
        lake_water_bodies=tuple(items["lake_water_bodies"]),
        annual_from_monthly_means=bool(data["averaging"]["annual_from_monthly_means"]),
        dl_default=dl["default"],
        dl_factor={k: float(v) for k, v in dl["factor"].items()},
        status_zh=tuple(status["zh"]),
        status_en=tuple(status["en"]),
        colour=tuple(status["colour"]),
        proportion=ProportionRule(**data["proportion"]),
        main_pollutants=MainPollutantRule(
            **{
                **data["main_pollutants"],
                "no_multiple": tuple(data["main_pollutants"]["no_multiple"]),
                "priority": tuple(data["main_pollutants"]["priority"]),
            }
        ),
        cwqi=CwqiRule(
            reference_class=data["cwqi"]["reference_class"],
            inverse=tuple(data["cwqi"]["inverse"]),
            ph_neutral=float(data["cwqi"]["ph_neutral"]),
        ),
    )


@dataclass(frozen=True)
class ClassResult:
    """Result of :func:`classify`.

    Attributes
    ----------
    codes : item codes of the columns.
    item_class : uint8 array (n_samples, n_items), class 1..6 of each value, 0 = not classified.
    sample_class : uint8 array (n_samples,), worst class over the evaluated items, 0 when none
        of them has a value.
    tn_class : uint8 array (n_samples,), class of the lake-separate item (total nitrogen) for
        lake and reservoir samples, 0 for rivers or when it is missing.
    evaluated : bool array (n_items,), the columns that set ``sample_class``.
    range_items : bool array (n_items,), the columns with a range rule (pH).
    labels : class labels for classes 1..6 ("I" .. "V", "劣V").
    """

    codes: tuple[str, ...]
    item_class: np.ndarray
    sample_class: np.ndarray
    tn_class: np.ndarray
    evaluated: np.ndarray
    range_items: np.ndarray
    labels: tuple[str, ...]

    @cached_property
    def worst(self) -> np.ndarray:
        """Bool array (n_samples, n_items): the evaluated items whose class is the sample's.

        A range item (pH) inside its range constrains no class, so it never sets the class;
        outside the range it does (class 劣V). Computed on first access.
        """
        klass = self.sample_class[:, None]
        mask = (self.item_class == klass) & (klass > NOT_CLASSIFIED) & self.evaluated
        for j in np.flatnonzero(self.range_items):
            mask[:, j] &= self.item_class[:, j] == len(self.labels)
        return mask

    def worst_codes(self, sep: str = ";") -> np.ndarray:
        """Codes of the items setting each sample's class, joined by ``sep`` ("" when none)."""
        return join_codes(self.worst, self.codes, sep)

    def sample_labels(self) -> np.ndarray:
        """Label ("I" .. "劣V") of each sample's class, "" when not classified."""
        return class_labels(self.sample_class, self.labels)


def class_labels(classes: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Map classes 1..6 to their labels and 0 to ""; vectorised by table lookup."""
    table = np.array(["", *labels], dtype=object)
    return table[np.asarray(classes, dtype=np.intp)]


def status_of_class(classes: np.ndarray, method: EvaluationMethod | None = None) -> dict[str, np.ndarray]:
    """Status word (zh, en) and colour of each class (表1 断面水质定性评价), None for class 0.

    Returns a dict with arrays ``status_zh``, ``status_en`` and ``colour``.
    """
    method = method or load_method()
    idx = np.asarray(classes, dtype=np.intp)
    return {
        key: np.array([None, *words], dtype=object)[idx]
        for key, words in (
            ("status_zh", method.status_zh),
            ("status_en", method.status_en),
            ("colour", method.colour),
        )
    }


def join_codes(mask: np.ndarray, codes: Sequence[str], sep: str = ";") -> np.ndarray:
    """Join, per row, the codes of the True columns of ``mask`` (n, p) with ``sep``.

    Vectorised over rows (a loop over the p columns only). Returns a string array of n items,
    "" where a row has no True column. ``sep`` must not end a code (";" never does).
    """
    mask = np.asarray(mask, dtype=bool)
    out = np.zeros(mask.shape[0], dtype=np.dtypes.StringDType())
    for j, code in enumerate(codes):
        if mask[:, j].any():
            out = np.strings.add(out, np.where(mask[:, j], code + sep, ""))
    return np.strings.rstrip(out, sep)


def lake_mask(
    water_body: str | Sequence[str] | np.ndarray, n: int, method: EvaluationMethod
) -> bool | np.ndarray:
    """True where the water body uses the lake limits and rules (lake, reservoir).

    ``water_body`` is one of ``qingliu.model.tables.WATER_BODIES`` or an array of them (one per
    sample). Raises ValueError (zh + en) for any other value or a length mismatch.
    """
    if isinstance(water_body, str):
        if water_body not in WATER_BODIES:
            raise ValueError(
                f"水体类型无效 / invalid water_body {water_body!r}; expected one of {WATER_BODIES}"
            )
        return water_body in method.lake_water_bodies
    wb = np.asarray(water_body)
    if wb.shape != (n,):
        raise ValueError(
            f"水体类型数组长度应为 {n} / water_body array must have shape ({n},), got {wb.shape}"
        )
    matches = {kind: wb == kind for kind in WATER_BODIES}
    known = np.logical_or.reduce(list(matches.values()))
    if not known.all():
        row = int(np.argmin(known))
        raise ValueError(
            f"水体类型无效 / invalid water_body {wb[row]!r} (row {row}); expected one of {WATER_BODIES}"
        )
    return np.logical_or.reduce([matches[kind] for kind in method.lake_water_bodies])


def _check_codes(codes: tuple[str, ...], n_columns: int) -> None:
    if len(codes) != n_columns:
        raise ValueError(
            f"项目代码数 {len(codes)} 与列数 {n_columns} 不符 / {len(codes)} codes for {n_columns} columns"
        )
    known = catalogue()
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"未知监测项目 / unknown parameter codes: {unknown}")
    if len(set(codes)) != len(codes):
        raise ValueError(f"监测项目重复 / duplicate parameter codes: {codes}")


@dataclass(frozen=True)
class _Rule:
    """How one column is classified: limits deduplicated, with how many classes each closes.

    ``kind`` is "upper" (value <= limit), "lower" (value >= limit, DO), "range" (pH) or "none"
    (no class limits). ``limits``/``counts``: distinct limits and their multiplicity for rivers,
    ``lake_limits``/``lake_counts`` for lakes and reservoirs. For "range", ``limits`` = (low, high).
    """

    kind: str
    limits: tuple[float, ...] = ()
    counts: tuple[int, ...] = ()
    lake_limits: tuple[float, ...] = ()
    lake_counts: tuple[int, ...] = ()


def _distinct(row: np.ndarray) -> tuple[tuple[float, ...], tuple[int, ...]]:
    # Shared limits (COD I = II = 15) are compared once and counted twice.
    values, counts = np.unique(row, return_counts=True)
    return tuple(float(v) for v in values), tuple(int(c) for c in counts)


def _rules(codes: tuple[str, ...], limits: ClassLimits) -> list[_Rule]:
    rules = []
    for code in codes:
        if code in limits.range_items:
            rules.append(_Rule("range", limits.range_items[code]))
        elif code not in limits.codes:
            rules.append(_Rule("none"))
        else:
            row = limits.row(code)
            kind = "upper" if limits.upper[row] else "lower"
            rules.append(_Rule(kind, *_distinct(limits.river[row]), *_distinct(limits.lake[row])))
    return rules


def _column_class(col: np.ndarray, rule: _Rule, lake: bool, hit: np.ndarray, out: np.ndarray, worst: int) -> None:
    """Write into ``out`` the class of each value of ``col`` (1 + limits failed; NaN -> 0)."""
    if rule.kind == "none":
        out[...] = NOT_CLASSIFIED
        return
    np.equal(col, col, out=out)  # 1 for a value, 0 for NaN
    if rule.kind == "range":
        low, high = rule.limits
        np.less(col, low, out=hit)
        hit |= col > high
        out += hit.view(np.uint8) * np.uint8(worst - 1)
        return
    fails = np.greater if rule.kind == "upper" else np.less
    for limit, count in zip(*((rule.lake_limits, rule.lake_counts) if lake else (rule.limits, rule.counts))):
        fails(col, limit, out=hit)
        for _ in range(count):
            out += hit.view(np.uint8)


def classify(
    values: np.ndarray,
    codes: Sequence[str],
    *,
    water_body: str | Sequence[str] | np.ndarray = "river",
    limits: ClassLimits | None = None,
    method: EvaluationMethod | None = None,
) -> ClassResult:
    """Classify values by GB 3838-2002 Table 1 and each sample by the single-factor method.

    Per value (GB 3838-2002 §4, Table 1): the best class whose limit the value meets, so where
    classes share a limit the better class is taken (COD 15 -> I, 15.01 -> III); upper-bound
    items meet a limit when ``value <= limit``, DO when ``value >= limit``; pH inside 6-9 is
    class I (it constrains no class and never sets the sample class), outside it 劣V (6).
    A value failing class V is 劣V (6). Lakes and reservoirs use the lake row (TP).
    Per sample (环办〔2011〕22号 二(一)1): the worst class over the method's 21 evaluated items.
    Total nitrogen never enters it; for lake and reservoir samples its class is returned apart
    in ``tn_class`` (一(一)1). Water temperature and fecal coliform are reference items: their
    values may be present (fecal coliform still gets an item class) but do not set the class.

    Parameters
    ----------
    values : float array (n_samples, n_items), concentrations in the internal units
        (mg/L; pH dimensionless). NaN = missing: that value gets class 0 and is ignored.
    codes : parameter codes of the columns (catalogue codes, any subset and order).
    water_body : "river", "lake" or "reservoir", or an array of these, one per sample.
    limits : class limits (default GB 3838-2002).
    method : evaluation method (default 环办〔2011〕22号).

    Returns
    -------
    ClassResult
        uint8 class arrays; a sample with no evaluated value has class 0.

    Notes
    -----
    Vectorised: the kernel walks blocks of rows and compares each block, all columns at once,
    with the five limits, counting the limits a value exceeds (class = 1 + count; NaN -> 0).
    Values are compared as given: round them (GB/T 8170) before calling if a report requires.
    """
    limits = limits or load_class_limits()
    method = method or load_method()
    codes = tuple(codes)
    vals = np.asarray(values, dtype=float)
    if vals.ndim != 2:
        raise ValueError(f"values 应为二维数组 / values must be 2-D (n_samples, n_items), got {vals.ndim}-D")
    _check_codes(codes, vals.shape[1])
    n, p = vals.shape
    lake = lake_mask(water_body, n, method)
    rules = _rules(codes, limits)
    worst = limits.river.shape[1] + 1
    evaluated = np.array([c in method.evaluated for c in codes], dtype=bool)
    eval_cols = np.flatnonzero(evaluated)
    # Item-major output: every column is contiguous, so each comparison runs over one long
    # contiguous stretch. A C-ordered input is transposed block by block into a cache-sized buffer.
    item_class = np.empty((n, p), dtype=np.uint8, order="F")
    sample_class = np.zeros(n, dtype=np.uint8)
    rows = min(n, _BLOCK_ROWS)
    item_major = vals.flags.f_contiguous
    buffer = None if item_major else np.empty((p, rows))
    hit = np.empty(rows, dtype=bool)
    mixed = np.empty(rows, dtype=np.uint8)
    for start in range(0, n, _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, n)
        m = stop - start
        if item_major:
            block = vals[start:stop].T
        else:
            block = buffer[:, :m]
            np.copyto(block, vals[start:stop].T)
        best = sample_class[start:stop]
        for j, rule in enumerate(rules):
            out = item_class[start:stop, j]
            _column_class(block[j], rule, lake is True, hit[:m], out, worst)
            if isinstance(lake, np.ndarray) and rule.lake_limits != rule.limits:
                _column_class(block[j], rule, True, hit[:m], mixed[:m], worst)
                np.copyto(out, mixed[:m], where=lake[start:stop])
        for j in eval_cols:
            np.maximum(best, item_class[start:stop, j], out=best)

    tn_class = np.zeros(n, dtype=np.uint8)
    if method.lake_separate in codes and lake is not False:
        tn = item_class[:, codes.index(method.lake_separate)]
        tn_class = np.where(lake, tn, tn_class).astype(np.uint8)
    range_items = np.array([r.kind == "range" for r in rules], dtype=bool)
    return ClassResult(codes, item_class, sample_class, tn_class, evaluated, range_items, limits.labels)
