"""Every bad input leaves the database exactly as before, on SQLite and on PostgreSQL.

The bad files are the importer cases (tests/bad_input_cases.py); here each goes through the
import service into a database that already holds a small basin and one good sample, and the
whole database is compared before and after.
"""

from __future__ import annotations

import pandas as pd
import pytest
from bad_input_cases import CASES, KNOWN, write_case

from qingliu import io, store
from qingliu.services.importing import import_files


def _basin(engine) -> None:
    """Rows for every id in KNOWN, and one good sample."""
    with engine.begin() as conn:
        store.upsert(conn, "county", pd.DataFrame({"county_id": ["140702"], "name": ["榆次区"]}))
        store.upsert(
            conn,
            "node",
            pd.DataFrame(
                {"node_id": ["N1", "N2"], "kind": ["section", "outlet"], "river": ["汾河", "汾河"],
                 "lon": [112.1, 112.2], "lat": [37.3, 37.2], "downstream": ["N2", ""], "length_km": [5.0, None]}
            ),
        )
        store.upsert(
            conn,
            "section",
            pd.DataFrame(
                {"section_id": ["S01", "S02"], "name": ["甲", "乙"], "river": ["汾河", "汾河"], "node_id": ["N1", "N2"],
                 "level": ["national", "provincial"], "water_body": ["river", "river"], "target_class": [3, 4],
                 "county_id": ["140702", "140702"], "is_boundary": [False, True]}
            ),
        )
        store.upsert(
            conn,
            "station",
            pd.DataFrame({"station_id": ["ST1"], "name": ["站"], "river": ["汾河"], "node_id": ["N1"], "area_km2": [100.0]}),
        )
        store.upsert(
            conn,
            "wq_sample",
            pd.DataFrame({"section_id": ["S01"], "time": [pd.Timestamp("2024-01-05")], "parameter": ["tp"],
                          "value": [0.1], "flag": [""], "source": ["seed"]}),
        )
    with engine.connect() as conn:
        assert {t: store.keys(conn, t, c) >= set(ids) for (t, c), ids in KNOWN.items()} == dict.fromkeys(
            [t for t, _ in KNOWN], True
        )


@pytest.fixture
def basin_engine(db_url: str):
    engine = store.connect(db_url)
    store.migrate(engine)
    _basin(engine)
    yield engine
    engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_leaves_database_unchanged(basin_engine, tmp_path, name: str) -> None:
    case = CASES[name]
    good = tmp_path / "good.csv"
    good.write_text("section_id,time,parameter,value\nS02,2024-02-05,nh3n,0.5\n", encoding="utf-8")
    bad = write_case(tmp_path, case)
    with basin_engine.connect() as conn:
        before = store.snapshot(conn)
    with pytest.raises(io.InputError) as info:
        # a good file first in the same batch: it must not be written either
        import_files(basin_engine, [("samples", good), (case.kind, bad)])
    assert any(p.file == bad.name for p in info.value.problems)
    with basin_engine.connect() as conn:
        after = store.snapshot(conn)
    assert after.keys() == before.keys()
    for table, frame in before.items():
        pd.testing.assert_frame_equal(after[table], frame, obj=table)
