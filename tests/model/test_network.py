"""RiverNetwork on hand-drawn networks (answers worked out by hand) and property tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingliu.model import NODE, NetworkError, RiverNetwork

# ---------------------------------------------------------------------------------------------
# A forest like Jinzhong's: a Fen-like tree, a Haihe-like tree and an isolated node.
#
#     h1        h2                  h4
#       \10    /8                   | 4
#         c1        h3              s3
#           \5     /12              | 6
#              c2                   o2   (Haihe-basin outlet)
#              | 3
#              s1
#              | 7
#              o1   (Fen outlet)          x   (alone: outlet and headwater)
#
# Numbers are the lengths (km) to the downstream node. Rows are given outlet first, so that row
# order is not a routing order.
FOREST_ROWS = [
    # node_id, downstream, length_km, load (t/a)
    ("o1", None, None, 32.0),
    ("s1", "o1", 7.0, 16.0),
    ("c2", "s1", 3.0, 8.0),
    ("h3", "c2", 12.0, 4.0),
    ("c1", "c2", 5.0, 0.0),
    ("h2", "c1", 8.0, 2.0),
    ("h1", "c1", 10.0, 1.0),
    ("o2", "", None, 256.0),
    ("s3", "o2", 6.0, 128.0),
    ("h4", "s3", 4.0, 64.0),
    ("x", float("nan"), None, 512.0),
]


@pytest.fixture()
def forest() -> RiverNetwork:
    ids, down, length, _ = zip(*FOREST_ROWS, strict=True)
    return RiverNetwork(ids, down, length)


def by_id(net: RiverNetwork, values: np.ndarray) -> dict[str, float]:
    return {node: values[i].item() for i, node in enumerate(net.ids)}


def test_forest_topology(forest: RiverNetwork) -> None:
    assert forest.ids == ("o1", "s1", "c2", "h3", "c1", "h2", "h1", "o2", "s3", "h4", "x")
    assert forest.index("c2") == 2
    assert forest.outlets == ["o1", "o2", "x"]
    assert forest.headwaters == ["h3", "h2", "h1", "h4", "x"]
    assert forest.downstream("c1") == "c2"
    assert forest.downstream("o1") is None
    assert forest.downstream("o2") is None  # empty string = outlet
    assert forest.downstream("x") is None  # NaN = outlet
    assert forest.upstream("c2") == ["h3", "c1"]
    assert forest.upstream("c1") == ["h2", "h1"]
    assert forest.upstream("h1") == []
    assert forest.path_to_outlet("h1") == ["h1", "c1", "c2", "s1", "o1"]
    assert forest.path_to_outlet("o1") == ["o1"]
    assert forest.path_to_outlet("h4") == ["h4", "s3", "o2"]
    assert set(forest.catchment("c2")) == {"c2", "h3", "c1", "h2", "h1"}
    assert set(forest.catchment("o1")) == {"o1", "s1", "c2", "h3", "c1", "h2", "h1"}
    assert set(forest.catchment("o2")) == {"o2", "s3", "h4"}
    assert forest.catchment("h1") == ["h1"]
    assert forest.catchment("x") == ["x"]
    assert len(forest) == 11 and "s3" in forest and "zz" not in forest


def test_forest_down_array(forest: RiverNetwork) -> None:
    # o1 s1 c2 h3 c1 h2 h1 o2 s3 h4 x  ->  positions 0..10
    np.testing.assert_array_equal(forest.down, [-1, 0, 1, 2, 2, 4, 4, -1, 7, 8, -1])


def test_forest_distances(forest: RiverNetwork) -> None:
    assert by_id(forest, forest.distance_to_outlet_km) == {
        "o1": 0.0, "s1": 7.0, "c2": 10.0, "h3": 22.0, "c1": 15.0, "h2": 23.0, "h1": 25.0,
        "o2": 0.0, "s3": 6.0, "h4": 10.0, "x": 0.0,
    }  # fmt: skip
    assert forest.distance_km("h1", "s1") == 10 + 5 + 3
    assert forest.distance_km("h3", "o1") == 12 + 3 + 7
    assert forest.distance_km("h4", "o2") == 4 + 6
    assert forest.distance_km("c2", "c2") == 0


@pytest.mark.parametrize(("a", "b"), [("h1", "h2"), ("c2", "h1"), ("h1", "o2"), ("h1", "x")])
def test_distance_needs_b_downstream_of_a(forest: RiverNetwork, a: str, b: str) -> None:
    with pytest.raises(NetworkError, match=f"{b} is not downstream of {a}"):
        forest.distance_km(a, b)


def test_unknown_lengths_give_nan_upstream_only() -> None:
    #   a --2--> b --?--> c --4--> d
    net = RiverNetwork(["a", "b", "c", "d"], ["b", "c", "d", None], [2.0, None, 4.0, None])
    assert by_id(net, net.distance_to_outlet_km) == pytest.approx(
        {"a": np.nan, "b": np.nan, "c": 4.0, "d": 0.0}, nan_ok=True
    )
    assert net.distance_km("a", "b") == 2.0
    assert np.isnan(net.distance_km("a", "c"))
    assert np.isnan(RiverNetwork(["a", "b"], ["b", None]).distance_km("a", "b"))  # no lengths given


def test_forest_strahler(forest: RiverNetwork) -> None:
    assert by_id(forest, forest.strahler()) == {
        "o1": 2, "s1": 2, "c2": 2, "h3": 1, "c1": 2, "h2": 1, "h1": 1,
        "o2": 1, "s3": 1, "h4": 1, "x": 1,
    }  # fmt: skip


def test_forest_accumulate_loads(forest: RiverNetwork) -> None:
    loads = np.array([row[3] for row in FOREST_ROWS])
    expected = {
        "o1": 63.0, "s1": 31.0, "c2": 15.0, "h3": 4.0, "c1": 3.0, "h2": 2.0, "h1": 1.0,
        "o2": 448.0, "s3": 192.0, "h4": 64.0, "x": 512.0,
    }  # fmt: skip
    assert by_id(forest, forest.accumulate(loads)) == expected
    # several pollutants at once: column 1 is ten times column 0
    both = forest.accumulate(np.column_stack([loads, 10 * loads]))
    assert both.shape == (11, 2)
    assert by_id(forest, both[:, 1]) == {k: 10 * v for k, v in expected.items()}
    assert by_id(forest, forest.catchment_matrix() @ loads) == expected
    assert loads[0] == 32.0  # the input is not modified


def test_accumulate_propagates_nan_downstream_only(forest: RiverNetwork) -> None:
    loads = np.ones(11)
    loads[forest.index("c1")] = np.nan
    nan_at = {node for node, v in by_id(forest, forest.accumulate(loads)).items() if np.isnan(v)}
    assert nan_at == {"c1", "c2", "s1", "o1"}


def test_accumulate_checks_shape(forest: RiverNetwork) -> None:
    with pytest.raises(ValueError, match="shape"):
        forest.accumulate(np.ones(10))


def test_forest_routing_order(forest: RiverNetwork) -> None:
    order = [forest.ids[i] for i in forest.routing_order()]
    assert sorted(order) == sorted(forest.ids)
    for before, after in [("h1", "c1"), ("h2", "c1"), ("c1", "c2"), ("h3", "c2"), ("c2", "s1"),
                          ("s1", "o1"), ("h4", "s3"), ("s3", "o2")]:  # fmt: skip
        assert order.index(before) < order.index(after)


# ---------------------------------------------------------------------------------------------
# Strahler orders: two order-2 streams make order 3; an order-1 tributary does not raise it;
# three order-1 streams meeting at one node make order 2.
#
#   a   b   c   d
#    \ /     \ /
#     e       f
#      \     /
#         g       u        t1  t2  t3
#          \     /           \  |  /
#             m                 k
#              \               /
#               +---- out ----+
STRAHLER_EDGES = {
    "a": "e", "b": "e", "c": "f", "d": "f", "e": "g", "f": "g", "g": "m", "u": "m",
    "m": "out", "t1": "k", "t2": "k", "t3": "k", "k": "out", "out": None,
}  # fmt: skip
STRAHLER_ORDERS = {
    "a": 1, "b": 1, "c": 1, "d": 1, "e": 2, "f": 2, "g": 3, "u": 1, "m": 3,
    "t1": 1, "t2": 1, "t3": 1, "k": 2, "out": 3,
}  # fmt: skip


def test_strahler_by_hand() -> None:
    net = RiverNetwork(list(STRAHLER_EDGES), list(STRAHLER_EDGES.values()))
    assert by_id(net, net.strahler()) == STRAHLER_ORDERS
    assert set(net.upstream("k")) == {"t1", "t2", "t3"}
    assert len(net.catchment("out")) == 14


def test_catchment_matrix_by_hand() -> None:
    #   a --> b --> c <-- d
    net = RiverNetwork(["a", "b", "c", "d"], ["b", "c", None, "c"])
    matrix = net.catchment_matrix()
    assert matrix.dtype == bool and matrix.shape == (4, 4)
    # row i: which nodes drain to node i (columns a b c d)
    np.testing.assert_array_equal(
        matrix.toarray(),
        [
            [1, 0, 0, 0],  # a
            [1, 1, 0, 0],  # b
            [1, 1, 1, 1],  # c
            [0, 0, 0, 1],  # d
        ],
    )


def test_from_frame_with_node_columns() -> None:
    frame = pd.DataFrame(
        [
            ("XH01", "headwater", "潇河", 113.1, 37.9, "XH02", 20.5),
            ("XH02", "section", "潇河", 112.8, 37.7, "FH01", 31.0),
            ("FH00", "headwater", "汾河", 112.5, 37.9, "FH01", 12.25),
            ("FH01", "confluence", "汾河", 112.6, 37.5, None, None),
        ],
        columns=["node_id", "kind", "river", "lon", "lat", "downstream", "length_km"],
    )
    assert set(frame.columns) <= set(NODE.names)
    assert frame["downstream"].isna().sum() == 1  # pandas stores None as a missing value
    net = RiverNetwork.from_frame(frame)
    assert net.outlets == ["FH01"]
    assert net.path_to_outlet("XH01") == ["XH01", "XH02", "FH01"]
    assert net.distance_km("XH01", "FH01") == 51.5
    assert by_id(net, net.strahler()) == {"XH01": 1, "XH02": 1, "FH00": 1, "FH01": 2}


def test_from_frame_without_lengths_and_with_blank_downstream() -> None:
    frame = pd.DataFrame({"node_id": ["a", " b "], "downstream": [" b", "  "]})
    net = RiverNetwork.from_frame(frame)
    assert net.ids == ("a", "b") and net.downstream("a") == "b" and net.outlets == ["b"]
    assert np.isnan(net.length_km).all()


def test_from_frame_needs_columns() -> None:
    with pytest.raises(NetworkError, match="downstream"):
        RiverNetwork.from_frame(pd.DataFrame({"node_id": ["a"]}))


def test_empty_network() -> None:
    net = RiverNetwork([], [])
    assert len(net) == 0 and net.outlets == [] and net.headwaters == []
    assert net.routing_order().size == 0 and net.accumulate(np.zeros(0)).size == 0


def test_arrays_are_read_only(forest: RiverNetwork) -> None:
    with pytest.raises(ValueError):
        forest.routing_order()[0] = 3
    with pytest.raises(ValueError):
        forest.distance_to_outlet_km[0] = 1.0


def test_unknown_node_query(forest: RiverNetwork) -> None:
    with pytest.raises(KeyError, match="zz"):
        forest.upstream("zz")


# --- invalid networks --------------------------------------------------------------------------


def bilingual(message: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in message) and any(ch.isascii() and ch.isalpha() for ch in message)


def test_duplicate_ids() -> None:
    with pytest.raises(NetworkError, match="duplicate node ids: a") as err:
        RiverNetwork(["a", "b", "a"], ["b", None, None])
    assert "重复" in str(err.value) and bilingual(str(err.value))


def test_unknown_downstream() -> None:
    with pytest.raises(NetworkError, match="a -> zz") as err:
        RiverNetwork(["a", "b"], ["zz", None])
    assert "下游节点不存在" in str(err.value)


def test_cycle_named_without_its_tributary() -> None:
    #   d --> a --> b --> c --> a (back), e alone
    with pytest.raises(NetworkError, match="a -> b -> c -> a") as err:
        RiverNetwork(["a", "b", "c", "d", "e"], ["b", "c", "a", "a", None])
    message = str(err.value)
    assert "环路" in message and "d ->" not in message and "-> d" not in message


def test_two_cycles_both_named() -> None:
    with pytest.raises(NetworkError, match=r"p -> q -> p; r -> s -> r"):
        RiverNetwork(["p", "q", "r", "s", "t"], ["q", "p", "s", "r", "p"])


def test_node_flowing_into_itself() -> None:
    with pytest.raises(NetworkError, match="flows into itself: b") as err:
        RiverNetwork(["a", "b"], [None, "b"])
    assert bilingual(str(err.value))


@pytest.mark.parametrize("bad_id", [None, "", " ", float("nan")])
def test_empty_node_id(bad_id: object) -> None:
    with pytest.raises(NetworkError, match="empty node id at positions 1"):
        RiverNetwork(["a", bad_id], [None, None])


def test_negative_length() -> None:
    with pytest.raises(NetworkError, match="negative length.*: a"):
        RiverNetwork(["a", "b"], ["b", None], [-1.0, None])


def test_length_that_is_not_a_number() -> None:
    with pytest.raises(NetworkError, match="length is not a number: a"):
        RiverNetwork(["a", "b", "c"], ["b", "c", None], ["12 km", "", None])


def test_network_error_carries_both_languages_and_the_nodes() -> None:
    with pytest.raises(NetworkError) as err:
        RiverNetwork(["a", "b", "c", "d"], ["b", "a", "a", None])
    assert isinstance(err.value, ValueError)
    assert err.value.bilingual == ("河网存在环路：a -> b -> a", "cycle in the river network: a -> b -> a")
    assert str(err.value) == "河网存在环路：a -> b -> a / cycle in the river network: a -> b -> a"
    assert err.value.nodes == ("a", "b")


# --- properties on random forests ---------------------------------------------------------------


@st.composite
def forests(draw: st.DrawFn) -> tuple[list[str], list[str | None], list[float]]:
    """A random forest: node k drains to an earlier node or is an outlet; rows then shuffled.

    Lengths are whole kilometres so that sums along paths are exact.
    """
    n = draw(st.integers(1, 30))
    parent = [draw(st.integers(-1, k - 1)) for k in range(n)]
    names = draw(st.lists(st.text("abcdefghij", min_size=1, max_size=3), min_size=n, max_size=n, unique=True))
    lengths = [float(draw(st.integers(0, 20))) for _ in range(n)]
    rows = draw(st.permutations(range(n)))
    return (
        [names[k] for k in rows],
        [names[parent[k]] if parent[k] >= 0 else None for k in rows],
        [lengths[k] for k in rows],
    )


def walk_down(ids: list[str], down: list[str | None], node: str) -> list[str]:
    """Reference: follow the downstream column from the input lists."""
    step = dict(zip(ids, down, strict=True))
    path = [node]
    while step[path[-1]] is not None:
        path.append(step[path[-1]])
    return path


def reference_strahler(ids: list[str], down: list[str | None]) -> dict[str, int]:
    """Reference: Strahler's definition, applied recursively from the input lists."""
    ups = {node: [u for u, d in zip(ids, down, strict=True) if d == node] for node in ids}

    def order(node: str) -> int:
        orders = sorted((order(u) for u in ups[node]), reverse=True)
        if not orders:
            return 1
        return orders[0] + (len(orders) > 1 and orders[1] == orders[0])

    return {node: order(node) for node in ids}


