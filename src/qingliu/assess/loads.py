"""Pollution loads of the source inventory (污染源负荷核算) and where they enter the river network.

Loads of COD, NH3-N, TP and TN in t/a, one row per source of the canonical ``source`` table
(:data:`qingliu.model.tables.SOURCE`), by the methods of ``standards/export_coefficients.toml``
(../shared/reference/standards.md §6):

- point sources (``industrial``, ``wwtp``): the reported load, else flow (m3/d) × effluent
  concentration (mg/L) × 365 d / 10^6 g/t;
- ``livestock``: head count × pig equivalents (GB 18596-2001 §1.2.2) × output per pig
  (国家环保总局 2002), or each animal's own output (``method = "per_animal"``);
- ``cropland``: COD and NH3-N from the 标准农田 source strength × a crop correction
  (全国水环境容量核定技术指南 2003), TN and TP from the nutrient applied × the
  第二次全国污染源普查 loss rate;
- ``rural_domestic`` / ``urban_domestic``: persons × generation per person and day;
- ``urban_runoff``: built-up area × annual rain × runoff coefficient × event mean concentration.

A load reported in the table is used as it is, whatever the kind. The load entering the river
(入河量) is the generated load × the river-entry coefficient λ of the kind (× a distance factor
when the table gives ``distance_km``). :func:`entry_shares` says at which network nodes each
source's load enters: point sources at their outfall node, non-point sources spread over the
reaches of their county.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from qingliu.standards import load_toml, unit_factor

ITEMS = ("cod", "nh3n", "tp", "tn")
"""Items of the load inventory, in the column order of every load array."""

DAYS_PER_YEAR = 365.0
G_PER_T = 1e6
KG_PER_T = 1e3
M2_PER_KM2 = 1e6
MM_PER_M = 1e3
PERCENT = 100.0
POINT_KINDS = ("industrial", "wwtp")

# Canonical unit of each kind's activity, and the units.toml dimension that converts others
# (None: only the canonical unit is accepted).
ACTIVITY_UNITS: dict[str, tuple[str, str | None]] = {
    "livestock": ("head", None),
    "cropland": ("mu", "land_area"),
    "rural_domestic": ("person", "population"),
    "urban_domestic": ("person", "population"),
    "urban_runoff": ("km2", None),
}


class LoadError(ValueError):
    """Sources whose loads cannot be computed; ``str()`` gives the reason in Chinese and English.

    Parameters
    ----------
    zh, en : the reason in Simplified Chinese and in English.
    sources : ids of the sources concerned.
    """

    def __init__(self, zh: str, en: str, sources: Iterable[str] = ()) -> None:
        self.sources = tuple(dict.fromkeys(str(s) for s in sources))
        listed = ", ".join(self.sources[:10]) + (" …" if len(self.sources) > 10 else "")
        suffix = f"：{listed}" if listed else ""
        super().__init__(f"{zh}{suffix} / {en}{': ' + listed if listed else ''}")
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class ExportCoefficients:
    """The coefficients of ``export_coefficients.toml`` as lookup tables (units in the file).

    Build one with :func:`load_export_coefficients` or, for an edited copy of the file,
    :meth:`from_mapping`. ``crops`` maps a crop name to (census group, 标准农田 correction);
    ``loss`` holds the census loss coefficients by group, in kg/(mu·a) or in percent of the
    nutrient applied (``loss_unit``); ``applied`` gives (kg N, kg P) per mu and year.
    """

    sector: Mapping[str, str]
    sector_names: Mapping[str, tuple[str, str]]
    livestock_method: str
    pig_equivalent: Mapping[str, float]
    livestock_output: Mapping[str, Mapping[str, float]]
    animal_aliases: Mapping[str, str]
    farmland_strength: Mapping[str, float]
    cropland_nh3n_method: str
    loss_unit: str
    crops: Mapping[str, tuple[str, float]]
    loss: Mapping[str, Mapping[str, float]]
    applied: Mapping[str, tuple[float, float]]
    rural_g_per_day: Mapping[str, float]
    urban_g_per_day: Mapping[str, float]
    runoff_coefficient: float
    runoff_emc: Mapping[str, float]
    river_entry: Mapping[str, float]
    river_entry_range: Mapping[str, tuple[float, float]]
    at_county_seat: tuple[str, ...]
    distance_upper_km: tuple[float, ...]
    distance_factor: tuple[float, ...]
    ranges: Mapping[str, tuple[float, float]]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ExportCoefficients:
        """Coefficients from the parsed TOML (same layout as ``export_coefficients.toml``)."""
        stock, crop, entry = data["livestock"], data["cropland"], data["river_entry"]
        outputs = {a: {i: float(row[i]) for i in ITEMS} for a, row in stock["output_kg_per_head_year"].items()
                   if isinstance(row, dict)}
        return cls(
            sector=dict(data["sector"]),
            sector_names={k: (v["zh"], v["en"]) for k, v in data["sector_names"].items()},
            livestock_method=stock["method"],
            pig_equivalent={a: r["pigs"] / r["heads"] for a, r in stock["pig_equivalent"].items()},
            livestock_output=outputs,
            animal_aliases={_fold(k): v for k, v in stock["aliases"].items()},
            farmland_strength={i: float(crop["standard_farmland"][i]) for i in ("cod", "nh3n")},
            cropland_nh3n_method=crop["nh3n_method"],
            loss_unit=crop["loss_unit"],
            crops={_fold(k): (v["group"], float(v["correction"])) for k, v in crop["crops"].items()},
            loss={g: {i: float(r[i]) for i in ("tn", "nh3n", "tp")} for g, r in crop["loss_coefficient"].items()},
            applied={g: (float(r["n"]), float(r["p"])) for g, r in crop["applied_kg_per_mu_year"].items()},
            rural_g_per_day=dict(data["rural_domestic"]["g_per_person_day"]),
            urban_g_per_day=dict(data["urban_domestic"]["g_per_person_day"]),
            runoff_coefficient=float(data["urban_runoff"]["runoff_coefficient"]),
            runoff_emc=dict(data["urban_runoff"]["emc_mgl"]),
            river_entry={k: float(v["value"]) for k, v in entry.items() if isinstance(v, dict) and "value" in v},
            river_entry_range={k: tuple(v["range"]) for k, v in entry.items() if isinstance(v, dict) and "range" in v},
            at_county_seat=tuple(data["entry"]["at_county_seat"]),
            distance_upper_km=tuple(entry["distance"]["upper_km"]),
            distance_factor=tuple(entry["distance"]["factor"]),
            ranges={
                "livestock_output": tuple(stock["output_kg_per_head_year"]["range"]),
                "farmland_correction": tuple(crop["standard_farmland"]["correction_range"]),
                "rural_cod": tuple(data["rural_domestic"]["cod_range"]),
            },
        )

    def sector_of(self, kinds: pd.Series) -> pd.Series:
        """Sector (industry / agriculture / domestic / other) of each source kind."""
        return kinds.map(self.sector).fillna("other")


@cache
def load_export_coefficients(name: str = "export_coefficients") -> ExportCoefficients:
    """Load the coefficients shipped as ``standards/<name>.toml`` (default the national set)."""
    return ExportCoefficients.from_mapping(load_toml(name))


def _fold(text: object) -> str:
    return str(text).strip().casefold()


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column with missing values as "" (absent column: all "")."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str).str.strip()


def _number(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _activity(sources: pd.DataFrame, kinds: np.ndarray) -> np.ndarray:
    """Activity in the canonical unit of its kind; LoadError for units that do not convert."""
    activity = _number(sources, "activity")
    units = _text(sources, "activity_unit").to_numpy()
    ids = _text(sources, "source_id").to_numpy()
    factor = np.ones(len(sources))
    bad = []
    for kind, (canonical, dimension) in ACTIVITY_UNITS.items():
        for unit in set(units[(kinds == kind) & (units != "")]):
            rows = (kinds == kind) & (units == unit)
            if _fold(unit) == _fold(canonical):
                continue
            try:
                if dimension is None:
                    raise ValueError(unit)
                factor[rows] = unit_factor(unit, canonical, dimension)
            except ValueError:
                bad.extend(ids[rows])
    if bad:
        raise LoadError(
            "活动水平单位无法换算（畜禽：head，耕地：mu，人口：person，建成区：km2）",
            "activity unit cannot be converted (livestock: head, cropland: mu, population: person, built-up: km2)",
            bad,
        )
    return activity * factor


def _lookup(keys: pd.Series, table: Mapping[str, Any], ids: np.ndarray, zh: str, en: str) -> list[Any]:
    folded = keys.map(_fold)
    unknown = ~folded.isin(list(table))
    if unknown.any():
        names = ", ".join(sorted(set(keys[unknown])))
        raise LoadError(f"{zh}（{names}）", f"{en} ({names})", ids[unknown.to_numpy()])
    return [table[k] for k in folded]


def _livestock(sub: pd.DataFrame, heads: np.ndarray, coef: ExportCoefficients, ids: np.ndarray) -> np.ndarray:
    """kg/a per item: heads × pig equivalents × pig output, or the animal's own output."""
    animals = _lookup(_text(sub, "subtype"), coef.animal_aliases, ids, "未知的畜禽种类", "unknown animal")
    pig_eq = np.array([coef.pig_equivalent[a] for a in animals])
    pig = np.array([coef.livestock_output["pig"][i] for i in ITEMS])
    per_head = pig_eq[:, None] * pig[None, :]
    if coef.livestock_method == "per_animal":
        own = np.array([[coef.livestock_output.get(a, {}).get(i, np.nan) for i in ITEMS] for a in animals])
        per_head = np.where(np.isnan(own), per_head, own)
    return heads[:, None] * per_head


