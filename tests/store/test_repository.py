"""Writing and reading the canonical tables, on SQLite and PostgreSQL.

Expected frames are written out by hand, with the canonical dtypes of ``model/tables.py``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from pandas.testing import assert_frame_equal

from qingliu.model.tables import TABLES
from qingliu.store import count, counts, delete, get_meta, keys, read, repository, set_meta, snapshot, upsert


def samples(values=(7.5, 0.8, 0.02)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "section_id": ["S1", "S1", "S1"],
            "time": pd.to_datetime(["2024-07-01 08:30", "2024-07-01 08:30", "2024-08-01 09:00"]),
            "parameter": ["do", "nh3n", "tp"],
            "value": list(values),
            "flag": ["", "", "<"],
            "source": ["月报", "月报", None],
        }
    )


def test_reupserting_the_same_rows_changes_nothing(basin: sa.Engine) -> None:
    for _ in range(2):
        with basin.begin() as conn:
            assert upsert(conn, "wq_sample", samples()) == 3
    with basin.connect() as conn:
        assert count(conn, "wq_sample") == 3
        assert read(conn, "wq_sample")["value"].tolist() == [7.5, 0.8, 0.02]


def test_upsert_writes_in_chunks(basin: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repository, "CHUNK_ROWS", 2)
    days = pd.date_range("2024-01-01", periods=5)
    flows = pd.DataFrame({"station_id": ["Q1"] * 5, "date": days, "q": [1.0, 2, 3, 4, 5]})
    with basin.begin() as conn:
        assert upsert(conn, "flow_daily", flows) == 5
        assert read(conn, "flow_daily")["q"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_upsert_updates_the_values_of_existing_keys(basin: sa.Engine) -> None:
    with basin.begin() as conn:
        upsert(conn, "wq_sample", samples())
        upsert(conn, "wq_sample", samples(values=(6.0, 1.2, 0.02)))
    with basin.connect() as conn:
        assert count(conn, "wq_sample") == 3
        assert read(conn, "wq_sample")["value"].tolist() == [6.0, 1.2, 0.02]


def test_columns_missing_from_the_frame_keep_their_values(basin: sa.Engine) -> None:
    station = {"station_id": ["Q1"], "name": ["潇河站"], "river": ["潇河"], "node_id": ["N1"]}
    with basin.begin() as conn:
        upsert(conn, "station", pd.DataFrame({**station, "area_km2": [3894.0], "warning_level_m": [801.5]}))
        upsert(conn, "station", pd.DataFrame({**station, "area_km2": [3900.0]}))
    with basin.connect() as conn:
        row = read(conn, "station").iloc[0]
    assert (row["area_km2"], row["warning_level_m"]) == (3900.0, 801.5)
    assert np.isnan(row["guarantee_level_m"])


def test_rollback_leaves_the_database_as_before(basin: sa.Engine) -> None:
    """A failed import: valid rows, then a sample of an unknown section, in one transaction."""
    with basin.connect() as conn:
        before = snapshot(conn)
    unknown = samples().assign(section_id="S9")
    with pytest.raises(sa.exc.IntegrityError):
        with basin.begin() as conn:
            upsert(conn, "wq_sample", samples())
            set_meta(conn, "example", "jinzhong")
            upsert(conn, "wq_sample", unknown)
    with basin.connect() as conn:
        after = snapshot(conn)
    assert after.keys() == before.keys()
    for name in before:
        assert_frame_equal(after[name], before[name])
    assert len(after["wq_sample"]) == 0 and len(after["node"]) == 2


def test_reference_to_an_unknown_row_raises(basin: sa.Engine) -> None:
    with basin.connect() as conn:
        flows = pd.DataFrame({"station_id": ["Q9"], "date": pd.to_datetime(["2024-01-01"]), "q": [1.0]})
        with pytest.raises(sa.exc.IntegrityError):
            upsert(conn, "flow_daily", flows)


def test_missing_required_value_raises(basin: sa.Engine) -> None:
    with basin.connect() as conn:
        with pytest.raises(sa.exc.IntegrityError):
            upsert(conn, "wq_sample", samples(values=(7.5, np.nan, 0.02)))


def test_network_may_be_written_downstream_last(engine: sa.Engine) -> None:
    """node.downstream is checked at commit: N1 -> N2 may come before N2."""
    nodes = pd.DataFrame(
        {
            "node_id": ["N1", "N2"],
            "kind": ["headwater", "outlet"],
            "river": ["潇河", "潇河"],
            "lon": [112.6, 112.8],
            "lat": [37.8, 37.6],
            "downstream": ["N2", np.nan],
        }
    )
    with engine.begin() as conn:
        upsert(conn, "node", nodes)
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as conn:
            upsert(conn, "node", nodes.assign(downstream=["N2", "N7"]))
    with engine.connect() as conn:
        assert read(conn, "node", columns=["node_id", "downstream"])["downstream"].tolist() == ["N2", np.nan]


def test_dtypes_round_trip_exactly(basin: sa.Engine) -> None:
    def text(*values):
        return pd.Series(values, dtype="str")

    def optional(*values):
        return pd.Series(values, dtype="float64")

    project = pd.DataFrame(
        {
            "project_id": text("P1", "P2"),
            "name": text("污水处理厂提标", "潇河生态补水"),
            "category": text("water_environment", "water_ecology"),
            "county_id": text("140702", "140702"),
            "department": text("生态环境局", "水务局"),
            "start": pd.Series(["2024-12-31", "2023-03-01"], dtype="datetime64[us]"),
            "end": pd.Series(["2026-06-30", "2025-10-31"], dtype="datetime64[us]"),
            "investment_1e4yuan": optional(5600.5, 1200.0),
            "invested_1e4yuan": optional(0.125, np.nan),
            "status": text("planned", "ongoing"),
            "progress_pct": optional(0.0, 45.0),
            "effect_node": text(np.nan, "N1"),
            "cod_reduction_ta": optional(365.25, np.nan),
            "nh3n_reduction_ta": optional(36.5, np.nan),
            "tp_reduction_ta": optional(np.nan, np.nan),
            "tn_reduction_ta": optional(np.nan, np.nan),
            "water_saved_1e4m3a": optional(np.nan, np.nan),
            "ecoflow_supply_m3s": optional(np.nan, 0.5),
            "description": text(np.nan, "引水 0.5 m³/s"),
        }
    )
    section = pd.DataFrame(
        {
            "section_id": text("S1"),
            "name": text("潇河桥"),
            "river": text("潇河"),
            "node_id": text("N1"),
            "level": text("national"),
            "water_body": text("river"),
            "target_class": pd.Series([3], dtype="Int64"),
            "county_id": text("140702"),
            "is_boundary": pd.Series([True], dtype="bool"),
        }
    )
    times = ["2024-07-01 08:30:00.000001", "2024-07-01 08:30:00", "2024-12-31 23:59:59"]
    wq = samples().assign(time=pd.Series(times, dtype="datetime64[us]"))
    with basin.begin() as conn:
        upsert(conn, "project", project.iloc[::-1])  # written in reverse, read sorted by key
        upsert(conn, "wq_sample", wq)
    with basin.connect() as conn:
        assert_frame_equal(read(conn, "project"), project)
        assert_frame_equal(read(conn, "section"), section)
        got_wq = read(conn, "wq_sample")
    # Sorted by (section_id, time, parameter): 08:30:00 nh3n, 08:30:00.000001 do, then December.
    expected_wq = wq.iloc[[1, 0, 2]].reset_index(drop=True)
    text_columns = ["section_id", "parameter", "flag", "source"]
    assert_frame_equal(got_wq, expected_wq.astype(dict.fromkeys(text_columns, "str")))


def test_empty_read_keeps_the_canonical_dtypes(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        frame = read(conn, "section")
    assert frame.empty and list(frame.columns) == list(TABLES["section"].names)
    assert frame.dtypes.to_dict() == {
        "section_id": "str", "name": "str", "river": "str", "node_id": "str", "level": "str",
        "water_body": "str", "target_class": "Int64", "county_id": "str", "is_boundary": "bool",
    }


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_stores_dates_as_sqlalchemy_does(basin: sa.Engine) -> None:
    """Written in bulk, read back and compared through SQLAlchemy: the text must be its own."""
    with basin.begin() as conn:
        upsert(conn, "wq_sample", samples())
        upsert(conn, "flow_daily", pd.DataFrame({"station_id": ["Q1"], "date": [dt.date(2024, 7, 1)], "q": [2.5]}))
        stored = conn.exec_driver_sql("SELECT time FROM wq_sample ORDER BY time").scalars().all()
        day = conn.exec_driver_sql("SELECT date FROM flow_daily").scalar()
    assert stored == ["2024-07-01 08:30:00.000000", "2024-07-01 08:30:00.000000", "2024-08-01 09:00:00.000000"]
    assert day == "2024-07-01"


def test_read_filters_by_value_list_and_period(basin: sa.Engine) -> None:
    with basin.begin() as conn:
        upsert(conn, "wq_sample", samples())
        july = read(conn, "wq_sample", where={"time": slice("2024-07-01", "2024-08-01")})
        at = read(conn, "wq_sample", where={"time": dt.datetime(2024, 7, 1, 8, 30)}, columns=["parameter"])
        some = read(
            conn, "wq_sample", where={"section_id": "S1", "parameter": ["tp", "do"]}, columns=["value", "parameter"]
        )
        flagged = read(conn, "wq_sample", where={"source": None})
    assert july["parameter"].tolist() == ["do", "nh3n"]
    assert at["parameter"].tolist() == ["do", "nh3n"] and list(at.columns) == ["parameter"]
    assert some.to_dict("list") == {"value": [7.5, 0.02], "parameter": ["do", "tp"]}
    assert flagged["parameter"].tolist() == ["tp"]


def test_read_sorts_identifiers_by_code_point(engine: sa.Engine) -> None:
    """The same order on both databases, even where PostgreSQL's collation follows a locale."""
    counties = pd.DataFrame({"county_id": ["b", "a", "Z", "B", "晋"], "name": ["x"] * 5})
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # a locale-aware collation sorts a, b, B, Z
            conn.exec_driver_sql('ALTER TABLE county ALTER COLUMN county_id TYPE varchar(64) COLLATE "und-x-icu"')
        upsert(conn, "county", counties)
        assert read(conn, "county")["county_id"].tolist() == ["B", "Z", "a", "b", "晋"]


