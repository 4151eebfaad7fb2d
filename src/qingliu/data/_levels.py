"""Daily 08:00 water levels 2020-2025 at the hydrological stations and the reservoirs.

Stations: the 08:00 flow is the day's mean flow with a little autocorrelated noise (the reading
is one moment of the day), turned into a level by a rating curve h = z0 + a·q^b. The exponent
b = 3/5 is that of Manning's equation in a wide rectangular channel (q ∝ depth^(5/3)); z0 is
the zero-flow level and a is set so that the warning level (警戒水位) is reached at a chosen
warning flow, about a flood of a few years' return: storm days exceed it, the guarantee level
(保证水位) is not reached. In winter ice raises the level (封河壅水); the illustrative ice jam of
late December 2025 at 义棠 brings it over the warning level on the last day.

Reservoirs: the storage follows the operating rule (near the normal pool level 正常蓄水位 from
autumn to spring, drawn down for irrigation in spring to below the flood-limit level 汛限水位 for
June-September, refilled in October-November), less a deficit in dry years (the trailing
year's inflow short of its mean), plus flood water held back when the inflow exceeds what the
outlets pass, released over a few days (a linear reservoir, ``scipy.signal.lfilter``). Levels
come from storage by a power-law level-storage curve through the total capacity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from qingliu.data._layout import RESERVOIRS, STATIONS

START, END = "2020-01-01", "2025-12-31"
READING_HOUR = "08:00"

MANNING_EXPONENT = 0.6
"""b of the rating curve: depth ∝ q^(3/5) in a wide rectangular channel (Manning)."""

RATING = {"H01": (4.0, 250.0), "H02": (2.6, 100.0), "H03": (2.8, 45.0), "H04": (2.8, 60.0),
          "H05": (2.8, 45.0), "H06": (2.8, 55.0)}  # fmt: skip
"""Per station: depth above the zero-flow level at the warning level (m), warning flow (m3/s)."""

READING_SD, READING_AR = 0.05, 0.5
"""Lognormal spread of the 08:00 flow around the daily mean, and its day-to-day correlation."""

ICE_RISE_M = 0.25
"""Largest rise of winter levels by ice cover (封河壅水)."""
ICE_SEASON = ((0, 0.0), (31, 1.0), (76, 1.0), (99, 0.0))
"""(days after 1 December, share of the ice rise): ice forms in December, breaks up by 10 March."""
ICE_JAM = ("H01", "2025-12-24", 0.12)
"""Station, first day and the level above warning reached on the last day: a late-December ice jam."""

LEVEL_STORAGE_EXPONENT = 2.5
"""Storage ∝ (h − bed)^2.5 in a valley reservoir."""
RESERVOIR_DESIGN = {  # depth at the normal level (m), total-capacity level above normal (m),
    # inflow (station, area factor), outlet capacity (m3/s)
    "R01": (28.0, 2.5, ("H03", 1.25), 40.0),
    "R02": (32.0, 2.5, ("H05", 1.3), 90.0),
}
RULE = ((1, "normal", -0.2), (75, "normal", -0.2), (151, "flood_limit", -0.4), (274, "flood_limit", -0.4),
        (320, "normal", -0.2), (366, "normal", -0.2))  # fmt: skip
"""Operating rule by day of year: (day, reference level, offset m), linear in between."""
FLOOD_RELEASE_DAYS = 4.0
"""Flood water held back drains over about this many days."""
DRY_DEFICIT = 0.25
"""Share of the active storage (rule − dead) left unfilled per unit shortfall of the trailing year's inflow."""
LEVEL_NOISE_M = 0.01
M3S_TO_1E4M3_PER_DAY = 8.64
"""1 m3/s over a day is 86,400 m3 = 8.64 × 10^4 m3."""


def rating_level(q: np.ndarray, warning_level: np.ndarray, depth_at_warning: np.ndarray,
                 warning_flow: np.ndarray) -> np.ndarray:
    """Level h = z0 + a·q^b with z0 = warning − depth and a·q_w^b = depth (m)."""
    z0 = warning_level - depth_at_warning
    a = depth_at_warning / warning_flow**MANNING_EXPONENT
    return z0 + a * np.maximum(q, 0.0) ** MANNING_EXPONENT


