"""Monthly water-quality samples of the example sections, 2015-01 to 2025-12, in wide format.

Built vectorised over sections × months × items:

* Main items (DO, CODMn, COD, BOD5, NH3-N, TP, TN) start from a *class position* x per section
  and item (class = ceil(x); x = 2.5 is the middle of class III) that is turned into a
  concentration by interpolating the GB 3838-2002 Table 1 limits (``value_at``); lake limits
  for reservoir sections. x is worse by ``dx2015`` classes until 2016 and improves to its 2025
  value over 2017-2024 (汾河治理, 一泓清水入黄河).
* Monthly factors, normalised to a mean of 1: storm-season (Jul-Sep) non-point peaks of TP,
  COD and NH3-N; dry-season (winter and spring low flow) concentration where point sources
  dominate; slow nitrification in cold months for NH3-N; DO follows oxygen saturation at the
  water temperature, itself seasonal.
* Lognormal sampling noise. The 2025 annual mean of each main item is then set exactly to its
  design value, so that the designed sections (``failing`` in the layout) fail their target
  class in 2025 and all others meet it, whatever the seed.
* Trace items (metals, cyanide, phenol, sulfide, petroleum, LAS) are lognormal around small
  medians raised by industrial influence; values below the detection limit are written in
  Chinese lab notation (``0.01L``). A few months and cells are missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qingliu.data._format import format_numbers
from qingliu.data._layout import SECTIONS
from qingliu.standards import catalogue, load_class_limits

START, END = "2015-01", "2025-12"

ITEMS = (
    "water_temp", "ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "tn", "cu", "zn", "fluoride", "se", "as",
    "hg", "cd", "cr6", "pb", "cyanide", "phenol", "petroleum", "las", "sulfide", "fecal_coliform", "chla", "sd",
)  # fmt: skip
"""Columns of the samples file: the 24 items of GB 3838-2002 Table 1, then Chl-a and SD (lakes)."""

UNIT_LABEL = {"water_temp": "℃", "ph": "无量纲", "fecal_coliform": "个/L", "chla": "mg/m3", "sd": "m"}
"""Unit written in a header; mg/L for the others."""

DETECTION_LIMIT = {
    "codmn": 0.5, "cod": 4.0, "bod5": 0.5, "nh3n": 0.025, "tp": 0.01, "tn": 0.05, "cu": 0.001, "zn": 0.05,
    "fluoride": 0.05, "se": 0.0004, "as": 0.0003, "hg": 0.00004, "cd": 0.001, "cr6": 0.004, "pb": 0.01,
    "cyanide": 0.004, "phenol": 0.0003, "petroleum": 0.01, "las": 0.05, "sulfide": 0.005,
    "fecal_coliform": 20.0, "chla": 2.0,
}  # fmt: skip
"""Illustrative detection limits (mg/L; 个/L; mg/m3) of methods in common use in Chinese
monitoring labs (e.g. HJ 535 NH3-N 0.025, GB 11893 TP 0.01, HJ 694 AFS for As/Se/Hg, GB 7475
extraction AAS for Cu/Cd/Pb, GB 7467 Cr(VI) 0.004, HJ 503 phenol 0.0003) [from memory]."""

MAIN = ("do", "codmn", "cod", "bod5", "nh3n", "tp")
"""Items whose 2025 annual mean is set to the design, and which set the section class."""
OFFSET = {"do": -0.9, "codmn": -0.6, "cod": 0.0, "bod5": -0.4, "nh3n": -0.15, "tp": -0.3}
"""Class position of each main item relative to the section's worst (before jitter)."""
TN_OFFSET = {"river": 3.0, "reservoir": 1.0}
"""TN sits this many classes above the section position (rivers are not assessed on TN)."""
JITTER = 0.3
"""Each main item is lowered by up to this many classes at random, so the worst item varies."""
FAIL_MARGIN = 0.5
"""A failing item's 2025 position: this far into the class below the target."""
YEAR_SD = 0.1
"""Year-to-year wander of a section's class position."""

KNOT_LOW, KNOT_HIGH = (0.5, 1.2), ((1.5, 3.0), (0.5, 0.3))
"""Ends of the position-to-value curve: at x = 0 the class-I limit times 0.5 (upper-bound items)
or 1.2 (DO); at x = 6 and 7 the class-V limit times 1.5 and 3.0 (DO: 0.5 and 0.3)."""

