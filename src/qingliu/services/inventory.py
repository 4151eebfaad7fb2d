"""What a workspace holds (数据清单): counts, coverage of the series, the network's shape."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from qingliu import store
from qingliu.model import RiverNetwork


@dataclass(frozen=True)
class Inventory:
    """Tables of a workspace's content, ready for the CLI and the reports."""

    counts: dict[str, int]
    example: str | None
    nodes: pd.DataFrame
    sections: pd.DataFrame
    stations: pd.DataFrame
    counties: pd.DataFrame
    sample_coverage: pd.DataFrame
    flow_coverage: pd.DataFrame
    water_use_by_year: pd.DataFrame
    outlets: tuple[str, ...]


_SAMPLE_COVERAGE = text(
    "SELECT section_id, MIN(time) AS first, MAX(time) AS last, COUNT(*) AS n_values, "
    "COUNT(DISTINCT parameter) AS n_parameters FROM wq_sample GROUP BY section_id ORDER BY section_id"
)
_FLOW_COVERAGE = text(
    "SELECT station_id, MIN(date) AS first, MAX(date) AS last, COUNT(*) AS n_days "
    "FROM flow_daily GROUP BY station_id ORDER BY station_id"
)
_WATER_USE = text("SELECT year, sector, SUM(volume) AS volume FROM water_use GROUP BY year, sector")


def inventory(engine: Engine) -> Inventory:
    """Read the workspace's inventory; the series are summarised in the database."""
    with engine.connect() as conn:
        nodes = store.read(conn, "node")
        samples = pd.read_sql(_SAMPLE_COVERAGE, conn, parse_dates=["first", "last"])
        flows = pd.read_sql(_FLOW_COVERAGE, conn, parse_dates=["first", "last"])
        use = pd.read_sql(_WATER_USE, conn)
        frames = {t: store.read(conn, t) for t in ("section", "station", "county")}
        counts = store.counts(conn)
        example = store.get_meta(conn, "example")
    if len(flows):
        span = (flows["last"] - flows["first"]).dt.days + 1
        flows["missing_days"] = span - flows["n_days"]
    by_year = use.pivot_table(index="year", columns="sector", values="volume", aggfunc="sum").fillna(0.0)
    if len(by_year):
        by_year["total"] = by_year.sum(axis=1)
    outlets = RiverNetwork.from_frame(nodes).outlets if len(nodes) else ()
    return Inventory(
        counts=counts,
        example=example,
        nodes=nodes,
        sections=frames["section"],
        stations=frames["station"],
        counties=frames["county"],
        sample_coverage=samples,
        flow_coverage=flows,
        water_use_by_year=by_year.reset_index(),
        outlets=tuple(outlets),
    )
