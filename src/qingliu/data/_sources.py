"""Pollution sources of the example: outfalls with flows and concentrations, and non-point sources.

Point sources (``wwtp``, ``industrial``) discharge at an outfall node; their 2025 effluent
concentrations are drawn from the ranges below and their loads follow from them. Urban
sources carry loads estimated from per-capita and runoff coefficients (stated below); the
agricultural and rural sources give only their activity (head count, area, persons), from
which the loads module computes loads with its own coefficients.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qingliu.data._format import round_sig
from qingliu.data._layout import OUTFALLS
from qingliu.data._society import COUNTIES
from qingliu.model.tables import SOURCE

DAYS_PER_YEAR = 365.0
G_PER_T = 1e6

EFFLUENT_MGL = {
    # sector: (low, high) of annual mean effluent COD, NH3-N, TP, TN in mg/L, 2025 (illustrative)
    "sewage_treatment": ((14, 28), (0.3, 1.5), (0.12, 0.35), (7, 13)),
    "coking": ((40, 70), (3, 8), (0.2, 0.6), (10, 20)),
    "chemicals": ((40, 80), (2, 8), (0.3, 1.0), (8, 20)),
    "metallurgy": ((20, 40), (1, 4), (0.1, 0.4), (5, 12)),
    "coal": ((25, 50), (0.5, 2), (0.1, 0.3), (2, 6)),
    "food": ((50, 90), (3, 10), (0.5, 2.0), (10, 25)),
    "glass": ((30, 60), (1, 4), (0.2, 0.8), (4, 10)),
    "pharmaceutical": ((50, 100), (3, 10), (0.3, 1.0), (10, 25)),
    "textile": ((40, 80), (2, 8), (0.3, 1.0), (8, 15)),
}
POLLUTANTS = ("cod", "nh3n", "tp", "tn")
CONCENTRATION_DIGITS = 3

LIVESTOCK = (  # county, subtype, head count (year-end stock, county total)
    ("140727", "pig", 85000), ("140728", "pig", 120000), ("140728", "cattle", 35000),
    ("140703", "poultry", 2500000), ("140702", "cattle", 18000), ("140702", "pig", 60000),
    ("140781", "pig", 70000), ("140725", "sheep", 150000), ("140725", "cattle", 30000),
    ("140724", "sheep", 90000), ("140723", "cattle", 55000), ("140722", "sheep", 70000),
    ("140721", "poultry", 1200000), ("140729", "pig", 40000),
)  # fmt: skip
ANIMAL_ZH = {"pig": "生猪", "cattle": "牛", "poultry": "家禽", "sheep": "羊"}

CROPLAND = (  # county, crop, sown area in mu
    ("140702", "maize", 450000), ("140702", "vegetables", 80000), ("140703", "maize", 380000),
    ("140703", "orchard", 60000), ("140727", "maize", 420000), ("140727", "vegetables", 90000),
    ("140728", "maize", 520000), ("140728", "vegetables", 100000), ("140781", "maize", 300000),
    ("140729", "maize", 150000), ("140725", "maize", 500000), ("140724", "maize", 300000),
    ("140723", "maize", 280000), ("140722", "millet", 250000), ("140721", "millet", 300000),
)  # fmt: skip
CROP_ZH = {"maize": "玉米", "vegetables": "蔬菜", "orchard": "果园", "millet": "谷子"}

URBAN_COLLECTION = {"140702": 0.96, "140703": 0.93, "140727": 0.92, "140728": 0.93, "140781": 0.95, "140729": 0.92}
"""Sewage collection rate of the county town (2025); the rest reaches rivers untreated."""

URBAN_G_PER_PERSON_DAY = {"cod": 60.0, "nh3n": 7.5, "tp": 0.9, "tn": 10.5}
"""Illustrative urban domestic generation per person and day (g), for uncollected sewage."""

BUILT_UP_KM2 = {"140702": 75.0, "140703": 22.0, "140727": 15.0, "140728": 25.0, "140781": 32.0, "140729": 14.0}
RUNOFF_RAIN_M = 0.47
"""Mean annual rainfall (m) on the built-up areas, illustrative for the Jinzhong basin."""
RUNOFF_COEFFICIENT = 0.55
"""Share of rainfall that runs off paved urban land, illustrative."""
RUNOFF_EMC_MGL = {"cod": 120.0, "nh3n": 2.5, "tp": 0.45, "tn": 5.0}
"""Event mean concentrations of urban storm runoff (mg/L), illustrative."""


def _county_names() -> dict[str, str]:
    return {c.county_id: c.name for c in COUNTIES}


def point_sources(node_of: dict[str, str], rng: np.random.Generator) -> pd.DataFrame:
    """WWTP and industrial outfalls: flow (m3/d), effluent concentrations and loads (t/a).

    Load = flow × concentration × 365 d / 10^6 g/t, from the flow and concentrations as written
    (whole m3/d, 3 significant digits), so the file is consistent to its last digit.
    """
    flow = np.round(np.array([o.flow_m3d for o in OUTFALLS]) * rng.uniform(0.92, 1.08, len(OUTFALLS)))
    ranges = np.array([EFFLUENT_MGL[o.sector] for o in OUTFALLS], dtype=float)  # source × pollutant × (lo, hi)
    conc = round_sig(rng.uniform(ranges[..., 0], ranges[..., 1]), CONCENTRATION_DIGITS)
    frame = pd.DataFrame(
        {
            "source_id": [o.source_id for o in OUTFALLS],
            "name": [o.name for o in OUTFALLS],
            "kind": [o.kind for o in OUTFALLS],
            "node_id": [node_of[o.source_id] for o in OUTFALLS],
            "county_id": [o.county_id for o in OUTFALLS],
            "sector": [o.sector for o in OUTFALLS],
            "flow_m3d": flow,
        }
    )
    for j, p in enumerate(POLLUTANTS):
        frame[f"{p}_mgl"] = conc[:, j]
        frame[f"{p}_ta"] = flow * conc[:, j] * DAYS_PER_YEAR / G_PER_T
    return frame


def nonpoint_sources(county_years: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Livestock, cropland, rural and urban domestic sources and urban runoff, by county (2025)."""
    names = _county_names()
    y2025 = county_years[county_years["year"] == county_years["year"].max()].set_index("county_id")
    rows = []
    for county, animal, heads in LIVESTOCK:
        rows.append(
            dict(
                kind="livestock",
                county_id=county,
                name=f"{names[county]}{ANIMAL_ZH[animal]}养殖",
                subtype=animal,
                activity=heads * rng.uniform(0.95, 1.05),
                activity_unit="head",
            )
        )
    for county, crop, mu in CROPLAND:
        rows.append(
            dict(
                kind="cropland",
                county_id=county,
                name=f"{names[county]}{CROP_ZH[crop]}种植",
                subtype=crop,
                activity=mu * rng.uniform(0.97, 1.03),
                activity_unit="mu",
            )
        )
    for county, row in y2025.iterrows():
        rows.append(
            dict(
                kind="rural_domestic",
                county_id=county,
                name=f"{names[county]}农村生活",
                activity=row["population"] - row["urban_population"],
                activity_unit="person",
            )
        )
    for county, rate in URBAN_COLLECTION.items():
        persons = y2025.loc[county, "urban_population"] * (1 - rate)
        loads = {f"{p}_ta": persons * g * DAYS_PER_YEAR / G_PER_T for p, g in URBAN_G_PER_PERSON_DAY.items()}
        rows.append(
            dict(
                kind="urban_domestic",
                county_id=county,
                name=f"{names[county]}城区未收集生活污水",
                activity=persons,
                activity_unit="person",
                **loads,
            )
        )
    for county, km2 in BUILT_UP_KM2.items():
        runoff_m3 = RUNOFF_RAIN_M * RUNOFF_COEFFICIENT * km2 * 1e6
        loads = {f"{p}_ta": runoff_m3 * emc / G_PER_T for p, emc in RUNOFF_EMC_MGL.items()}
        rows.append(
            dict(
                kind="urban_runoff",
                county_id=county,
                name=f"{names[county]}城区降雨径流",
                activity=km2,
                activity_unit="km2",
                **loads,
            )
        )
    frame = pd.DataFrame(rows)
    first = len(OUTFALLS) + 1
    frame.insert(0, "source_id", [f"P{i:02d}" for i in range(first, first + len(frame))])
    return frame


def sources(node_of: dict[str, str], county_years: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """All sources, point sources first, with the columns of ``model.tables.SOURCE`` (unrounded)."""
    frame = pd.concat([point_sources(node_of, rng), nonpoint_sources(county_years, rng)], ignore_index=True)
    return frame.reindex(columns=list(SOURCE.names))
