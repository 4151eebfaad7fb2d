"""What the dashboard shows (总览、地图、断面): key figures, map features and a section's detail.

Every function returns plain, JSON-ready Python (str, int, float, bool, None, lists, dicts;
times as ISO 8601 text, a date alone at midnight), so the REST API and the pages hand the same dicts on unchanged.
The figures come from the water-environment assessment (:mod:`.water_quality`), the
project registry (:mod:`.projects`) and the store; nothing here computes a class or a trend
itself.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from qingliu import store
from qingliu.assess.quality import lake_mask, load_method
from qingliu.plan.projects import summarise
from qingliu.services.auth import BilingualError
from qingliu.services.ecology import city_ecoflow_compliance
from qingliu.services.projects import list_projects
from qingliu.services.water_quality import SECTION_HISTORY, WaterQualityAssessment
from qingliu.standards import catalogue, load_class_limits, load_toml
from qingliu.store import summaries

SECTION_URL = "/sections/{section_id}"
"""The dashboard page of a section, linked from the map."""

_QP = load_toml("ecoflow")
ECOFLOW_METHOD = {
    "zh": f"生态基流（{_QP['meta']['standard']}，最枯月平均流量 {100 * _QP['qp']['default_guarantee']:.0f}% 保证率）各水文站日满足率",
    "en": (f"Daily compliance with the ecological base flow ({_QP['meta']['standard']}: driest-month mean flow at "
           f"{100 * _QP['qp']['default_guarantee']:.0f} %) over the stations"),
}





class SectionNotFound(BilingualError, LookupError):
    """No monitoring section with this id."""


def plain(value: Any) -> Any:
    """A value as JSON-ready Python: numpy scalars unwrapped, missing as None, times as ISO text."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat() if value == pd.Timestamp(value).normalize() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows of ``frame`` (all or ``columns``) as JSON-ready dicts."""
    frame = frame if columns is None else frame[columns]
    return [{k: plain(v) for k, v in row.items()} for row in frame.astype(object).to_dict("records")]


def _figure(value: float | None, previous: float | None, unit: str) -> dict[str, Any]:
    """A key figure with its previous-year value and the change (None where either is missing)."""
    value, previous = plain(value), plain(previous)
    change = None if value is None or previous is None else value - previous
    return {"value": value, "previous": previous, "change": change, "unit": unit}


def _city_share(wq: WaterQualityAssessment | None, column: str) -> float | None:
    """A share of the city's sections in percent (the assessment keeps fractions)."""
    if wq is None or wq.city.empty:
        return None
    share = plain(wq.city[column].iloc[0])
    return None if share is None else 100.0 * share


def _water_use(engine: Engine, year: int) -> tuple[float | None, float | None]:
    """Total water use and total quota of the counties (1e4 m3) in ``year``; None where absent."""
    with engine.connect() as conn:
        use = summaries.water_use_totals(conn, by=("year",))
        quota = store.read(conn, "county_year", where={"year": year}, columns=["water_quota_1e4m3"])
    used = use.loc[use["year"] == year, "volume"]
    quotas = quota["water_quota_1e4m3"].dropna()
    return (float(used.iloc[0]) if len(used) else None, float(quotas.sum()) if len(quotas) else None)


def _quota_share(used: float | None, quota: float | None) -> float | None:
    return None if used is None or not quota else 100.0 * used / quota


def _projects(engine: Engine, as_of: Any) -> dict[str, Any]:
    """Project counts by status, lagging and overdue counts, money spent against plan (1e4 yuan)."""
    tracked = list_projects(engine, as_of=as_of)
    by_status = summarise(tracked, "status")
    investment = float(tracked["investment_1e4yuan"].sum())
    invested = float(tracked["invested_1e4yuan"].sum())
    return {
        "total": len(tracked),
        "by_status": {status: int(n) for status, n in by_status["projects"].items()},
        "lagging": int(tracked["lagging"].sum()),
        "overdue": int(tracked["overdue"].sum()),
        "investment_1e4yuan": investment,
        "planned_invested_1e4yuan": float(tracked["planned_invested_1e4yuan"].sum()),
        "invested_1e4yuan": invested,
        "invested_pct": 100.0 * invested / investment if investment > 0 else None,
    }