STORM = np.array([0, 0, 0, 0, 0, 0, 1.0, 1.0, 0.5, 0, 0, 0])
DRY = np.array([0.6, 0.7, 0.9, 1.0, 1.0, 0.6, 0, 0, 0, 0.1, 0.3, 0.5])
COLD = np.array([1.0, 1.0, 0.6, 0, 0, 0, 0, 0, 0, 0, 0, 0.8])
SEASONAL = {  # item: (storm, dry × point share, cold × point share) sensitivities
    "codmn": (0.30, 0.25, 0.0), "cod": (0.35, 0.30, 0.0), "bod5": (0.20, 0.30, 0.0),
    "nh3n": (0.25, 0.50, 0.6), "tp": (0.60, 0.30, 0.0), "tn": (0.20, 0.30, 0.2), "fecal_coliform": (1.0, 0.0, 0.0),
}  # fmt: skip
NOISE_SD = {"do": 0.07, "codmn": 0.18, "cod": 0.2, "bod5": 0.25, "nh3n": 0.35, "tp": 0.3, "tn": 0.2,
            "fecal_coliform": 0.6, "fluoride": 0.15, "chla": 0.4, "sd": 0.2}  # fmt: skip

TRACE = {  # item: (median mg/L at no industry, multiplier per unit of industry, lognormal sd)
    "cu": (0.0005, 1.5, 0.5), "zn": (0.012, 2.0, 0.6), "se": (0.00015, 0.5, 0.5), "as": (0.0002, 1.0, 0.6),
    "hg": (0.000012, 1.0, 0.5), "cd": (0.0002, 1.0, 0.5), "cr6": (0.0015, 1.5, 0.5), "pb": (0.0015, 1.5, 0.6),
    "cyanide": (0.0012, 2.0, 0.6), "phenol": (0.0001, 2.0, 0.6), "petroleum": (0.008, 1.5, 0.5),
    "las": (0.03, 1.0, 0.4), "sulfide": (0.002, 2.0, 0.6),
}  # fmt: skip
TRACE_TREND = 0.6
"""Trace items were higher by this share before the improvement."""
FLUORIDE_RANGE = (0.35, 0.75)
"""Range of section median fluoride (mg/L): fluoride-rich groundwater of the Shanxi basins."""

WATER_TEMP = (12.5, 11.5, 7.2, 1.5, 1.2)
"""Water temperature: annual mean (℃), amplitude, warmest month (fractional), cooling of the
eastern mountain sections, sampling noise sd."""
EAST_MOUNTAINS_LON = 112.9
"""Sections east of this longitude are in the Taihang mountains: colder, ice in January."""
PH = (8.0, 0.2, 0.15, 0.25, (7.0, 8.9))
"""pH: mean, section offset range (±), sampling sd, summer rise in reservoirs, clip range."""
FECAL_LOG10 = (2.6, 0.45)
"""log10 of fecal coliforms (个/L) = a + b·x."""
CHLA = (2.0, 0.6, 1.0)
"""Reservoir Chl-a (mg/m3) = a·exp(b·x), times (1 + c) at the summer peak."""
SD = (2.0, 0.25, 0.35)
"""Reservoir Secchi depth (m) = a·exp(-b·x), times (1 - c) at the summer peak."""

MISSING_MONTH, ICE_MONTH, MISSING_CELL = 0.01, 0.35, 0.004
"""Chance that a sample is missing; that January is missed at a cold section up to 2018; that a
cell of a secondary item is blank."""
ICE_UNTIL = 2018


def value_at(x: np.ndarray, code: str, *, lake: bool | np.ndarray = False) -> np.ndarray:
    """Concentration at class position ``x`` for item ``code`` (GB 3838-2002 Table 1 limits).

    Knots at x = 1..5 are the class I..V limits; a value at x in (k-1, k] lies in class k. Where
    classes share a limit (COD I = II = 15) the shared limit is kept at its last class, so the
    interval spans the merged classes. ``lake`` selects lake/reservoir limits (TP), per element.
    """
    limits = load_class_limits()
    row = limits.row(code)
    upper = bool(limits.upper[row])
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    lake = np.broadcast_to(np.asarray(lake, dtype=bool), x.shape)
    for is_lake in (False, True):
        values = (limits.lake if is_lake else limits.river)[row]
        low = values[0] * (KNOT_LOW[0] if upper else KNOT_LOW[1])
        high = values[-1] * np.array(KNOT_HIGH[0] if upper else KNOT_HIGH[1])
        xs, fs = [0.0], [low]
        for k, v in enumerate(values, start=1):
            if fs[-1] == v:  # equal limits: move the knot to the last class sharing it
                xs[-1] = float(k)
            else:
                xs.append(float(k))
                fs.append(float(v))
        xs += [6.0, 7.0]
        fs += list(high)
        sel = lake == is_lake
        out[sel] = np.interp(x[sel], xs, fs)
    return out