def _ice_share(days: pd.DatetimeIndex) -> np.ndarray:
    after_first_december = (days.day_of_year.to_numpy() - 335) % 365
    x, y = zip(*ICE_SEASON, strict=True)
    return np.interp(after_first_december, x, y, right=0.0)


def station_levels(q: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """08:00 levels (m), days × stations, from daily flows ``q`` (days × station ids, m3/s)."""
    ids = list(q.columns)
    site = {s.station_id: s for s in STATIONS}
    warning = np.array([site[i].warning_level_m for i in ids])
    depth, q_w = (np.array([RATING[i][k] for i in ids]) for k in (0, 1))
    noise = lfilter([np.sqrt(1 - READING_AR**2)], [1, -READING_AR], rng.normal(size=q.shape), axis=0)
    q08 = q.to_numpy() * np.exp(READING_SD * noise - READING_SD**2 / 2)
    level = rating_level(q08, warning, depth, q_w) + ICE_RISE_M * _ice_share(q.index)[:, None]
    station, first, above = ICE_JAM
    j = ids.index(station)
    ramp = np.clip((q.index - pd.Timestamp(first)).days / max((q.index[-1] - pd.Timestamp(first)).days, 1), 0, 1)
    level[:, j] += ramp.to_numpy() * (warning[j] + above - level[-1, j])
    return pd.DataFrame(level, index=q.index, columns=ids)


def _storage(level: np.ndarray, bed: float, top: float, capacity: float) -> np.ndarray:
    return capacity * ((level - bed) / (top - bed)) ** LEVEL_STORAGE_EXPONENT


def _level(storage: np.ndarray, bed: float, top: float, capacity: float) -> np.ndarray:
    return bed + (top - bed) * (np.maximum(storage, 0.0) / capacity) ** (1 / LEVEL_STORAGE_EXPONENT)


def reservoir_levels(q: pd.DataFrame, days: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """08:00 levels (m), days × reservoir ids, from the daily inflow of ``q`` (all days × stations)."""
    out = {}
    doy = days.day_of_year.to_numpy()
    for r in RESERVOIRS:
        depth, freeboard, (station, factor), outlet = RESERVOIR_DESIGN[r.reservoir_id]
        bed, top = r.normal_level_m - depth, r.normal_level_m + freeboard
        ref = {"normal": r.normal_level_m, "flood_limit": r.flood_limit_level_m}
        rule_level = np.interp(doy, [d for d, _, _ in RULE], [ref[k] + dz for _, k, dz in RULE])
        rule = _storage(rule_level, bed, top, r.capacity_1e4m3)
        inflow = q[station].interpolate(limit_direction="both") * factor
        year_ratio = (inflow.rolling(365, min_periods=1).mean() / inflow.mean()).reindex(days).to_numpy()
        deficit = DRY_DEFICIT * np.clip(1 - year_ratio, 0, 1) * (rule - r.dead_1e4m3)
        excess = np.maximum(inflow.reindex(days).to_numpy() - outlet, 0.0) * M3S_TO_1E4M3_PER_DAY
        held = lfilter([1.0], [1.0, -(1 - 1 / FLOOD_RELEASE_DAYS)], excess)
        level = _level(rule - deficit + held, bed, top, r.capacity_1e4m3)
        out[r.reservoir_id] = level + LEVEL_NOISE_M * rng.normal(size=len(days))
    return pd.DataFrame(out, index=days)


def levels(flows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Levels ``site_id, time, level_m`` of every station and reservoir, daily at 08:00, unrounded."""
    q = flows.pivot(index="date", columns="station_id", values="q")
    q.index = pd.DatetimeIndex(q.index)
    days = pd.date_range(START, END, freq="D")
    wide = pd.concat([station_levels(q.loc[days], rng), reservoir_levels(q, days, rng)], axis=1)
    times = (days.strftime("%Y-%m-%d") + f" {READING_HOUR}").to_numpy()
    return pd.DataFrame(
        {"site_id": np.repeat(list(wide.columns), len(days)), "time": np.tile(times, wide.shape[1]),
         "level_m": wide.to_numpy().T.ravel()}
    )  # fmt: skip
