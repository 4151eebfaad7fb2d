"""The bundled example loads through the importers into SQLite and PostgreSQL alike."""

from __future__ import annotations

import pandas as pd
import pytest

from qingliu import data, store
from qingliu.services.examples import load_example
from qingliu.services.workspace import create_workspace


@pytest.mark.slow
def test_example_loads_completely(db_url: str, tmp_path) -> None:
    ws = create_workspace(tmp_path / "ws", db_url=db_url, example="jinzhong")
    report = load_example(ws, "jinzhong")
    folder = data.example_dir("jinzhong")
    # rows per file counted straight from the shipped CSVs (samples are wide: counted after melting)
    assert report.rows["flow_daily"] == len(pd.read_csv(folder / "flows.csv"))
    assert report.rows["water_use"] == len(pd.read_csv(folder / "water_use.csv"))
    assert report.rows["section"] == len(pd.read_csv(folder / "sections.csv"))
    with ws.engine.connect() as conn:
        counts = store.counts(conn)
        assert store.get_meta(conn, "example") == "jinzhong"
    assert counts == {**counts, **report.rows}
    again = load_example(ws, "jinzhong")  # idempotent: re-importing changes no counts
    with ws.engine.connect() as conn:
        assert store.counts(conn) == counts
    assert again.rows == report.rows
    ws.engine.dispose()
