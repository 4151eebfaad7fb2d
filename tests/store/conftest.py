"""Fixtures of the store tests: a migrated database (``db_url`` from tests/conftest.py) and a tiny basin."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
import sqlalchemy as sa

from qingliu.store import connect, migrate, upsert


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """A migrated, empty database."""
    engine = connect(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def basin(engine: sa.Engine) -> sa.Engine:
    """The database holding a tiny basin: one county, two nodes, a section and a station."""
    with engine.begin() as conn:
        upsert(conn, "county", pd.DataFrame({"county_id": ["140702"], "name": ["榆次区"]}))
        upsert(
            conn,
            "node",
            pd.DataFrame(
                {
                    "node_id": ["N1", "N2"],
                    "kind": ["section", "outlet"],
                    "river": ["潇河", "潇河"],
                    "lon": [112.70, 112.80],
                    "lat": [37.70, 37.60],
                    "downstream": ["N2", ""],
                    "length_km": [12.5, None],
                }
            ),
        )
        upsert(
            conn,
            "section",
            pd.DataFrame(
                {
                    "section_id": ["S1"],
                    "name": ["潇河桥"],
                    "river": ["潇河"],
                    "node_id": ["N1"],
                    "level": ["national"],
                    "water_body": ["river"],
                    "target_class": [3],
                    "county_id": ["140702"],
                    "is_boundary": [True],
                }
            ),
        )
        upsert(
            conn,
            "station",
            pd.DataFrame(
                {
                    "station_id": ["Q1"],
                    "name": ["潇河站"],
                    "river": ["潇河"],
                    "node_id": ["N1"],
                    "area_km2": [3894.0],
                }
            ),
        )
    return engine