def _cropland(sub: pd.DataFrame, mu: np.ndarray, coef: ExportCoefficients, ids: np.ndarray) -> np.ndarray:
    """kg/a per item: COD from the 标准农田 strength × correction; N and P from the census.

    The census loss coefficients are kg/(mu·a), or percent of the nutrient applied (N for TN
    and NH3-N, P for TP) when ``loss_unit`` is "percent_of_applied".
    """
    crops = _lookup(_text(sub, "subtype"), coef.crops, ids, "未知的作物类型", "unknown crop")
    groups = [g for g, _ in crops]
    correction = np.array([c for _, c in crops])
    per_mu = np.array([[coef.loss[g].get(i, np.nan) for i in ITEMS] for g in groups])
    if coef.loss_unit == "percent_of_applied":
        nutrient = np.array([coef.applied[g] for g in groups])  # (rows, [N, P])
        applied = nutrient[:, [0 if i in ("tn", "nh3n") else 1 for i in ITEMS]]
        per_mu = per_mu * applied / PERCENT
    cod = ITEMS.index("cod")
    per_mu[:, cod] = coef.farmland_strength["cod"] * correction
    if coef.cropland_nh3n_method == "standard_farmland":
        per_mu[:, ITEMS.index("nh3n")] = coef.farmland_strength["nh3n"] * correction
    return mu[:, None] * per_mu


