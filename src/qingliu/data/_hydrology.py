"""Daily flows at the hydrological stations and daily rain at the rain gauges, 1980-2025,
from a seeded rainfall-runoff sketch.

The series are built, vectorised over days × sites, in five steps:

1. Rain: wet days drawn with a seasonal probability (monsoon peak late July, about 70 % of the
   year's rain in June-September), regionally correlated through a Gaussian copula, depths from
   a gamma distribution scaled by a yearly wetness factor (AR(1) between years, with named wet
   and dry years, see :data:`YEAR_ANOMALY`). The extreme rain of early October 2021 is added as
   an event. Catchment rain of the stations and point rain of the gauges are drawn together, so
   they share the regional days and years: the gauges' dry years are the flows' dry years.
2. Snow: precipitation from late November to February is stored and melts over March
   (the small spring rise, 桃花汛); winter flows are baseflow only (ice months).
3. Runoff: quick flow from the rain above an infiltration threshold, scaled up by antecedent
   wetness, and slow flow from a share of all input, each routed through a linear reservoir
   (``scipy.signal.lfilter``), so recessions are autocorrelated and storms give peaks.
4. Human influence: the slow component falls from 1990 to 2010 (groundwater over-abstraction,
   upstream use) and partly recovers after 2019 (ecological replenishment, 生态补水).
5. Each station's natural flow is scaled so that, with its steady regulated flow (effluents,
   the Taiyuan inflow and reservoir releases from upstream) added, the series has its design
   mean; flows below 5 L/s are set to zero (断流).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import lfilter
from scipy.special import ndtr

from qingliu.data._layout import RAIN_GAUGES, STATIONS

START, END = "1980-01-01", "2025-12-31"
SPIN_UP_YEARS = 3
"""Years simulated before START and dropped, so that the stores are filled on 1 January 1980."""

YEAR_ANOMALY = {
    1986: -0.9, 1988: 0.8, 1996: 1.2, 1997: -1.3, 1999: -1.0, 2003: 0.9, 2009: -0.7, 2013: 0.6,
    2015: -0.6, 2016: 0.7, 2021: 1.2,
}  # fmt: skip
"""Added to the standardised wetness of named wet (+) and dry (-) years."""

RAIN_PEAK_DOY, RAIN_PEAK_WIDTH = 205, 65.0
"""Seasonal rain shape: Gaussian in day of year around 24 July, standard deviation in days."""
WET_DAY_PROBABILITY = (0.08, 0.26)
"""Probability of a wet day: base plus the seasonal part at the peak (about 70 wet days a year)."""
WET_DAY_DEPTH_MM = (2.0, 8.5)
"""Mean depth on a wet day (mm): base plus the seasonal part at the peak."""
GAMMA_SHAPE = 0.75
REGIONAL_SHARE = 0.6
"""Share of variance of the wet-day signal common to all stations."""
WETNESS_SD, WETNESS_LOCAL_SD, WETNESS_AR = 0.18, 0.10, 0.3

OCTOBER_2021 = (pd.Timestamp("2021-10-02"), np.array([18.0, 45.0, 52.0, 30.0, 12.0]))
"""Rain (mm/day) added at every station from this date: the early-October 2021 autumn storm."""

SNOW_FROM = (11, 25)
"""Month and day from which precipitation is stored as snow, until the end of February."""
MELT_DAYS = 25
"""Snow melts evenly over the first days of March."""

INFILTRATION_MM = 10.0
QUICK_SHARE, SLOW_SHARE = 0.5, 0.12
WETNESS_MEMORY = 0.9
"""Daily decay of the antecedent-wetness index."""
SLOW_RECESSION = 0.985
"""Daily recession constant of the slow (base) flow: about 65 days."""
NOISE_SD, NOISE_AR = 0.05, 0.8

DECLINE = ((1990, 1.0), (2010, 0.45), (2019, 0.5), (2025, 0.62))
"""(year, factor on base flow): decline since the 1990s, partial recovery after 2019."""
ZERO_FLOW = 0.005
"""Flows below this (m3/s) are written as 0: the river ran dry."""

MISSING = {"H05": (("1985-07-12", "1985-07-19"), ("1996-08-03", "1996-08-05"), ("2003-01-10", "2003-01-13"))}
"""Days without record (omitted rows), by station: gauge damage and a winter gap."""


def quick_recession(area_km2: np.ndarray) -> np.ndarray:
    """Daily recession constant of quick flow, slower for larger catchments (0.3-0.7)."""
    return np.clip(0.25 + 0.07 * np.log(area_km2 / 100.0), 0.3, 0.7)


def _yearly_wetness(rng: np.random.Generator, years: np.ndarray, n: int) -> np.ndarray:
    shocks = rng.normal(size=len(years))
    regional = lfilter([np.sqrt(1 - WETNESS_AR**2)], [1, -WETNESS_AR], shocks)
    regional += np.array([YEAR_ANOMALY.get(int(y), 0.0) for y in years])
    local = rng.normal(size=(len(years), n))
    return np.exp(WETNESS_SD * regional[:, None] + WETNESS_LOCAL_SD * local)


def rain(days: pd.DatetimeIndex, rng: np.random.Generator, scale: np.ndarray) -> np.ndarray:
    """Daily precipitation (mm), days × sites; ``scale`` (one per site) multiplies the depths."""
    n = len(scale)
    doy = days.day_of_year.to_numpy()
    season = np.exp(-0.5 * ((doy - RAIN_PEAK_DOY) / RAIN_PEAK_WIDTH) ** 2)
    p_wet = WET_DAY_PROBABILITY[0] + WET_DAY_PROBABILITY[1] * season
    depth = (WET_DAY_DEPTH_MM[0] + WET_DAY_DEPTH_MM[1] * season)[:, None] * np.asarray(scale)[None, :]
    signal = np.sqrt(REGIONAL_SHARE) * rng.normal(size=(len(days), 1))
    signal = signal + np.sqrt(1 - REGIONAL_SHARE) * rng.normal(size=(len(days), n))
    wet = ndtr(signal) < p_wet[:, None]
    amount = rng.gamma(GAMMA_SHAPE, depth / GAMMA_SHAPE, size=(len(days), n))
    years = days.year.to_numpy()
    wetness = _yearly_wetness(rng, np.unique(years), n)[years - years[0]]
    out = np.where(wet, amount, 0.0) * wetness
    start, event = OCTOBER_2021
    first = days.get_loc(start)
    out[first : first + len(event)] += event[:, None]
    return out


def snow_and_melt(days: pd.DatetimeIndex, precip: np.ndarray) -> np.ndarray:
    """Liquid input (mm/day): winter precipitation is held back and released over March."""
    month, day = days.month.to_numpy(), days.day.to_numpy()
    winter = (month <= 2) | (month == 12) | ((month == SNOW_FROM[0]) & (day >= SNOW_FROM[1]))
    season = days.year.to_numpy() + (month >= 11)  # the March in which a winter's snow melts
    seasons = season - season.min()
    store = np.zeros((seasons.max() + 1, precip.shape[1]))
    np.add.at(store, seasons[winter], precip[winter])
    melting = (month == 3) & (day <= MELT_DAYS)
    liquid = np.where(winter[:, None], 0.0, precip)
    liquid[melting] += store[seasons[melting]] / MELT_DAYS
    return liquid


def decline(years: np.ndarray) -> np.ndarray:
    """Factor on base flow by year (see :data:`DECLINE`)."""
    x, y = zip(*DECLINE, strict=True)
    return np.interp(years, x, y)


def hydrology(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily flow ``station_id, date, q`` (m3/s, gaps omitted) at every station and daily rain
    ``station_id, date, p_mm`` (mm) at every rain gauge, 1980-2025, unrounded."""
    days = pd.date_range(pd.Timestamp(START) - pd.DateOffset(years=SPIN_UP_YEARS), END, freq="D")
    n = len(STATIONS)
    scale = np.concatenate([np.ones(n), [g.scale for g in RAIN_GAUGES]])
    precip = rain(days, rng, scale)
    kept = days >= pd.Timestamp(START)
    q = _runoff(days, precip[:, :n], rng)[kept]
    days = days[kept]
    dates = days.strftime("%Y-%m-%d").to_numpy()
    flow = pd.DataFrame(
        {"station_id": np.repeat([s.station_id for s in STATIONS], len(days)), "date": np.tile(dates, n),
         "q": q.T.ravel()}
    )  # fmt: skip
    drop = np.zeros(len(flow), dtype=bool)
    for station, spans in MISSING.items():
        for first, last in spans:
            drop |= (flow["station_id"] == station).to_numpy() & flow["date"].between(first, last).to_numpy()
    gauges = [g.gauge_id for g in RAIN_GAUGES]
    rain_frame = pd.DataFrame(
        {"station_id": np.repeat(gauges, len(days)), "date": np.tile(dates, len(gauges)),
         "p_mm": precip[kept, n:].T.ravel()}
    )  # fmt: skip
    return flow[~drop].reset_index(drop=True), rain_frame