def _season(item: str, point: np.ndarray) -> np.ndarray:
    """Monthly factor, sections × 12, normalised to a mean of 1 per section."""
    storm, dry, cold = SEASONAL[item]
    f = 1 + storm * STORM[None, :] + point[:, None] * (dry * DRY + cold * COLD)[None, :]
    return f / f.mean(axis=1, keepdims=True)


def oxygen_saturation(temp: np.ndarray) -> np.ndarray:
    """Saturated DO (mg/L) in fresh water at sea level, cubic fit in temperature (℃) of the
    APHA Standard Methods 4500-O table [from memory]."""
    return 14.652 - 0.41022 * temp + 0.007991 * temp**2 - 0.000077774 * temp**3


def improvement(years: np.ndarray) -> np.ndarray:
    """Share of the 2015 excess still present: 1 up to 2016, falling to 0 in 2024."""
    return np.clip((2024 - years) / 8.0, 0.0, 1.0)


def samples(rng: np.random.Generator) -> pd.DataFrame:
    """The wide samples table: ``section_id, time`` and one text column per item."""
    months = pd.date_range(START, END, freq="MS")
    years, month = months.year.to_numpy(), months.month.to_numpy() - 1
    shape = (len(SECTIONS), len(months))
    lake = _attr("water_body") == "reservoir"
    clim_t = _climate_temperature()
    temp = np.maximum(clim_t[:, month] + rng.normal(0, WATER_TEMP[4], shape), 0.2)
    summer = np.isin(month, [5, 6, 7, 8])[None, :]
    ph = PH[0] + rng.uniform(-PH[1], PH[1], (shape[0], 1)) + rng.normal(0, PH[2], shape)
    values = {"water_temp": temp, "ph": np.clip(ph + PH[3] * (lake[:, None] & summer), *PH[4])}

    wander = rng.normal(0, YEAR_SD, (shape[0], years.max() - years.min() + 1))[:, years - years.min()]
    position = _attr("x2025")[:, None] + _attr("dx2015")[:, None] * improvement(years)[None, :] + wander
    do_factor = oxygen_saturation(temp) / oxygen_saturation(clim_t).mean(axis=1, keepdims=True)
    design = _main_items(rng, values, position, month, do_factor)
    _other_items(rng, values, position, years, month)

    kept = rng.random(shape) >= MISSING_MONTH
    cold = (_attr("lon") > EAST_MOUNTAINS_LON) | (_attr("point") <= 0.2)
    ice = cold[:, None] & (month == 0)[None, :] & (years <= ICE_UNTIL)[None, :]
    kept &= ~(ice & (rng.random(shape) < ICE_MONTH))
    for item in ITEMS:
        if item not in MAIN and item not in ("water_temp", "ph"):
            values[item] = np.where(rng.random(shape) < MISSING_CELL, np.nan, values[item])

    last = years == years.max()  # set the 2025 annual means of the main items to the design
    for item in MAIN:
        mean = np.nanmean(np.where(kept[:, last], values[item][:, last], np.nan), axis=1)
        values[item][:, last] *= (design[item] / mean)[:, None]

    day = rng.integers(5, 21, shape)
    return _wide(months, day, values, kept)


def _climate_temperature() -> np.ndarray:
    """Mean water temperature by section and calendar month (sections × 12)."""
    mean_t = WATER_TEMP[0] - WATER_TEMP[3] * (_attr("lon") > EAST_MOUNTAINS_LON)
    wave = np.cos(2 * np.pi * (np.arange(12) + 1 - WATER_TEMP[2]) / 12)
    return np.maximum(mean_t[:, None] + WATER_TEMP[1] * wave[None, :], 0.2)


