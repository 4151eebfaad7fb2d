"""What a workspace holds (数据清单): counts, coverage of the series, the network's shape."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from qingliu import store
from qingliu.model import RiverNetwork
from qingliu.store import summaries


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


def inventory(engine: Engine) -> Inventory:
    """Read the workspace's inventory; the series are summarised in the database."""
    with engine.connect() as conn:
        nodes = store.read(conn, "node")
        samples = summaries.sample_coverage(conn)
        flows = summaries.flow_coverage(conn)
        use = summaries.water_use_totals(conn)
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