def _per_person(persons: np.ndarray, g_per_day: Mapping[str, float]) -> np.ndarray:
    """t/a per item from persons × g/(person·d)."""
    return persons[:, None] * np.array([g_per_day[i] for i in ITEMS])[None, :] * DAYS_PER_YEAR / G_PER_T


def _distance_factor(distance_km: np.ndarray, coef: ExportCoefficients) -> np.ndarray:
    """λ adjustment by distance to the river; 1 where no distance is given."""
    bins = np.searchsorted(np.asarray(coef.distance_upper_km), distance_km, side="left")
    factor = np.asarray(coef.distance_factor)[np.minimum(bins, len(coef.distance_factor) - 1)]
    return np.where(np.isnan(distance_km), 1.0, factor)


def source_loads(
    sources: pd.DataFrame,
    coefficients: ExportCoefficients | None = None,
    *,
    rain_mm: float | None = None,
) -> pd.DataFrame:
    """Generated and river-entering loads (t/a) of every source.

    Parameters
    ----------
    sources : frame with the columns of the canonical ``source`` table (source_id, kind,
        county_id, node_id, subtype, activity, activity_unit, flow_m3d, ``<item>_ta``,
        ``<item>_mgl``); an optional ``distance_km`` (to the river) adjusts λ.
    coefficients : default :func:`load_export_coefficients`.
    rain_mm : annual rain on built-up land (mm), needed only for ``urban_runoff`` rows
        without reported loads.

    Returns
    -------
    DataFrame, one row per source in input order: source_id, name, kind, sector, county_id,
    node_id, method (``reported``, ``flow_concentration``, ``coefficient`` or a "+"-joined
    mix over the items), river_entry (λ), ``<item>_generated_ta`` and ``<item>_ta`` (entering
    = generated × λ) for item in :data:`ITEMS`.

    Raises
    ------
    LoadError
        For an unknown kind, animal or crop, an activity unit that does not convert, or a
        source whose loads cannot be computed (no reported load and no data for the method).
    """
    coef = coefficients or load_export_coefficients()
    kinds = _text(sources, "kind").to_numpy()
    ids = _text(sources, "source_id").to_numpy()
    unknown = ~np.isin(kinds, list(coef.river_entry))
    if unknown.any():
        raise LoadError("未知的污染源类型", "unknown source kind", ids[unknown])
    n = len(sources)
    reported = np.column_stack([_number(sources, f"{i}_ta") for i in ITEMS]) if n else np.empty((0, len(ITEMS)))
    computed = np.full((n, len(ITEMS)), np.nan)
    activity = _activity(sources, kinds)

    point = np.isin(kinds, POINT_KINDS)
    conc = np.column_stack([_number(sources, f"{i}_mgl") for i in ITEMS]) if n else computed
    flow = _number(sources, "flow_m3d")
    computed[point] = flow[point, None] * conc[point] * DAYS_PER_YEAR / G_PER_T
    # Non-point methods only for rows that still miss a load, so that a reported-only row needs
    # no subtype or activity.
    needs = ~np.isfinite(reported).all(axis=1)
    for kind, method in (("livestock", _livestock), ("cropland", _cropland)):
        rows = (kinds == kind) & needs
        if rows.any():
            computed[rows] = method(sources[rows], activity[rows], coef, ids[rows]) / KG_PER_T
    for kind, per_day in (("rural_domestic", coef.rural_g_per_day), ("urban_domestic", coef.urban_g_per_day)):
        rows = kinds == kind
        computed[rows] = _per_person(activity[rows], per_day)
    rows = (kinds == "urban_runoff") & needs
    if rows.any():
        if rain_mm is None:
            raise LoadError(
                "城市降雨径流源缺少负荷，需给出年降雨量 rain_mm",
                "urban runoff sources without loads need the annual rain (rain_mm)",
                ids[rows],
            )
        runoff_m3 = activity[rows] * M2_PER_KM2 * rain_mm / MM_PER_M * coef.runoff_coefficient
        emc = np.array([coef.runoff_emc[i] for i in ITEMS])
        computed[rows] = runoff_m3[:, None] * emc[None, :] / G_PER_T

    use_reported = np.isfinite(reported)
    generated = np.where(use_reported, reported, computed)
    missing = ~np.isfinite(generated).all(axis=1)
    if missing.any():
        raise LoadError(
            "污染源负荷无法核算（缺少报告负荷、排水量×浓度或活动水平）",
            "loads cannot be computed (no reported load, flow × concentration or activity)",
            ids[missing],
        )
    lam = np.array([coef.river_entry[k] for k in kinds]) * _distance_factor(_number(sources, "distance_km"), coef)
    entering = generated * lam[:, None]

    other = np.where(point, "flow_concentration", "coefficient")
    by_item = np.where(use_reported, "reported", other[:, None])
    method = ["+".join(dict.fromkeys(row)) for row in by_item]
    out = pd.DataFrame(
        {
            "source_id": ids,
            "name": _text(sources, "name").to_numpy(),
            "kind": kinds,
            "sector": coef.sector_of(pd.Series(kinds)).to_numpy(),
            "county_id": _text(sources, "county_id").to_numpy(),
            "node_id": _text(sources, "node_id").to_numpy(),
            "method": method,
            "river_entry": lam,
        }
    )
    for j, item in enumerate(ITEMS):
        out[f"{item}_generated_ta"] = generated[:, j]
    for j, item in enumerate(ITEMS):
        out[f"{item}_ta"] = entering[:, j]
    return out