def overview(
    engine: Engine, wq: WaterQualityAssessment, prev: WaterQualityAssessment | None, as_of: Any = None
) -> dict[str, Any]:
    """The city's key figures (总览) for the period of ``wq`` and their change on ``prev``.

    Parameters
    ----------
    engine : the workspace database.
    wq : the assessment of the period shown.
    prev : the assessment of the same period a year earlier, or None (no data): the
        ``previous`` and ``change`` of the water-quality figures are then None.
    as_of : the reporting date of the project figures (default today).

    Returns
    -------
    ``{year, month, period, as_of, figures, projects, notes}``. ``figures`` maps each key
    figure to ``{value, previous, change, unit}`` (change = value − previous; percentage
    points for shares):

    - ``share_1_3``, ``share_6``: sections in classes I–III and worse than V (劣V), % of the
      sections evaluated (环办〔2011〕22号);
    - ``share_meeting_target``: sections meeting their target class, %;
    - ``ecoflow_compliance``: share of station-days meeting the ecological base flow, % (see
      ``notes.ecoflow`` and :func:`qingliu.services.ecology.city_ecoflow_compliance`);
    - ``water_use_1e4m3``, ``water_quota_1e4m3``: the year's total water use (sum of
      ``water_use.volume``) and the counties' total quota (sum of
      ``county_year.water_quota_1e4m3``), 1e4 m3, and ``water_use_pct_of_quota`` their ratio, %;
      compared with the year before.

    ``projects``: ``{total, by_status, lagging, overdue, investment_1e4yuan,
    planned_invested_1e4yuan, invested_1e4yuan, invested_pct}`` on ``as_of`` (see
    :func:`qingliu.plan.projects.track_projects`); projects carry only their current state, so
    there is no previous-year value.
    """
    as_of = date.today() if as_of is None else pd.Timestamp(as_of).date()
    used, quota = _water_use(engine, wq.year)
    used_before, quota_before = _water_use(engine, wq.year - 1)
    figures = {
        name: _figure(_city_share(wq, name), _city_share(prev, name), "%")
        for name in ("share_1_3", "share_6", "share_meeting_target")
    }
    eco = city_ecoflow_compliance(engine, wq.year)
    figures["ecoflow_compliance"] = _figure(eco.value_pct, eco.previous_pct, "%")
    figures["water_use_1e4m3"] = _figure(used, used_before, "1e4 m3")
    figures["water_quota_1e4m3"] = _figure(quota, quota_before, "1e4 m3")
    figures["water_use_pct_of_quota"] = _figure(_quota_share(used, quota), _quota_share(used_before, quota_before), "%")
    return {
        "year": wq.year,
        "month": wq.month,
        "period": wq.period_label,
        "as_of": as_of.isoformat(),
        "figures": figures,
        "projects": _projects(engine, as_of),
        "notes": {"ecoflow": ECOFLOW_METHOD},
    }


def map_features(engine: Engine, wq: WaterQualityAssessment) -> dict[str, Any]:
    """The river network, the sections coloured by class and the counties, for the map (地图).

    Returns
    -------
    ``{period, nodes, segments, sections, counties}``:

    - ``nodes``: ``{id, name, kind, river, lon, lat, downstream}`` per network node;
    - ``segments``: one line per reach, ``{river, from, to, coords: [[lon, lat], [lon, lat]]}``;
    - ``sections``: ``{id, name, river, lon, lat, class, class_label, target_class,
      meets_target, colour, url}``; ``class`` 1–6 (6 = 劣V) in the period, 0 / None when the
      section has no sample in it; ``colour`` the method's colour of the class (环办〔2011〕22号
      表1: blue, green, yellow, orange, red);
    - ``counties``: ``{id, name, lon, lat}`` (markers; None where the county has no position).
    """
    with engine.connect() as conn:
        nodes = store.read(conn, "node")
        sections = store.read(conn, "section")
        counties = store.read(conn, "county")
    position = nodes.set_index("node_id")[["lon", "lat"]]
    reaches = nodes[nodes["downstream"].notna() & nodes["downstream"].isin(position.index)]
    starts = reaches[["lon", "lat"]].to_numpy().tolist()
    ends = position.loc[reaches["downstream"]].to_numpy().tolist()
    segments = [
        {"river": river, "from": up, "to": down, "coords": [start, end]}
        for river, up, down, start, end in zip(
            reaches["river"].tolist(), reaches["node_id"].tolist(), reaches["downstream"].tolist(), starts, ends
        )
    ]
    classes = wq.sections[["section_id", "class", "class_label", "meets_target", "colour"]]
    placed = sections.merge(position, left_on="node_id", right_index=True, how="left").merge(
        classes, on="section_id", how="left"
    )
    placed["url"] = [SECTION_URL.format(section_id=s) for s in placed["section_id"]]
    placed = placed.rename(columns={"section_id": "id"})
    section_columns = ["id", "name", "river", "lon", "lat", "class", "class_label", "target_class", "meets_target",
                       "colour", "url"]  # fmt: skip
    return {
        "period": wq.period_label,
        "nodes": records(
            nodes.rename(columns={"node_id": "id"}), ["id", "name", "kind", "river", "lon", "lat", "downstream"]
        ),
        "segments": segments,
        "sections": records(placed, section_columns),
        "counties": records(counties.rename(columns={"county_id": "id"}), ["id", "name", "lon", "lat"]),
    }


def _class_limits(code: str, lake: bool) -> dict[str, Any] | None:
    """GB 3838-2002 Table 1 limits of ``code`` for the class bands (lake limits for lakes and reservoirs)."""
    limits = load_class_limits()
    if code in limits.range_items:
        low, high = limits.range_items[code]
        return {"standard": limits.standard, "direction": "range", "range": [low, high]}
    if code not in limits.codes:
        return None
    row = limits.row(code)
    table = limits.lake if lake else limits.river
    return {
        "standard": limits.standard,
        "direction": "max" if limits.upper[row] else "min",
        "classes": list(limits.labels[:5]),
        "limits": table[row].tolist(),
    }