def _runoff(days: pd.DatetimeIndex, precip: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Daily flow (m3/s), days × stations, from catchment precipitation (mm/day)."""
    area = np.array([s.area_km2 for s in STATIONS])
    regulated = np.array([s.regulated_flow for s in STATIONS])
    liquid = snow_and_melt(days, precip)
    wetness = lfilter([1 - WETNESS_MEMORY], [1, -WETNESS_MEMORY], liquid, axis=0)
    quick_in = QUICK_SHARE * np.maximum(liquid - INFILTRATION_MM, 0.0) * (0.5 + wetness / (wetness + 4.0))
    kq = quick_recession(area)
    quick = np.column_stack([lfilter([1 - k], [1, -k], quick_in[:, j]) for j, k in enumerate(kq)])
    slow = lfilter([1 - SLOW_RECESSION], [1, -SLOW_RECESSION], SLOW_SHARE * liquid, axis=0)
    slow *= decline(days.year.to_numpy())[:, None]
    noise = lfilter([np.sqrt(1 - NOISE_AR**2)], [1, -NOISE_AR], rng.normal(size=quick.shape), axis=0)
    natural = (quick + slow) * np.exp(NOISE_SD * noise - NOISE_SD**2 / 2)
    kept = days >= pd.Timestamp(START)
    natural *= (np.array([s.mean_flow for s in STATIONS]) - regulated) / natural[kept].mean(axis=0)
    q = natural + regulated
    q[q < ZERO_FLOW] = 0.0
    return q
