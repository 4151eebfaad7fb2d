"""Generate the bundled example basin ``jinzhong`` (示意数据，非官方监测值), reproducibly.

Usage::

    python -m qingliu.data.generate [--out DIR] [--seed N]

writes the files listed in ``metadata.toml`` into DIR (default: the package folder
``qingliu/data/jinzhong``). The same seed gives byte-identical files: every random draw comes
from ``numpy.random.default_rng(seed)``, split into one independent stream per series (so a
change to one series leaves the others as they were), and all numbers are rounded before
they are written. The layout (rivers, sites, counties, projects) is hand-written and fixed;
the seed moves the series within it. See the ``notes`` of the manifest for how each series is
built.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from qingliu.data._format import dumps_toml, format_numbers, write_csv
from qingliu.data._health import YEARS as SURVEY_YEARS
from qingliu.data._health import health_survey
from qingliu.data._hydrology import hydrology
from qingliu.data._layout import (
    RAIN_GAUGES,
    RESERVOIRS,
    RIVER_BY_CODE,
    SECTIONS,
    SINUOSITY_MAIN,
    SINUOSITY_TRIBUTARY,
    STATIONS,
    build_network,
)
from qingliu.data._levels import END as LEVELS_END
from qingliu.data._levels import START as LEVELS_START
from qingliu.data._levels import levels
from qingliu.data._projects import AS_OF, projects
from qingliu.data._quality import ITEMS, header, samples
from qingliu.data._society import counties, water_use
from qingliu.data._sources import CONCENTRATION_DIGITS, sources
from qingliu.model.tables import (
    COUNTY,
    COUNTY_YEAR,
    FLOW_DAILY,
    HEALTH_SURVEY,
    LEVEL,
    NODE,
    PROJECT,
    RAIN_DAILY,
    RESERVOIR,
    SECTION,
    SOURCE,
    STATION,
    WATER_USE,
)

NAME = "jinzhong"
GENERATOR_VERSION = "1.0"
DEFAULT_SEED = 3838
STREAMS = ("counties", "water_use", "sources", "projects", "samples", "flows", "levels", "health_survey")
"""One independent random stream per series, spawned from the seed in this order (rain is drawn
with the flows it drives; new streams go last, so the earlier ones stay as they were)."""

LABEL = {"zh": "示意数据，非官方监测值", "en": "illustrative data, not official measurements"}
TITLE = {"zh": "晋中市水生态示例流域（示意数据）", "en": "Jinzhong example basin (illustrative data)"}

NOTES = {
    "network": (
        "Fen (汾河) main stem through Jinzhong from the Taiyuan boundary to the Linfen boundary, with its "
        "tributaries, and the Haihe-basin rivers of the east; nodes from upstream to downstream per river. "
        "Fen node positions lie on the Natural Earth 1:10m centreline (public domain), subsampled to every "
        "second vertex; other rivers are traced schematically through county seats. "
        f"length_km = great-circle (haversine) distance to the downstream node × sinuosity, {SINUOSITY_MAIN} "
        f"on the Fen and {SINUOSITY_TRIBUTARY} on tributaries. Several outlets: a forest."
    ),
    "counties": (
        "11 counties (admin codes and approximate seats of the geodata README), 2015-2025: population, "
        "urbanisation, GDP and industry value moved between illustrative 2015 and 2025 anchors along a common "
        "growth path with small noise; quotas are illustrative, groundwater quotas fall (压采)."
    ),
    "sections": (
        "26 sections incl. 2 reservoir (lake-type) sections; names partly from public site lists, levels and "
        "target classes illustrative; is_boundary marks the outgoing (出境/入黄) sections."
    ),
    "stations": "6 hydrological stations; catchment areas and warning/guarantee levels illustrative.",
    "reservoirs": "2 reservoirs with illustrative capacities and levels.",
    "sources": (
        "WWTP and industrial outfalls with flow and 2025 effluent concentrations drawn from sector ranges; "
        "load = flow × concentration × 365 d / 1e6. Urban domestic (uncollected sewage) and urban runoff carry "
        "loads from stated illustrative coefficients; livestock, cropland and rural domestic give activity only."
    ),
    "projects": (
        f"38 hand-written projects 2021-2027; status, progress and invested money as of {AS_OF:%Y-%m-%d} follow "
        "from the dates and a course (on time, lagging, overdue, suspended, planned)."
    ),
    "samples": (
        "Monthly, wide format, Chinese headers. Main items from a class position per section turned into "
        "concentrations with the GB 3838-2002 limits; worse until 2016, improving 2017-2024; storm-season "
        "(Jul-Sep) non-point peaks, dry-season concentration, DO following saturation at the seasonal water "
        "temperature; lognormal noise. 2025 annual means of DO, CODMn, COD, BOD5, NH3-N and TP are set to the "
        "design: three sections (太榆退水渠入潇口 NH3-N, 乌马河入昌源河口 TP, 东泉 COD) fail their target, the "
        "others meet it. Trace items mostly below detection limits, written as e.g. 0.01L. A few missing "
        "months (incl. ice-covered Januaries at cold sections up to 2018) and blank cells."
    ),
    "flows": (
        "Daily 1980-2025 from a seeded rainfall-runoff sketch: seasonal correlated rain with wet and dry "
        "years and the October 2021 storm, snow stored in winter and melting in March, quick and slow linear "
        "reservoirs, base flow declining 1990-2010 and partly recovering after 2019, scaled to each station's "
        "design mean with its steady regulated flow (effluents, Taiyuan inflow, reservoir releases) added, which "
        "exceeds the summed upstream plant effluent at H01, H02 and H06. Station H05 (社城) has a few days without "
        "record (rows omitted)."
    ),
    "water-use": (
        "By county, year, sector and origin (1e4 m3): totals near the quota, groundwater following its falling "
        "quota, reclaimed water rising, Yellow River transfer (引黄) from 2019 in five counties."
    ),
    "rain": (
        "Daily precipitation 1980-2025 (mm, snow as water) at four gauges: "
        + "; ".join(f"{g.gauge_id} {g.name} (county {g.county_id}, {g.lon}E {g.lat}N)" for g in RAIN_GAUGES)
        + ". Drawn with the catchment rain that drives the flows (same regional wet days and wet/dry years, "
        "incl. the October 2021 storm): about 430-530 mm a year, about 70 % in June-September, about 70 wet days."
    ),
    "levels": (
        "Daily 08:00 levels 2020-2025 (m). Stations: rating curve h = z0 + a·q^0.6 (Manning, wide channel) on the "
        "08:00 flow, a set so that the warning level is reached at a warning flow of a few years' return (a few "
        "storm days above it, the guarantee level not reached); winter ice raises levels; an ice jam at H01 (义棠) from "
        "2025-12-24 puts its last reading above the warning level. Reservoirs: storage follows the operating rule "
        "(near normal level Oct-May, drawn down below the flood-limit level for Jun-Sep), less a dry-year deficit, "
        "plus flood water held back above the outlet capacity, so R01 (子洪) exceeds its flood limit on a few days."
    ),
    "health-survey": (
        f"River-health survey indicators of 河湖健康评价指南（试行）2020 (codes of standards/river_health_2020.toml) "
        f"for the six rivers with a hydrological station, {SURVEY_YEARS[0]}-{SURVEY_YEARS[-1]}: 0-100 scores "
        "(illustrative, improving), fish as % of historical species, self_purification as the mean DO (mg/L) of "
        "the river's sections from samples.csv."
    ),
}

# (KIND, file, canonical tables) in import order
FILES = (
    ("network", "network.csv", ("node",)),
    ("counties", "counties.csv", ("county", "county_year")),
    ("sections", "sections.csv", ("section",)),
    ("stations", "stations.csv", ("station",)),
    ("reservoirs", "reservoirs.csv", ("reservoir",)),
    ("sources", "sources.csv", ("source",)),
    ("projects", "projects.csv", ("project",)),
    ("samples", "samples.csv", ("wq_sample",)),
    ("flows", "flows.csv", ("flow_daily",)),
    ("water-use", "water_use.csv", ("water_use",)),
    ("rain", "rain.csv", ("rain_daily",)),
    ("levels", "levels.csv", ("level",)),
    ("health-survey", "health_survey.csv", ("health_survey",)),
)
COUNTY_COLUMNS = (*COUNTY.names, *(c for c in COUNTY_YEAR.names if c not in COUNTY.names))


def default_dir() -> Path:
    """The package folder holding the shipped example files."""
    return Path(__file__).with_name(NAME)


def _decimals(n: int) -> dict[str, int]:
    return {"decimals": n}


def _sig(n: int) -> dict[str, int]:
    return {"sig": n}


_LOADS = {f"{p}_ta": _sig(4) for p in ("cod", "nh3n", "tp", "tn")}
_REDUCTIONS = {f"{p}_reduction_ta": _sig(4) for p in ("cod", "nh3n", "tp", "tn")}
NUMBER_FORMATS: dict[str, dict[str, dict[str, int]]] = {
    "network": {"lon": _decimals(4), "lat": _decimals(4), "length_km": _decimals(2)},
    "counties": {
        "lon": _decimals(2), "lat": _decimals(2), "population": _sig(4), "urban_population": _sig(4),
        "gdp_1e4yuan": _decimals(0), "industry_value_1e4yuan": _decimals(0), "irrigated_area_mu": _sig(4),
        "water_quota_1e4m3": _decimals(0), "groundwater_quota_1e4m3": _decimals(0),
    },
    "stations": {"area_km2": _decimals(1), "warning_level_m": _decimals(2), "guarantee_level_m": _decimals(2)},
    "reservoirs": {
        "capacity_1e4m3": _decimals(1), "dead_1e4m3": _decimals(1), "flood_limit_level_m": _decimals(2),
        "normal_level_m": _decimals(2),
    },
    "sources": {
        "activity": _sig(4), "flow_m3d": _decimals(0), **_LOADS,
        **{f"{p}_mgl": _sig(CONCENTRATION_DIGITS) for p in ("cod", "nh3n", "tp", "tn")},
    },
    "projects": {
        "investment_1e4yuan": _decimals(0), "invested_1e4yuan": _decimals(1), "progress_pct": _decimals(1),
        **_REDUCTIONS, "water_saved_1e4m3a": _sig(4), "ecoflow_supply_m3s": _sig(4),
    },
    "flows": {"q": _decimals(3)},
    "water-use": {"volume": _decimals(1)},
    "rain": {"p_mm": _decimals(1)},
    "levels": {"level_m": _decimals(2)},
    "health-survey": {"value": _decimals(1)},
}  # fmt: skip
"""How numbers are written, by KIND and column: decimals or significant digits."""


def _as_text(frame: pd.DataFrame, formats: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Frame of text cells: numeric columns formatted by ``formats``, booleans as ``true``/``false``,
    missing values as empty cells."""
    out = {}
    for col in frame.columns:
        values = frame[col]
        if col in formats:
            out[col] = format_numbers(values.to_numpy(dtype=float), **formats[col])
        elif values.dtype == bool:
            out[col] = np.where(values, "true", "false")
        else:
            out[col] = values.astype(object).where(values.notna(), "").astype(str).to_numpy()
    return pd.DataFrame(out, columns=frame.columns)


