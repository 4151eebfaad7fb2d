"""Counties of Jinzhong with yearly socio-economic series, and their water use by sector and origin.

The 2015 and 2025 anchors below are illustrative magnitudes chosen to resemble Jinzhong
(about 3.4 million people; GDP rising from about 1,300 to 1,900 ×10^8 yuan over the period),
not statistics. Years in between follow a common path (see :data:`GDP_PATH`) with small
seeded noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from qingliu.model.tables import ORIGINS, SECTORS

YEARS = np.arange(2015, 2026)

GDP_PATH = np.array([0.0, 0.005, 0.06, 0.07, 0.06, 0.01, 0.11, 0.08, 0.02, 0.03, 0.04])
"""Relative nominal growth by year (2015 = 0): the 2015-16 coal slump, 2020 and the 2021-22 coal
price boom. Its cumulative log, rescaled to 0..1, places each year between the anchors."""


@dataclass(frozen=True)
class County:
    """Anchors of a county: population ×10^4 (2015, 2025), urban shares, GDP ×10^8 yuan,
    industry share of GDP, irrigated area ×10^4 mu, water quota ×10^4 m3 (2015-2020),
    groundwater quota ×10^4 m3 (2015, 2025), 2015 sector shares of use (agriculture, industry,
    domestic, ecological), Yellow River transfer (引黄) share reached by 2022 (0 = none)."""

    county_id: str
    name: str
    lon: float
    lat: float
    pop: tuple[float, float]
    urban: tuple[float, float]
    gdp: tuple[float, float]
    industry_share: float
    irrigated: float
    quota: float
    gw_quota: tuple[float, float]
    sectors: tuple[float, float, float, float]
    transfer: float


_PLAIN = (0.72, 0.12, 0.13, 0.03)
_COAL = (0.40, 0.35, 0.20, 0.05)
COUNTIES = tuple(County(*row) for row in (
    ("140702", "榆次区", 112.71, 37.70, (78.0, 84.0), (0.72, 0.82), (345.0, 490.0), 0.30, 28.0, 14000.0,
     (8500.0, 6500.0), (0.45, 0.25, 0.25, 0.05), 0.15),
    ("140703", "太谷区", 112.55, 37.42, (30.0, 29.5), (0.45, 0.58), (95.0, 140.0), 0.30, 30.0, 7000.0,
     (4800.0, 3800.0), _PLAIN, 0.10),
    ("140721", "榆社县", 112.97, 37.07, (13.0, 11.5), (0.38, 0.50), (37.0, 52.0), 0.35, 5.0, 1800.0,
     (700.0, 600.0), (0.50, 0.25, 0.20, 0.05), 0.0),
    ("140722", "左权县", 113.38, 37.08, (16.0, 15.0), (0.40, 0.52), (47.0, 70.0), 0.40, 4.0, 2000.0,
     (600.0, 500.0), _COAL, 0.0),
    ("140723", "和顺县", 113.57, 37.33, (14.0, 13.0), (0.42, 0.55), (62.0, 95.0), 0.50, 3.5, 2100.0,
     (700.0, 550.0), _COAL, 0.0),
    ("140724", "昔阳县", 113.71, 37.61, (23.0, 20.0), (0.45, 0.57), (88.0, 135.0), 0.50, 6.0, 3200.0,
     (1200.0, 950.0), _COAL, 0.0),
    ("140725", "寿阳县", 113.18, 37.89, (21.0, 19.0), (0.40, 0.52), (98.0, 150.0), 0.50, 12.0, 4200.0,
     (1800.0, 1400.0), _COAL, 0.0),
    ("140727", "祁县", 112.33, 37.36, (27.0, 26.0), (0.45, 0.56), (84.0, 120.0), 0.35, 32.0, 7000.0,
     (5000.0, 3900.0), _PLAIN, 0.10),
    ("140728", "平遥县", 112.17, 37.19, (50.0, 45.0), (0.43, 0.55), (120.0, 175.0), 0.33, 40.0, 9000.0,
     (6200.0, 4800.0), _PLAIN, 0.08),
    ("140729", "灵石县", 111.77, 36.85, (26.0, 25.0), (0.50, 0.62), (150.0, 230.0), 0.60, 6.0, 4000.0,
     (1500.0, 1200.0), (0.25, 0.50, 0.20, 0.05), 0.0),
    ("140781", "介休市", 111.92, 37.03, (41.0, 40.0), (0.60, 0.70), (175.0, 260.0), 0.55, 18.0, 7500.0,
     (4200.0, 3300.0), (0.45, 0.35, 0.16, 0.04), 0.12),
))  # fmt: skip

QUOTA_RISE_2021 = 1.04
"""Total-use quotas of the 14th five-year plan (2021-2025) relative to 2015-2020."""

SECTOR_DRIFT = np.array([0.85, 1.0, 1.15, 2.0])
"""Factor on each sector's share (agriculture, industry, domestic, ecological) by 2025:
water-saving irrigation, urban growth and ecological replenishment (生态补水)."""

RECLAIMED_SHARE = (0.015, 0.08)
"""Reclaimed water as a share of total use in 2015 and 2025."""

TRANSFER_START = 2019
"""First year of Yellow River water (引黄) deliveries; full share reached four years later."""

# How readily each sector (agriculture, industry, domestic, ecological) takes each origin.
PROPENSITY = {
    "ground": np.array([1.0, 0.6, 1.3, 0.2]),
    "reclaimed": np.array([0.15, 1.0, 0.0, 2.0]),
    "transfer": np.array([0.2, 1.0, 1.2, 0.3]),
}
NON_SURFACE_MAX = 0.95
"""At most this share of a sector's use comes from other origins than surface water."""


