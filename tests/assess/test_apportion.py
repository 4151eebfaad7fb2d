"""Source apportionment on a hand-drawn network, and shares summing to one (property test)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from qingliu.assess.apportion import (
    apportion,
    catchment_contributions,
    section_zones,
    share_table,
    top_sources,
)
from qingliu.model import RiverNetwork

# ---------------------------------------------------------------------------------------------
#    a        b              sources: i (industry, county K1) at a, 10 t/a COD, 1 t/a NH3-N
#     \      /                        g (agriculture, K2) at b, 30 t/a COD, 3 t/a NH3-N
#        c  (section S1)               d (domestic, K1) at d, 5 t/a COD, 0 t/a NH3-N
#        |
#        d  (section S2)
#        |
#        o
NETWORK = RiverNetwork(["a", "b", "c", "d", "o"], ["c", "c", "d", "o", None], [1, 1, 1, 1, None])
SOURCES = pd.DataFrame({"source_id": ["i", "g", "d"], "name": ["厂", "田", "村"],
                        "sector": ["industry", "agriculture", "domestic"], "county_id": ["K1", "K2", "K1"]})
SHARES = sparse.csr_array(np.array([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 0, 1, 0]], dtype=float))
LOADS = np.array([[10.0, 1.0], [30.0, 3.0], [5.0, 0.0]])
SECTIONS = np.array([2, 3])  # c, d
ITEMS = ("cod", "nh3n")


def test_levels_put_every_node_after_its_upstream_nodes():
    assert [level.tolist() for level in NETWORK.levels()] == [[0, 1], [2], [3], [4]]


def test_first_section_below_each_node():
    assert NETWORK.first_marked_below(SECTIONS).tolist() == [0, 0, 0, 1, -1]
    assert section_zones(NETWORK, SECTIONS).toarray().tolist() == [[1, 1, 1, 0, 0], [0, 0, 0, 1, 0]]


def test_catchment_loads_and_sector_shares_by_hand():
    contrib = catchment_contributions(NETWORK, SECTIONS, SHARES, LOADS)
    # S1 receives i and g; S2 all three.
    assert contrib[:, :, 0].tolist() == [[10, 30, 0], [10, 30, 5]]
    table = apportion(contrib, ["S1", "S2"], SOURCES, "sector", ITEMS).set_index(["section_id", "item", "sector"])
    assert table.loc[("S1", "cod", "industry"), "share"] == pytest.approx(0.25)
    assert table.loc[("S1", "cod", "agriculture"), "share"] == pytest.approx(0.75)
    assert table.loc[("S2", "cod", "domestic"), "share"] == pytest.approx(5 / 45)
    assert table.loc[("S2", "nh3n", "agriculture"), "contribution"] == pytest.approx(3.0)
    by_county = apportion(contrib, ["S1", "S2"], SOURCES, "county_id", ITEMS).set_index(["section_id", "item", "county_id"])
    assert by_county.loc[("S2", "cod", "K1"), "share"] == pytest.approx(15 / 45)


def test_zone_loads_leave_out_the_sections_upstream():
    contrib = catchment_contributions(NETWORK, SECTIONS, SHARES, LOADS, zones_only=True)
    assert contrib[:, :, 0].tolist() == [[10, 30, 0], [0, 0, 5]]


def test_shares_of_a_section_receiving_nothing_are_nan():
    contrib = np.zeros((1, 3, 1))
    table = apportion(contrib, ["S"], SOURCES, "sector", ("cod",))
    assert table["share"].isna().all()


def test_top_sources_behind_failing_sections():
    contrib = catchment_contributions(NETWORK, SECTIONS, SHARES, LOADS)
    failing = pd.DataFrame({"section_id": ["S2", "S1", "S9"], "item": ["cod", "nh3n", "cod"]})
    top = top_sources(contrib, ["S1", "S2"], SOURCES, failing, count=2, items=ITEMS)
    assert top[["section_id", "item", "rank", "source_id"]].values.tolist() == [
        ["S2", "cod", 1, "g"], ["S2", "cod", 2, "i"], ["S1", "nh3n", 1, "g"], ["S1", "nh3n", 2, "i"],
    ]
    assert top["share"].tolist() == pytest.approx([30 / 45, 10 / 45, 0.75, 0.25])


def test_share_table_of_the_inventory():
    loads = SOURCES.assign(cod_ta=LOADS[:, 0], nh3n_ta=LOADS[:, 1])
    table = share_table(loads, ["county_id"], ITEMS).set_index("county_id")
    assert table.loc["K1", "cod_ta"] == 15.0
    assert table.loc["K2", "cod_share"] == pytest.approx(30 / 45)


@st.composite
def forests(draw):
    """Random forests: node i drains to a node of lower index or is an outlet."""
    n = draw(st.integers(2, 25))
    down = [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, n)]
    return n, down


@settings(max_examples=30, deadline=None)
@given(forests(), st.data())
def test_shares_sum_to_one_and_contributions_are_catchment_loads(forest, data):
    n, down = forest
    ids = [f"n{i}" for i in range(n)]
    network = RiverNetwork(ids, [None if d is None else ids[d] for d in down], [1.0] * n)
    n_sources = data.draw(st.integers(1, 8))
    at = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=n_sources, max_size=n_sources)))
    loads = np.array(data.draw(st.lists(st.floats(0, 1e4), min_size=2 * n_sources, max_size=2 * n_sources))).reshape(-1, 2)
    shares = sparse.csr_array((np.ones(n_sources), (np.arange(n_sources), at)), shape=(n_sources, n))
    sections = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))))
    sources = pd.DataFrame({"sector": data.draw(st.lists(st.sampled_from(["industry", "agriculture", "domestic"]),
                                                         min_size=n_sources, max_size=n_sources))})
    contrib = catchment_contributions(network, sections, shares, loads)
    passes = np.zeros((len(sections), n_sources), dtype=bool)
    for g in range(n_sources):  # brute force: walk each source's path to its outlet
        node = at[g]
        while node is not None:
            passes[:, g] |= sections == node
            node = down[node]
    assert np.allclose(contrib, np.where(passes[:, :, None], loads[None, :, :], 0.0))
    table = apportion(contrib, [f"s{k}" for k in range(len(sections))], sources, "sector", ("cod", "nh3n"))
    sums = table.groupby(["section_id", "item"])["share"].sum(min_count=1)
    totals = table.groupby(["section_id", "item"])["contribution"].sum()
    assert np.allclose(sums[totals > 0], 1.0)
    assert sums[totals == 0].isna().all()


@pytest.mark.slow
def test_jinzhong_shares_by_sector_and_county_sum_to_one():
    from qingliu import data, io
    from qingliu.services import pollution_tools as pt

    files = dict(data.example_files("jinzhong"))
    f = {table: io.read_table(files[kind], table, required=()) for kind, table in
         (("network", "node"), ("stations", "station"), ("flows", "flow_daily"), ("sources", "source"),
          ("counties", "county"), ("sections", "section"))}
    pm = pt.build_model(f["node"], f["station"], f["flow_daily"], f["source"], f["county"],
                        design_flow="observed", period="2025")
    for by, routed in (("sector", False), ("county_id", True)):
        table = pt.apportionment(pm, f["section"], by=by, routed=routed)
        sums = table.groupby(["section_id", "item"])["share"].sum()
        assert sums.to_numpy() == pytest.approx(np.ones(len(sums)))
        assert len(sums) == 26 * 4
    inventory = pt.inventory_shares(pm.loads, ("sector",))
    assert inventory[[f"{i}_share" for i in ("cod", "nh3n", "tp", "tn")]].sum().to_numpy() == pytest.approx(np.ones(4))
