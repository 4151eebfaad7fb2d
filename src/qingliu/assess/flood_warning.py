"""Flood warning status (汛情) of stations and reservoirs from their latest water levels.

The list a duty officer reads first: every river station against its warning (警戒水位) and
guarantee (保证水位) levels, every reservoir against its flood-limit level (汛限水位) and
normal pool level (正常蓄水位), most serious first, with the latest reading, how far it is above
(or below) the relevant level, and whether it is rising or falling. The characteristic levels
are site data (``station``/``reservoir`` tables), not numbers of a standard. A level equal to a
characteristic level counts as reaching it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qingliu.standards import load_toml

STATUS = {
    # code: (severity, zh, en)
    "above_guarantee": (3, "超保证水位", "above guarantee level"),
    "above_normal_pool": (3, "超正常蓄水位", "above normal pool level"),
    "above_warning": (2, "超警戒水位", "above warning level"),
    "above_flood_limit": (2, "超汛限水位", "above flood-limit level"),
    "normal": (0, "正常", "normal"),
    "no_threshold": (0, "无特征水位", "no characteristic level"),
    "no_data": (-1, "无数据", "no data"),
}
KIND_ZH = {"station": "水文站", "reservoir": "水库"}
TREND = {1.0: ("涨", "rising"), -1.0: ("落", "falling"), 0.0: ("平", "steady")}
"""Direction of the change since the previous reading; no previous reading gives ("", "")."""

_SEASON = load_toml("flood_control")["flood_season"]
FLOOD_SEASON = (int(_SEASON["first_month"]), int(_SEASON["last_month"]))
"""First and last month of the flood season (汛期), when a reservoir must stay at or below its
flood-limit level (``standards/flood_control.toml``); outside it only the normal pool level applies."""

DEFAULT_MAX_AGE = pd.Timedelta(days=1)
"""A latest reading older than this before the report time is flagged stale."""

_COLUMNS = ["site_id", "kind", "kind_zh", "name", "time", "level_m", "change_m", "trend_zh", "trend_en",
            "status", "status_zh", "status_en", "severity", "reference_level_m", "exceed_m", "stale"]


def _latest(levels: pd.DataFrame) -> pd.DataFrame:
    """Latest reading per site with its change since the reading before."""
    data = levels.dropna(subset=["level_m"]).sort_values(["site_id", "time"], kind="stable")
    previous = data.groupby("site_id")["level_m"].shift(1)
    data = data.assign(change_m=data["level_m"] - previous)
    return data.groupby("site_id").tail(1).set_index("site_id")[["time", "level_m", "change_m"]]


def _classify(level: np.ndarray, lower: np.ndarray, upper: np.ndarray, codes: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Status code and reference level against a (lower, upper) pair of characteristic levels."""
    above_upper = level >= upper
    above_lower = level >= lower
    status = np.select([np.isnan(level), above_upper, above_lower, np.isnan(lower) & np.isnan(upper)],
                       ["no_data", codes[1], codes[0], "no_threshold"], "normal")
    reference = np.where(above_upper, upper, np.where(np.isnan(lower), upper, lower))
    return status, reference