def test_keys_counts_and_delete(basin: sa.Engine) -> None:
    with basin.begin() as conn:
        upsert(conn, "wq_sample", samples())
        assert keys(conn, "node", "node_id") == {"N1", "N2"}
        assert keys(conn, "node", "downstream") == {"N2"}
        assert counts(conn) == {
            "node": 2, "county": 1, "county_year": 0, "section": 1, "station": 1, "reservoir": 0,
            "source": 0, "project": 0, "wq_sample": 3, "flow_daily": 0, "water_use": 0,
                "level": 0, "rain_daily": 0, "health_survey": 0,
        }
        assert delete(conn, "wq_sample", {"parameter": ["do", "tp"]}) == 2
        assert read(conn, "wq_sample")["parameter"].tolist() == ["nh3n"]
        assert delete(conn, "wq_sample", {}) == 1
        assert count(conn, "wq_sample") == 0


def test_workspace_meta(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        assert get_meta(conn, "example") is None
        set_meta(conn, "example", "jinzhong")
        set_meta(conn, "example", "晋中")
        assert get_meta(conn, "example") == "晋中"
        assert snapshot(conn)["workspace_meta"]["key"].tolist() == ["example", "schema_version"]


@pytest.mark.parametrize(
    ("table", "frame", "message"),
    [
        ("lake", pd.DataFrame({"x": [1]}), "unknown table: 'lake'"),
        ("county", pd.DataFrame({"county_id": ["1"], "name": ["a"], "area": [1.0]}), r"has no columns \['area'\]"),
        ("county", pd.DataFrame({"county_id": ["1"]}), r"needs the columns \['name'\]"),
        ("county", pd.DataFrame({"county_id": ["1", "1"], "name": ["a", "b"]}), "rows repeat the key"),
        (
            "flow_daily",
            pd.DataFrame(
                {"station_id": ["Q1"], "date": pd.date_range("2024-01-01", periods=1, tz="Asia/Shanghai"), "q": [1.0]}
            ),
            "time-zone-aware",
        ),
    ],
)
def test_bad_frames_are_refused_before_writing(basin: sa.Engine, table, frame, message) -> None:
    with basin.connect() as conn:
        with pytest.raises(ValueError, match=message):
            upsert(conn, table, frame)


def test_read_refuses_unknown_columns(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        with pytest.raises(ValueError, match="table 'county' has no column 'area'"):
            read(conn, "county", where={"area": 1.0})


def test_read_pages_and_count_with_conditions(basin) -> None:
    frame = pd.DataFrame(
        {
            "station_id": ["Q1"] * 5,
            "date": pd.date_range("2024-01-01", periods=5),
            "q": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    with basin.begin() as conn:
        upsert(conn, "flow_daily", frame)
    with basin.connect() as conn:
        page = read(conn, "flow_daily", limit=2, offset=1)
        assert page["q"].tolist() == [2.0, 3.0]  # sorted by key (station, date), rows 2 and 3
        assert count(conn, "flow_daily", where={"date": slice("2024-01-02", "2024-01-04")}) == 2
        assert count(conn, "flow_daily") == 5