def _main_items(
    rng: np.random.Generator, values: dict[str, np.ndarray], position: np.ndarray, month: np.ndarray,
    do_factor: np.ndarray,
) -> dict[str, np.ndarray]:  # fmt: skip
    """Fill DO, CODMn, COD, BOD5, NH3-N, TP and TN into ``values``; return the 2025 design means."""
    x25, point = _attr("x2025"), _attr("point")
    lake = _attr("water_body") == "reservoir"
    design = {}
    for item in MAIN:
        x_item = np.minimum(x25 + OFFSET[item] - rng.uniform(0, JITTER, len(x25)), x25)
        x_item = np.where(_attr("failing") == item, _attr("target_class") + FAIL_MARGIN, x_item)
        design[item] = value_at(x_item, item, lake=lake)
        base = value_at((x_item - x25)[:, None] + position, item, lake=lake[:, None])
        factor = do_factor if item == "do" else _season(item, point)[:, month]
        values[item] = base * factor * _lognormal(rng, NOISE_SD[item], position.shape)
    tn_x = position + np.where(lake, TN_OFFSET["reservoir"], TN_OFFSET["river"])[:, None]
    season = _season("tn", point)[:, month]
    values["tn"] = value_at(tn_x, "tn") * season * _lognormal(rng, NOISE_SD["tn"], tn_x.shape)
    return design


def _other_items(
    rng: np.random.Generator, values: dict[str, np.ndarray], position: np.ndarray, years: np.ndarray,
    month: np.ndarray,
) -> None:  # fmt: skip
    """Fill trace items, fluoride, fecal coliforms and (reservoirs only) Chl-a and SD."""
    industry, point = _attr("industry"), _attr("point")
    shape = position.shape
    for item, (median, per_industry, sd) in TRACE.items():
        level = median * (1 + per_industry * industry)[:, None] * (1 + TRACE_TREND * improvement(years))[None, :]
        values[item] = level * np.exp(rng.normal(0, sd, shape))
    fluoride = rng.uniform(*FLUORIDE_RANGE, shape[0])[:, None]
    values["fluoride"] = fluoride * _lognormal(rng, NOISE_SD["fluoride"], shape)
    fecal = 10 ** (FECAL_LOG10[0] + FECAL_LOG10[1] * position) * _season("fecal_coliform", point)[:, month]
    values["fecal_coliform"] = fecal * _lognormal(rng, NOISE_SD["fecal_coliform"], shape)
    lake = (_attr("water_body") == "reservoir")[:, None]
    peak = STORM[month][None, :]
    chla = CHLA[0] * np.exp(CHLA[1] * position) * (1 + CHLA[2] * peak)
    sd = SD[0] * np.exp(-SD[1] * position) * (1 - SD[2] * peak)
    values["chla"] = np.where(lake, chla * _lognormal(rng, NOISE_SD["chla"], shape), np.nan)
    values["sd"] = np.where(lake, sd * _lognormal(rng, NOISE_SD["sd"], shape), np.nan)


def _attr(name: str) -> np.ndarray:
    """One attribute of every section, as an array."""
    return np.array([getattr(s, name) for s in SECTIONS])


def _lognormal(rng: np.random.Generator, sd: float, shape: tuple[int, ...]) -> np.ndarray:
    """Multiplicative noise with mean 1."""
    return np.exp(rng.normal(-(sd**2) / 2, sd, shape))


def header(item: str) -> str:
    """Wide-format column header: Chinese name and unit, e.g. ``溶解氧(mg/L)``."""
    name = "pH" if item == "ph" else catalogue()[item].zh
    return f"{name}({UNIT_LABEL.get(item, 'mg/L')})"


def _text(item: str, values: np.ndarray) -> np.ndarray:
    """Format one item's values, with ``<DL>L`` below the detection limit."""
    if item == "water_temp":
        return format_numbers(values, decimals=1)
    if item in ("ph", "sd"):
        return format_numbers(values, decimals=2)
    sig = 2 if item == "fecal_coliform" else 4
    text = format_numbers(values, sig=sig)
    limit = DETECTION_LIMIT.get(item)
    if limit is not None:
        below = np.isfinite(values) & (values < limit)
        text = np.where(below, format_numbers([limit], sig=4)[0] + "L", text)
    return text


def _wide(months: pd.DatetimeIndex, day: np.ndarray, values: dict[str, np.ndarray], kept: np.ndarray) -> pd.DataFrame:
    s_idx, t_idx = np.nonzero(kept)  # row-major: by section, then month
    dates = months.to_numpy()[t_idx] + (day[s_idx, t_idx] - 1).astype("timedelta64[D]")
    frame = {
        "section_id": np.array([s.section_id for s in SECTIONS])[s_idx],
        "time": pd.DatetimeIndex(dates).strftime("%Y-%m-%d"),
    }
    for item in ITEMS:
        frame[header(item)] = _text(item, values[item][s_idx, t_idx])
    return pd.DataFrame(frame)