def _sections(node_of: dict[str, str]) -> pd.DataFrame:
    rows = [
        (s.section_id, s.name, RIVER_BY_CODE[s.river].name, node_of[s.section_id], s.level, s.water_body,
         s.target_class, s.county_id, s.is_boundary)
        for s in SECTIONS
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(SECTION.names))


def _stations(node_of: dict[str, str]) -> pd.DataFrame:
    rows = [
        (s.station_id, s.name, RIVER_BY_CODE[s.river].name, node_of[s.station_id], s.area_km2, s.warning_level_m,
         s.guarantee_level_m)
        for s in STATIONS
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(STATION.names))


def _reservoirs(node_of: dict[str, str]) -> pd.DataFrame:
    rows = [
        (r.reservoir_id, r.name, node_of[r.reservoir_id], r.capacity_1e4m3, r.dead_1e4m3, r.flood_limit_level_m,
         r.normal_level_m)
        for r in RESERVOIRS
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(RESERVOIR.names))


def build_tables(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Build every file of the example in memory.

    Parameters
    ----------
    seed : seed of ``numpy.random.default_rng``; one independent stream per series is spawned
        from it (:data:`STREAMS`).

    Returns
    -------
    dict
        KIND -> frame of text cells with the file's columns (see :data:`FILES`).
    """
    streams = dict(zip(STREAMS, np.random.default_rng(seed).spawn(len(STREAMS)), strict=True))
    nodes, node_of = build_network()
    county_years = counties(streams["counties"])
    raw = {
        "network": nodes,
        "counties": county_years,
        "sections": _sections(node_of),
        "stations": _stations(node_of),
        "reservoirs": _reservoirs(node_of),
        "sources": sources(node_of, county_years, streams["sources"]),
        "projects": projects(node_of, streams["projects"]),
        "water-use": water_use(county_years, streams["water_use"]),
    }
    raw["flows"], raw["rain"] = hydrology(streams["flows"])
    raw["levels"] = levels(raw["flows"], streams["levels"])
    tables = {kind: _as_text(frame[list(_columns(kind))], NUMBER_FORMATS.get(kind, {})) for kind, frame in raw.items()}
    use = tables["water-use"]
    tables["water-use"] = use[use["volume"] != "0"].reset_index(drop=True)  # rounded to nothing
    tables["samples"] = samples(streams["samples"])
    survey = health_survey(tables["samples"], streams["health_survey"])
    tables["health-survey"] = _as_text(survey, NUMBER_FORMATS["health-survey"])
    return {kind: tables[kind] for kind, _, _ in FILES}


def _columns(kind: str) -> tuple[str, ...]:
    return {
        "network": NODE.names, "counties": COUNTY_COLUMNS, "sections": SECTION.names, "stations": STATION.names,
        "reservoirs": RESERVOIR.names, "sources": SOURCE.names, "projects": PROJECT.names,
        "samples": ("section_id", "time", *(header(i) for i in ITEMS)), "flows": FLOW_DAILY.names,
        "water-use": WATER_USE.names, "rain": RAIN_DAILY.names, "levels": LEVEL.names,
        "health-survey": HEALTH_SURVEY.names,
    }[kind]  # fmt: skip


def manifest(seed: int, tables: dict[str, pd.DataFrame]) -> dict:
    """The ``metadata.toml`` document for ``tables`` built with ``seed``.

    Holds name, title and illustrative label (zh/en), seed, generator version, periods, notes
    on how each series is built and the ``[[file]]`` entries (kind, path, canonical tables, rows)
    in import order.
    """
    files = []
    for kind, path, names in FILES:
        entry = {"kind": kind, "path": path, "tables": list(names), "rows": len(tables[kind])}
        if kind == "samples":
            entry |= {"format": "wide", "headers": "zh"}
        files.append(entry)
    return {
        "name": NAME,
        "seed": seed,
        "generator": "qingliu.data.generate",
        "generator_version": GENERATOR_VERSION,
        "title": TITLE,
        "label": LABEL,
        "period": {
            "samples": ["2015-01", "2025-12"],
            "flows": ["1980-01-01", "2025-12-31"],
            "county_years": [2015, 2025],
            "water_use": [2015, 2025],
            "rain": ["1980-01-01", "2025-12-31"],
            "levels": [LEVELS_START, LEVELS_END],
            "health_survey": [SURVEY_YEARS[0], SURVEY_YEARS[-1]],
            "projects_as_of": f"{AS_OF:%Y-%m-%d}",
        },
        "notes": NOTES,
        "file": files,
    }


def generate(out: Path | str | None = None, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the example: ``metadata.toml`` and the CSV files (UTF-8, LF line ends).

    Parameters
    ----------
    out : folder to write into, created if needed; default :func:`default_dir` (the shipped copy).
    seed : random seed; the same seed gives byte-identical files.

    Returns
    -------
    list of Path
        The manifest first, then the data files in import order.
    """
    out = Path(out) if out is not None else default_dir()
    tables = build_tables(seed)
    paths = [write_csv(out / path, tables[kind], _columns(kind)) for kind, path, _ in FILES]
    comment = (
        f"{LABEL['zh']} / {LABEL['en']}.\n"
        f"Written by qingliu.data.generate (seed {seed}); regenerate with: python -m qingliu.data.generate"
    )
    meta = out / "metadata.toml"
    meta.write_text(dumps_toml(manifest(seed, tables), comment), encoding="utf-8", newline="\n")
    return [meta, *paths]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line ``python -m qingliu.data.generate [--out DIR] [--seed N]``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m qingliu.data.generate",
        description="生成内置示例流域 jinzhong（示意数据）/ generate the bundled example basin jinzhong "
        "(illustrative data)",
    )
    parser.add_argument("--out", type=Path, default=None, help="输出目录 / output folder (default: the package folder)")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"随机种子 / random seed (default {DEFAULT_SEED})"
    )
    args = parser.parse_args(argv)
    paths = generate(args.out, args.seed)
    folder = paths[0].parent
    print(f"已生成示例 {NAME}：{len(paths)} 个文件 → {folder} / wrote example {NAME}: {len(paths)} files to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