@settings(max_examples=150, deadline=None)
@given(forests())
def test_routing_order_puts_every_node_after_its_upstream(forest: tuple) -> None:
    ids, down, lengths = forest
    net = RiverNetwork(ids, down, lengths)
    order = net.routing_order()
    assert sorted(order.tolist()) == list(range(len(ids)))
    rank = np.empty(len(ids), dtype=int)
    rank[order] = np.arange(len(ids))
    for node, below in zip(ids, down, strict=True):
        if below is not None:
            assert rank[net.index(node)] < rank[net.index(below)]


@settings(max_examples=150, deadline=None)
@given(forests())
def test_catchments_match_paths_to_outlet(forest: tuple) -> None:
    ids, down, lengths = forest
    net = RiverNetwork(ids, down, lengths)
    drains_to = {node: set() for node in ids}
    for node in ids:
        path = walk_down(ids, down, node)
        assert net.path_to_outlet(node) == path
        for below in path:
            drains_to[below].add(node)
    sizes = net.accumulate(np.ones(len(ids)))
    matrix = net.catchment_matrix().toarray()
    for node in ids:
        i = net.index(node)
        assert set(net.catchment(node)) == drains_to[node]
        assert sizes[i] == len(drains_to[node])
        assert {ids[j] for j in np.flatnonzero(matrix[i])} == drains_to[node]
    assert set(net.outlets) == {node for node, below in zip(ids, down, strict=True) if below is None}
    assert set(net.headwaters) == set(ids) - {below for below in down if below is not None}