def _path(start: np.ndarray, end: np.ndarray, weight: np.ndarray, log: bool) -> np.ndarray:
    """Counties × years between the 2015 and 2025 anchors, by ``weight`` (0 in 2015, 1 in 2025)."""
    if log:
        return start[:, None] * (end / start)[:, None] ** weight[None, :]
    return start[:, None] + (end - start)[:, None] * weight[None, :]


def _field(get) -> np.ndarray:
    return np.array([get(x) for x in COUNTIES], dtype=float)


def counties(rng: np.random.Generator) -> pd.DataFrame:
    """County attributes and yearly series: one row per county and year (2015-2025), unrounded."""
    c = COUNTIES
    n, years = len(c), YEARS
    linear = (years - years[0]) / (years[-1] - years[0])
    growth = np.cumsum(np.log1p(GDP_PATH))
    gdp_weight = growth / growth[-1]
    pop = _path(_field(lambda x: x.pop[0]), _field(lambda x: x.pop[1]), linear, log=True) * 1e4
    pop *= np.exp(rng.normal(0, 0.004, pop.shape))
    urban = pop * _path(_field(lambda x: x.urban[0]), _field(lambda x: x.urban[1]), linear, log=False)
    gdp = _path(_field(lambda x: x.gdp[0]), _field(lambda x: x.gdp[1]), gdp_weight, log=True) * 1e4
    gdp *= np.exp(rng.normal(0, 0.012, gdp.shape))
    industry_share = _field(lambda x: x.industry_share)[:, None] * (1 - 0.1 * linear)[None, :]
    industry = gdp * industry_share * np.exp(rng.normal(0, 0.02, gdp.shape))
    irrigated = _field(lambda x: x.irrigated)[:, None] * 1e4 * (1 + 0.004 * (years - years[0]))[None, :]
    quota = _field(lambda x: x.quota)[:, None] * np.where(years >= 2021, QUOTA_RISE_2021, 1.0)[None, :]
    gw_quota = _path(_field(lambda x: x.gw_quota[0]), _field(lambda x: x.gw_quota[1]), linear, log=False)
    frame = pd.DataFrame(
        {
            "county_id": np.repeat([x.county_id for x in c], len(years)),
            "name": np.repeat([x.name for x in c], len(years)),
            "lon": np.repeat(_field(lambda x: x.lon), len(years)),
            "lat": np.repeat(_field(lambda x: x.lat), len(years)),
            "year": np.tile(years, n),
            "population": pop.ravel(),
            "urban_population": urban.ravel(),
            "gdp_1e4yuan": gdp.ravel(),
            "industry_value_1e4yuan": industry.ravel(),
            "irrigated_area_mu": irrigated.ravel(),
            "water_quota_1e4m3": quota.ravel(),
            "groundwater_quota_1e4m3": gw_quota.ravel(),
        }
    )
    return frame


def water_use(county_years: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Use by county, year, sector and origin (×10^4 m3), unrounded, zero rows dropped.

    Totals stay near the quota (92-98 %, a few years above it), groundwater follows its falling
    quota, reclaimed water rises, and 引黄 transfers start in 2019 where a county has them.
    """
    c = COUNTIES
    years = YEARS
    n, t = len(c), len(years)
    linear = (years - years[0]) / (years[-1] - years[0])
    quota = county_years["water_quota_1e4m3"].to_numpy().reshape(n, t)
    gw_quota = county_years["groundwater_quota_1e4m3"].to_numpy().reshape(n, t)
    total = quota * np.clip(rng.normal(0.95, 0.035, (n, t)), 0.85, 1.06)
    ground_total = np.minimum(gw_quota * np.clip(rng.normal(0.97, 0.03, (n, t)), 0.9, 1.05), 0.8 * total)
    share0 = np.array([x.sectors for x in c])
    shares = share0[:, None, :] * (1 + (SECTOR_DRIFT - 1)[None, None, :] * linear[None, :, None])
    shares /= shares.sum(-1, keepdims=True)
    sector = total[..., None] * shares  # county × year × sector
    reclaimed_total = total * np.interp(linear, [0, 1], RECLAIMED_SHARE)[None, :]
    ramp = np.clip((years - TRANSFER_START + 1) / 4, 0, 1)
    transfer_total = total * np.array([x.transfer for x in c])[:, None] * ramp[None, :]

    def spread(amount: np.ndarray, propensity: np.ndarray) -> np.ndarray:
        weight = sector * propensity
        return amount[..., None] * weight / weight.sum(-1, keepdims=True)

    ground = spread(ground_total, PROPENSITY["ground"])
    reclaimed = spread(reclaimed_total, PROPENSITY["reclaimed"])
    transfer = spread(transfer_total, PROPENSITY["transfer"])
    other = ground + reclaimed + transfer
    scale = np.minimum(1.0, NON_SURFACE_MAX * sector / np.where(other > 0, other, 1.0))
    ground, reclaimed, transfer = ground * scale, reclaimed * scale, transfer * scale
    surface = sector - ground - reclaimed - transfer
    volumes = np.stack([surface, ground, reclaimed, transfer], axis=-1)  # county × year × sector × origin
    idx = pd.MultiIndex.from_product(
        [[x.county_id for x in c], years, SECTORS, ORIGINS], names=["county_id", "year", "sector", "origin"]
    )
    frame = pd.DataFrame({"volume": volumes.ravel()}, index=idx).reset_index()
    return frame[frame["volume"] > 0].reset_index(drop=True)