def warning_status(
    levels: pd.DataFrame,
    stations: pd.DataFrame | None = None,
    reservoirs: pd.DataFrame | None = None,
    *,
    as_of: pd.Timestamp | None = None,
    max_age: pd.Timedelta = DEFAULT_MAX_AGE,
    flood_season: tuple[int, int] = FLOOD_SEASON,
) -> pd.DataFrame:
    """Status of every station and reservoir from the latest water levels, most serious first.

    Parameters
    ----------
    levels : readings with columns site_id, time, level_m (m); several readings per site.
    stations : station_id, name, warning_level_m, guarantee_level_m (either may be NaN).
    reservoirs : reservoir_id, name, flood_limit_level_m, normal_level_m.
    as_of : the time of the report (default: the latest reading); a site whose latest reading
        is older than ``as_of - max_age`` is flagged ``stale``.
    flood_season : (first, last) month in which the reservoirs' flood-limit level applies
        (:data:`FLOOD_SEASON`); a reading outside it is held to the normal pool level only.

    Returns
    -------
    DataFrame: site_id, kind (station/reservoir), kind_zh, name, time, level_m, change_m
    (since the previous reading), trend_zh/trend_en (涨/落/平), status (code of :data:`STATUS`),
    status_zh, status_en, severity (3 above guarantee / normal pool, 2 above warning / flood
    limit, 0 normal, -1 no data), reference_level_m (the level the status refers to: the
    higher one reached, else warning or flood limit), exceed_m (level - reference; negative =
    margin below it), stale. Sorted by severity, then exceed_m, both descending. Sites with
    readings but no entry in the site tables are kept with status no_threshold.
    """
    if as_of is not None:  # the status at as_of: later readings are not known yet
        levels = levels[levels["time"] <= pd.Timestamp(as_of)]
    latest = _latest(levels)
    sites = []
    if stations is not None and len(stations):
        sites.append(pd.DataFrame({"site_id": stations["station_id"].astype(str), "kind": "station",
                                   "name": stations["name"], "lower": stations["warning_level_m"].astype(float),
                                   "upper": stations["guarantee_level_m"].astype(float)}))
    if reservoirs is not None and len(reservoirs):
        sites.append(pd.DataFrame({"site_id": reservoirs["reservoir_id"].astype(str), "kind": "reservoir",
                                   "name": reservoirs["name"], "lower": reservoirs["flood_limit_level_m"].astype(float),
                                   "upper": reservoirs["normal_level_m"].astype(float)}))
    table = pd.concat(sites, ignore_index=True) if sites else pd.DataFrame(columns=["site_id", "kind", "name", "lower", "upper"])
    unknown = latest.index.difference(table["site_id"])
    if len(unknown):
        table = pd.concat([table, pd.DataFrame({"site_id": unknown, "kind": "station", "name": "",
                                                "lower": np.nan, "upper": np.nan})], ignore_index=True)
    table = table.join(latest, on="site_id")
    level = table["level_m"].to_numpy(float)
    lower, upper = table["lower"].to_numpy(float), table["upper"].to_numpy(float)
    is_station = (table["kind"] == "station").to_numpy()
    month = table["time"].dt.month.to_numpy(float)
    in_season = (month >= flood_season[0]) & (month <= flood_season[1])
    lower = np.where(is_station | in_season, lower, np.nan)
    st_status, st_ref = _classify(level, lower, upper, ("above_warning", "above_guarantee"))
    rs_status, rs_ref = _classify(level, lower, upper, ("above_flood_limit", "above_normal_pool"))
    status = np.where(is_station, st_status, rs_status)
    reference = np.where(is_station, st_ref, rs_ref)
    trend = [TREND.get(s, ("", "")) for s in np.sign(table["change_m"].to_numpy(float))]
    as_of = pd.Timestamp(as_of) if as_of is not None else latest["time"].max()
    out = pd.DataFrame({
        "site_id": table["site_id"], "kind": table["kind"], "kind_zh": table["kind"].map(KIND_ZH),
        "name": table["name"].fillna(""), "time": table["time"], "level_m": level, "change_m": table["change_m"],
        "trend_zh": [t[0] for t in trend], "trend_en": [t[1] for t in trend],
        "status": status, "status_zh": [STATUS[s][1] for s in status], "status_en": [STATUS[s][2] for s in status],
        "severity": [STATUS[s][0] for s in status], "reference_level_m": reference,
        "exceed_m": level - reference,
        "stale": table["time"].isna().to_numpy() | (table["time"] < as_of - max_age).to_numpy(),
    })
    return out.sort_values(["severity", "exceed_m", "site_id"], ascending=[False, False, True],
                           na_position="last", kind="stable").reset_index(drop=True)[_COLUMNS]
