"""River-health survey values 2023-2025 for the main rivers (河湖健康评价指南（试行）2020).

Only the indicators the guide leaves to field survey (``source = "survey"`` in
``standards/river_health_2020.toml``, codes used as they are there). Each river has a 2025
design value per indicator (illustrative: the Fen and the plains reaches worse, the eastern
mountain rivers better); earlier years lie below it by a steady improvement (一泓清水入黄河
works) plus seeded noise. Values are 0-100 scores, except 鱼类保有指数 (fish species found as %
of the historical list, scored by the guide's curve) and 水体自净能力 (the year's mean dissolved
oxygen over the river's sections, mg/L, from the example's own samples).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qingliu.data._layout import RIVER_BY_CODE, SECTIONS
from qingliu.data._quality import header
from qingliu.standards import load_toml

YEARS = (2023, 2024, 2025)
INDICATORS = ("shoreline_natural", "shoreline_encroachment", "longitudinal_connectivity", "riparian_width",
              "sediment", "fish", "benthic_ibi", "aquatic_plants", "public_satisfaction", "waterbirds",
              "water_supply")  # fmt: skip
"""Survey indicators given, in this order; ``self_purification`` comes from the samples."""

DESIGN_2025 = {  # river code: 2025 values in the order of INDICATORS (NaN: not surveyed)
    "FEN": (62, 78, 55, 58, 60, 52, 55, 58, 80, 72, 85),
    "XIAO": (70, 82, 60, 66, 68, 60, 62, 64, 84, np.nan, 88),
    "CHANGYUAN": (74, 85, 58, 70, 75, 64, 66, 68, 83, np.nan, 90),
    "QINGZHANG_E": (90, 95, 85, 86, 90, 86, 82, 84, 92, np.nan, np.nan),
    "ZHUOZHANG_N": (82, 90, 70, 78, 84, 75, 72, 76, 88, np.nan, np.nan),
    "SONGXI": (80, 88, 78, 76, 82, 74, 70, 72, 87, np.nan, np.nan),
}  # fmt: skip
IMPROVEMENT_PER_YEAR = 2.5
"""How much lower each earlier year is, on average."""
NOISE_SD = 1.5
UNIT_NOTE = {
    "fish": "鱼类保有指数(%) / fish species found, % of historical",
    "self_purification": "断面年均溶解氧(mg/L) / mean dissolved oxygen of the river's sections",
}


def survey_codes() -> set[str]:
    """Codes of the survey indicators of the 2020 guide."""
    return {c for c, spec in load_toml("river_health_2020")["indicator"].items() if spec["source"] == "survey"}


def _mean_oxygen(samples: pd.DataFrame) -> pd.DataFrame:
    """Mean DO (mg/L) per river and year over its river sections, from the wide sample table."""
    river_of = {s.section_id: RIVER_BY_CODE[s.river].name for s in SECTIONS if s.water_body == "river"}
    do = pd.to_numeric(samples[header("do")].replace("", np.nan))
    frame = pd.DataFrame({"river": samples["section_id"].map(river_of), "year": samples["time"].str[:4].astype(int),
                          "value": do})  # fmt: skip
    return frame.dropna().groupby(["river", "year"], as_index=False)["value"].mean()


def health_survey(samples: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Rows ``river, year, indicator, value, note`` for the main rivers, 2023-2025, unrounded."""
    unknown = (set(INDICATORS) | {"self_purification"}) - survey_codes()
    if unknown:
        raise ValueError(f"not survey indicators of river_health_2020.toml: {sorted(unknown)}")
    design = np.array(list(DESIGN_2025.values()), dtype=float)  # rivers × indicators
    behind = IMPROVEMENT_PER_YEAR * (YEARS[-1] - np.array(YEARS))[:, None, None]
    values = np.clip(design[None] - behind + NOISE_SD * rng.normal(size=(len(YEARS), *design.shape)), 0, 100)
    rivers = [RIVER_BY_CODE[code].name for code in DESIGN_2025]
    year, river, indicator = np.meshgrid(YEARS, rivers, INDICATORS, indexing="ij")
    frame = pd.DataFrame({"river": river.ravel(), "year": year.ravel(), "indicator": indicator.ravel(),
                          "value": values.ravel()})  # fmt: skip
    oxygen = _mean_oxygen(samples)
    oxygen = oxygen[oxygen["river"].isin(rivers) & oxygen["year"].isin(YEARS)].assign(indicator="self_purification")
    frame = pd.concat([frame.dropna(subset=["value"]), oxygen], ignore_index=True)
    frame["note"] = frame["indicator"].map(UNIT_NOTE).fillna("")
    order = {name: i for i, name in enumerate(rivers)}
    frame = frame.sort_values(["year", "river", "indicator"], key=lambda c: c.map(order) if c.name == "river" else c)
    return frame.reset_index(drop=True)[["river", "year", "indicator", "value", "note"]]