def load_matrix(loads: pd.DataFrame, items: Iterable[str] = ITEMS) -> np.ndarray:
    """Entering loads (t/a) as an array (sources, items) from :func:`source_loads`."""
    return loads[[f"{i}_ta" for i in items]].to_numpy(dtype=float)


def _nearest(lon: np.ndarray, lat: np.ndarray, to_lon: np.ndarray, to_lat: np.ndarray) -> np.ndarray:
    """Position of the nearest target point to each point (targets without coordinates never win).

    Distances on an equirectangular projection (longitudes scaled by the cosine of the mean
    latitude), ample for ranking points tens of kilometres apart.
    """
    scale = np.cos(np.deg2rad(np.nanmean(to_lat)))
    d2 = ((lon[:, None] - to_lon[None, :]) * scale) ** 2 + (lat[:, None] - to_lat[None, :]) ** 2
    return np.argmin(np.where(np.isnan(d2), np.inf, d2), axis=1)


def entry_shares(
    sources: pd.DataFrame,
    nodes: pd.DataFrame,
    counties: pd.DataFrame,
    coefficients: ExportCoefficients | None = None,
) -> sparse.csr_array:
    """Share of each source's load entering at each network node: a (sources × nodes) matrix.

    A source with a ``node_id`` (an outfall) enters whole at that node. A source of a kind
    belonging to the county town (``[entry] at_county_seat`` of export_coefficients.toml: urban
    sewage and runoff) enters at the reach nearest its county seat. Any other source without a
    node (non-point, by county) is spread over the river reaches of its county in proportion to
    their length: each node stands for the reach from it to its downstream node (``length_km``;
    outlets have none) and belongs to the county whose seat (``counties`` lon/lat) is nearest,
    a Voronoi stand-in for county boundaries. A county that no node is nearest to puts its load
    at the reach nearest to its seat. Rows sum to one.

    Parameters
    ----------
    sources : frame with source_id, node_id, county_id and kind (e.g. :func:`source_loads`).
    nodes : the ``node`` table (node_id, lon, lat, length_km), rows in network order.
    counties : the ``county`` table (county_id, lon, lat).
    coefficients : default :func:`load_export_coefficients`.

    Raises
    ------
    LoadError
        For a node id that is not a node, or a non-point source whose county is unknown or has
        no coordinates.
    """
    node_ids = pd.Index(_text(nodes, "node_id"))
    ids = _text(sources, "source_id").to_numpy()
    at_node = _text(sources, "node_id").to_numpy()
    point = at_node != ""
    column = node_ids.get_indexer(at_node)
    if (point & (column < 0)).any():
        unknown = ids[point & (column < 0)]
        raise LoadError("排入节点不在河网中", "node_id is not a node of the network", unknown)
    c_lon, c_lat = counties["lon"].to_numpy(float), counties["lat"].to_numpy(float)
    seat = pd.Index(_text(counties, "county_id")).get_indexer(_text(sources, "county_id"))
    bad = ~point & ((seat < 0) | np.isnan(c_lon[seat] + c_lat[seat]))
    if bad.any():
        raise LoadError(
            "面源所在区县未知或缺少坐标", "county of a non-point source is unknown or has no coordinates", ids[bad]
        )

    n_nodes, n_counties = len(nodes), len(counties)
    n_lon, n_lat = nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float)
    reach = np.nan_to_num(nodes["length_km"].to_numpy(float)) if "length_km" in nodes.columns else np.ones(n_nodes)
    # The reach nearest each county seat (nodes without a reach are put out of reach).
    seat_node = _nearest(c_lon, c_lat, np.where(reach > 0, n_lon, np.nan), n_lat)
    # county_weights[c, j]: share of county c's non-point load entering at node j
    county_weights = np.zeros((n_counties, n_nodes))
    county_weights[_nearest(n_lon, n_lat, c_lon, c_lat), np.arange(n_nodes)] = reach
    empty = county_weights.sum(axis=1) <= 0
    county_weights[np.flatnonzero(empty), seat_node[empty]] = 1.0
    county_weights /= county_weights.sum(axis=1, keepdims=True)
    # Each source picks one row of [county weights; identity over nodes].
    town = np.isin(_text(sources, "kind").to_numpy(), (coefficients or load_export_coefficients()).at_county_seat)
    pick = np.where(point, n_counties + column, np.where(town, n_counties + seat_node[seat], seat))
    picker = sparse.csr_array((np.ones(len(ids)), (np.arange(len(ids)), pick)), shape=(len(ids), n_counties + n_nodes))
    return (picker @ sparse.vstack([sparse.csr_array(county_weights), sparse.eye_array(n_nodes)]).tocsr()).tocsr()