@settings(max_examples=150, deadline=None)
@given(forests())
def test_strahler_and_distances_match_their_definitions(forest: tuple) -> None:
    ids, down, lengths = forest
    net = RiverNetwork(ids, down, lengths)
    assert by_id(net, net.strahler()) == reference_strahler(ids, down)
    km = dict(zip(ids, lengths, strict=True))
    for node in ids:
        path = walk_down(ids, down, node)
        assert net.distance_to_outlet_km[net.index(node)] == sum(km[p] for p in path[:-1])
        middle = path[len(path) // 2]
        assert net.distance_km(node, middle) == sum(km[p] for p in path[: len(path) // 2])


@settings(max_examples=100, deadline=None)
@given(forests(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(forest: tuple, random) -> None:
    ids, down, lengths = forest
    rows = list(range(len(ids)))
    random.shuffle(rows)
    net = RiverNetwork(ids, down, lengths)
    other = RiverNetwork([ids[k] for k in rows], [down[k] for k in rows], [lengths[k] for k in rows])
    loads = {node: float(2**k) for k, node in enumerate(ids)}
    ours = by_id(net, net.accumulate(np.array([loads[n] for n in net.ids])))
    theirs = by_id(other, other.accumulate(np.array([loads[n] for n in other.ids])))
    assert ours == theirs
    assert by_id(net, net.strahler()) == by_id(other, other.strahler())
    assert by_id(net, net.distance_to_outlet_km) == by_id(other, other.distance_to_outlet_km)
    assert set(net.outlets) == set(other.outlets) and set(net.headwaters) == set(other.headwaters)
    for node in ids:
        assert net.downstream(node) == other.downstream(node)
        assert set(net.upstream(node)) == set(other.upstream(node))
        assert set(net.catchment(node)) == set(other.catchment(node))


def test_first_marked_below_by_hand() -> None:
    """
    a ─┐
       c ── d (outlet)        marked: c (k=0), e (k=1)
    b ─┘
    e (outlet, alone)
    """
    net = RiverNetwork(["a", "b", "c", "d", "e"], ["c", "c", "d", None, None])
    assert net.first_marked_below(np.array([2, 4])).tolist() == [0, 0, 0, -1, 1]