def _iso_times(times: pd.Series) -> list[str]:
    """ISO 8601 text of a time column at once: dates alone when every time is at midnight (as :func:`plain`)."""
    values = times.to_numpy(dtype="datetime64[s]")
    dates = values.astype("datetime64[D]")
    unit = "D" if (values == dates).all() else "s"
    return np.datetime_as_string(values, unit=unit).tolist()


def _series(samples: pd.DataFrame, lake: bool) -> list[dict[str, Any]]:
    """One entry per item (in the catalogue's order): its samples as columns and its class limits."""
    known = catalogue()
    order = {code: i for i, code in enumerate(known)}
    samples = samples.assign(_order=samples["parameter"].map(order).fillna(len(order)))
    samples = samples.sort_values(["_order", "parameter", "time"], kind="stable")
    series = []
    for code, rows in samples.groupby("parameter", sort=False):
        parameter = known.get(code)
        series.append(
            {
                "parameter": code,
                "zh": parameter.zh if parameter else code,
                "en": parameter.en if parameter else code,
                "unit": parameter.unit if parameter else None,
                "time": _iso_times(rows["time"]),
                "value": rows["value"].astype(object).where(rows["value"].notna(), None).tolist(),
                "flag": rows["flag"].fillna("").tolist(),
                "bands": _class_limits(str(code), lake),
            }
        )
    return series


def _window(wq: WaterQualityAssessment) -> tuple[int, int]:
    """The years of the assessment's trend window (those of its history), else the period's year."""
    years = wq.history["year"] if not wq.history.empty else pd.Series([wq.year])
    return int(years.min()), wq.year


def section_detail(engine: Engine, section_id: str, wq: WaterQualityAssessment) -> dict[str, Any]:
    """Everything the section page shows (断面详情) for the period of ``wq``.


    Returns
    -------
    ``{section, assessment, series, history, trends, warning, warning_items, window}``:

    - ``section``: the section's row (``section`` table) with its node's lon/lat;
    - ``assessment``: its class in the period (class, class_label, status, meets_target,
      main_pollutants), None when it has no sample in the period;
    - ``series``: per item, the samples of the trend window (``time``, ``value``, ``flag``
      lists; ``flag`` "<" below the detection limit) and ``bands``: the GB 3838-2002 Table 1
      limits of classes I–V (``direction`` "max" or "min"; lake limits, e.g. TP, for lakes and
      reservoirs) or the pH ``range``; None for items without class limits;
    - ``history``: the class of each year of the window;
    - ``trends``: the section's rows of the assessment's trends (seasonal Kendall, Sen slope);
    - ``warning``: its early-warning summary on the annual target; ``warning_items``: its
      items at risk (severity > 0);
    - ``window``: ``{first_year, last_year}``.

    Raises
    ------
    SectionNotFound
        No section ``section_id``.
    """
    first, last = _window(wq)
    with engine.connect() as conn:
        section = store.read(conn, "section", where={"section_id": section_id})
        if section.empty:
            raise SectionNotFound(f"断面 {section_id!r} 不存在", f"no section {section_id!r}")
        node = store.read(conn, "node", where={"node_id": section.at[0, "node_id"]}, columns=["lon", "lat"])
        samples = store.read(conn, "wq_sample", where={
            "section_id": section_id, "time": slice(pd.Timestamp(first, 1, 1), pd.Timestamp(last + 1, 1, 1))})  # fmt: skip
    lake = bool(lake_mask(str(section.at[0, "water_body"]), 1, load_method()))
    row = records(section)[0] | (records(node)[0] if len(node) else {"lon": None, "lat": None})
    current = wq.sections[wq.sections["section_id"] == section_id]
    assessment = records(current, ["class", "class_label", "status_zh", "status_en", "meets_target", "worst_items",
                                   "main_pollutants"])  # fmt: skip
    warning = wq.warnings[wq.warnings["section_id"] == section_id] if not wq.warnings.empty else wq.warnings
    items = wq.warning_items
    if not items.empty:
        items = items[(items["section_id"] == section_id) & (items["severity"] > 0)]
    trends = wq.trends[wq.trends["section_id"] == section_id] if not wq.trends.empty else wq.trends
    return {
        "period": wq.period_label,
        "window": {"first_year": first, "last_year": last},
        "section": row,
        "assessment": assessment[0] if assessment else None,
        "series": _series(samples, lake),
        "history": records(
            wq.section_history[wq.section_history["section_id"] == section_id], list(SECTION_HISTORY[1:])
        ),
        "trends": records(trends.drop(columns=["section_id", "name"], errors="ignore")),
        "warning": records(warning.drop(columns=["section_id", "name", "river"], errors="ignore"))[0]
        if len(warning)
        else None,
        "warning_items": records(items.drop(columns=["section_id"], errors="ignore")),
    }


__all__ = ["ECOFLOW_METHOD", "SECTION_URL", "SectionNotFound", "map_features", "overview", "plain", "records",
           "section_detail"]  # fmt: skip
