"""Allocation over the network: hand-solvable networks with their analytic answers, mass
balance at every node and step, yearly caps, canals, and the checks that refuse bad models.

Units: flows in m3/s, volumes in 1e4 m3; 1 m3/s for a day is 8.64e4 m3 = 8.64 (1e4 m3).
The hand networks use a non-leap year (2001) and demands spread "in proportion to the days"
so that a demand of q m3/s is an annual volume of q x 8.64 x 365.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingliu.model import RiverNetwork
from qingliu.simulate.allocation import (
    AllocationModel,
    Demand,
    Diversion,
    EcoFlow,
    Reservoir,
    Source,
    allocate,
    load_rules,
)
from qingliu.simulate.network_lp import AllocationError

DAY = 8.64  # 1 m3/s for one day in 1e4 m3
YEAR = pd.date_range("2001-01-01", "2001-12-31")
UNIFORM = replace(load_rules(), monthly_share={s: None for s in ("domestic", "industry", "agriculture", "ecological")})


def annual(q_m3s: float) -> float:
    """Annual volume (1e4 m3) of a steady q m3/s in 2001."""
    return q_m3s * DAY * 365


def flows(days: pd.DatetimeIndex, **by_node: object) -> pd.DataFrame:
    return pd.DataFrame(
        {k: np.broadcast_to(np.asarray(v, float), (len(days),)) for k, v in by_node.items()}, index=days
    )


def surface(demand_id: str, sector: str, q: float, intake: str, **kw: object) -> Demand:
    """A surface-water demand without losses or returns unless given."""
    kw = {"loss": 0.0, "return_fraction": 0.0, **kw}
    return Demand(demand_id, "c1", sector, annual(q), intake=intake, origins=("surface",), **kw)


def model(net: RiverNetwork, demands: tuple[Demand, ...], **parts: object) -> AllocationModel:
    return AllocationModel(net, demands, rules=UNIFORM, **parts)


# --- one source, two demands with priorities ------------------------------------------------


@pytest.mark.parametrize("step", ["day", "month"])
def test_one_source_two_demands_priority_served_first(step: str) -> None:
    """::

        inflow 10 m3/s
            |
            A  --->  B (outlet)
            |
            +-- d1 domestic     6 m3/s  (priority 1)
            +-- d2 agriculture  8 m3/s  (priority 4)

    Analytic: d1 gets 6, d2 the remaining 4 every step; nothing leaves A.
    """
    net = RiverNetwork(["A", "B"], ["B", None])
    m = model(net, (surface("d1", "domestic", 6, "A"), surface("d2", "agriculture", 8, "A")))
    r = allocate(m, flows(YEAR, A=10.0), step=step)
    summary = r.demand_summary().set_index("demand_id")
    assert summary.loc["d1", "supply"] == pytest.approx(annual(6))
    assert summary.loc["d2", "supply"] == pytest.approx(annual(4))
    assert summary.loc["d2", "shortage"] == pytest.approx(annual(4))
    assert summary.loc["d1", "reliability_steps"] == 1.0
    assert summary.loc["d2", "reliability_steps"] == 0.0
    np.testing.assert_allclose(r.river_flow[net.index("A")], 0.0, atol=1e-9)


def test_priorities_swapped_by_explicit_priority() -> None:
    """The same network with d2 given priority 0: d2 takes its 8, d1 gets 2."""
    net = RiverNetwork(["A", "B"], ["B", None])
    m = model(net, (surface("d1", "domestic", 6, "A"), surface("d2", "agriculture", 8, "A", priority=0)))
    r = allocate(m, flows(YEAR[:31], A=10.0), step="day")
    np.testing.assert_allclose(r.supply / DAY, [[2.0] * 31, [8.0] * 31])


def test_plenty_of_water_everyone_served_and_rest_flows_on() -> None:
    """Inflow 20 against demands 6 + 8: both met, 6 m3/s leaves A and reaches the outlet."""
    net = RiverNetwork(["A", "B"], ["B", None])
    m = model(net, (surface("d1", "domestic", 6, "A"), surface("d2", "agriculture", 8, "A")))
    r = allocate(m, flows(YEAR[:31], A=20.0), step="day")
    np.testing.assert_allclose(r.shortage, 0.0, atol=1e-9)
    np.testing.assert_allclose(r.river_flow[net.index("B")], 6.0)


# --- a reservoir filling and emptying -------------------------------------------------------


def reservoir_case(dead: float, initial: float) -> tuple[RiverNetwork, AllocationModel]:
    """::

    inflow 20, 0, 0, 0 m3/s (4 days)
        |
        R (reservoir at A: capacity 10 m3/s-days = 86.4)
        |
        B  <-- d domestic 5 m3/s
        |
        C (outlet)
    """
    net = RiverNetwork(["A", "B", "C"], ["B", "C", None])
    res = Reservoir("R", "A", capacity=10 * DAY, dead=dead * DAY, initial=initial * DAY)
    return net, model(net, (surface("d", "domestic", 5, "B"),), reservoirs=(res,))


def test_reservoir_fills_spills_and_empties() -> None:
    """Day 1: 20 in, 10 stored (full), 10 released of which 5 supplied and 5 pass B.
    Days 2-3: 5 released each day for d. Day 4: empty, d short of 5."""
    net, m = reservoir_case(dead=0.0, initial=0.0)
    r = allocate(m, flows(YEAR[:4], A=[20.0, 0.0, 0.0, 0.0]), step="day")
    np.testing.assert_allclose(r.storage[0] / DAY, [10, 5, 0, 0], atol=1e-9)
    np.testing.assert_allclose(r.supply[0] / DAY, [5, 5, 5, 0], atol=1e-9)
    np.testing.assert_allclose(r.river_flow[net.index("A")], [10, 5, 5, 0], atol=1e-9)
    np.testing.assert_allclose(r.river_flow[net.index("B")], [5, 0, 0, 0], atol=1e-9)
    summary = r.reservoir_summary().iloc[0]
    assert summary["at_dead_share"] == 0.5  # days 3 and 4 end empty (dead storage 0)


def test_reservoir_keeps_its_dead_storage() -> None:
    """Dead storage 2 (m3/s-days), starting at it: 8 usable. Day 1 fills to 10, day 2 releases
    5, day 3 only 3 (down to dead storage), day 4 nothing: supply 5, 5, 3, 0."""
    _, m = reservoir_case(dead=2.0, initial=2.0)
    r = allocate(m, flows(YEAR[:4], A=[20.0, 0.0, 0.0, 0.0]), step="day")
    np.testing.assert_allclose(r.storage[0] / DAY, [10, 5, 2, 2], atol=1e-9)
    np.testing.assert_allclose(r.supply[0] / DAY, [5, 5, 3, 0], atol=1e-9)


def test_rule_curve_holds_water_from_agriculture_not_from_domestic() -> None:
    """Full reservoir (10), no inflow, rule curve at 6: agriculture (below the curve's
    priority) may take only the 4 above the curve; domestic takes down to dead storage."""
    net = RiverNetwork(["A", "B", "C"], ["B", "C", None])
    res = Reservoir("R", "A", capacity=10 * DAY, dead=0.0, initial=10 * DAY, rule=(6 * DAY,) * 12)
    days = YEAR[:1]
    ag = allocate(model(net, (surface("d", "agriculture", 9, "B"),), reservoirs=(res,)), flows(days, A=0.0), step="day")
    dom = allocate(model(net, (surface("d", "domestic", 9, "B"),), reservoirs=(res,)), flows(days, A=0.0), step="day")
    assert ag.supply[0, 0] / DAY == pytest.approx(4.0)
    assert dom.supply[0, 0] / DAY == pytest.approx(9.0)


def test_flood_limit_curve_caps_storage() -> None:
    """Upper curve 6 in January: inflow 10 for a day into an empty reservoir keeps 6, passes 4."""
    net = RiverNetwork(["A", "B"], ["B", None])
    res = Reservoir("R", "A", capacity=10 * DAY, dead=0.0, initial=0.0, upper=(6 * DAY,) * 12)
    r = allocate(model(net, (), reservoirs=(res,)), flows(YEAR[:1], A=10.0), step="day")
    assert r.storage[0, 0] / DAY == pytest.approx(6.0)
    assert r.river_flow[net.index("A"), 0] == pytest.approx(4.0)


# --- eco-flow binding ------------------------------------------------------------------------


def eco_case(sector: str, eco: float, **kw: object) -> tuple[RiverNetwork, AllocationModel]:
    """::

    inflow 10 m3/s
        |
        A  <-- d (sector) 8 m3/s
        |
        B  control section, eco-flow `eco` m3/s
        |
        C (outlet)
    """
    net = RiverNetwork(["A", "B", "C"], ["B", "C", None])
    return net, model(net, (surface("d", sector, 8, "A", **kw),), ecoflows=(EcoFlow("B", eco),))


def test_ecoflow_binds_before_agriculture() -> None:
    """Eco-flow ranks above agriculture: d gets 10 - 4 = 6 and exactly 4 passes B."""
    _, m = eco_case("agriculture", 4.0)
    r = allocate(m, flows(YEAR[:31], A=10.0), step="day")
    np.testing.assert_allclose(r.supply[0] / DAY, 6.0)
    np.testing.assert_allclose(r.eco_flow[0], 4.0)
    assert r.eco_summary()["met_share"].iloc[0] == 1.0


def test_ecoflow_binds_before_industry_but_not_domestic() -> None:
    """Industry gets 6 like agriculture; domestic ranks above eco-flow: it takes 8, 2 passes B
    and the eco-flow is short by 2 every day."""
    _, ind = eco_case("industry", 4.0)
    _, dom = eco_case("domestic", 4.0)
    days = flows(YEAR[:31], A=10.0)
    np.testing.assert_allclose(allocate(ind, days, step="day").supply[0] / DAY, 6.0)
    r = allocate(dom, days, step="day")
    np.testing.assert_allclose(r.supply[0] / DAY, 8.0)
    np.testing.assert_allclose(r.eco_flow[0], 2.0)
    eco = r.eco_summary().iloc[0]
    assert eco["met_share"] == 0.0
    assert eco["deficit"] == pytest.approx(2 * DAY * 31)


def test_return_flow_and_conveyance_loss_at_the_eco_boundary() -> None:
    """Agriculture with loss 0.2 and return 0.5 of the delivered water to B, eco-flow 4:
    delivering 8 takes w = 10 and returns 4, so B carries 10 - 10 + 4 = 4: met exactly.
    With eco-flow 5: 10 - 0.6 w >= 5 gives w = 25/3, delivered 0.8 w = 20/3."""
    net = RiverNetwork(["A", "B", "C"], ["B", "C", None])
    d = surface("d", "agriculture", 8, "A", loss=0.2, return_fraction=0.5, return_node="B")
    days = flows(YEAR[:31], A=10.0)
    r4 = allocate(model(net, (d,), ecoflows=(EcoFlow("B", 4.0),)), days, step="day")
    np.testing.assert_allclose(r4.supply[0] / DAY, 8.0)
    np.testing.assert_allclose(r4.withdrawal_by_origin[0, 0] / DAY, 10.0)
    np.testing.assert_allclose(r4.river_flow[net.index("B")], 4.0, atol=1e-9)
    r5 = allocate(model(net, (d,), ecoflows=(EcoFlow("B", 5.0),)), days, step="day")
    np.testing.assert_allclose(r5.supply[0] / DAY, 20 / 3)
    np.testing.assert_allclose(r5.eco_flow[0], 5.0)


def test_monthly_ecoflow_values_follow_the_calendar() -> None:
    """Twelve monthly targets: January 4 leaves agriculture 6, February 1 leaves it 8."""
    net = RiverNetwork(["A", "B", "C"], ["B", "C", None])
    eco = EcoFlow("B", (4.0, 1.0, *([0.0] * 10)))
    r = allocate(
        model(net, (surface("d", "agriculture", 8, "A"),), ecoflows=(eco,)), flows(YEAR[:59], A=10.0), step="month"
    )
    np.testing.assert_allclose(r.supply[0] / (DAY * r.days), [6.0, 8.0])


# --- sources, caps, canals -------------------------------------------------------------------


def test_groundwater_yearly_cap_is_shared_over_months_at_a_daily_step() -> None:
    """Groundwater capped at 365 units a year against a demand of 10 a day: 365 in the year,
    spread by days (January 31), as pywr's AnnualLicense; with yearly blocks the cap holds
    exactly as well."""
    net = RiverNetwork(["A"], [None])
    d = Demand("d", "c1", "industry", 10 * 365, origins=("ground",), loss=0.0, return_fraction=0.0)
    gw = Source("g", "ground", ("c1",), annual=365.0)
    m = model(net, (d,), sources=(gw,))
    for block in ("month", "year"):
        r = allocate(m, flows(YEAR, A=0.0), step="day", block=block)
        assert r.supply.sum() == pytest.approx(365.0)
    r = allocate(m, flows(YEAR, A=0.0), step="day", block="month")
    assert r.supply[0, :31].sum() == pytest.approx(31.0)


def test_partial_year_gets_its_share_of_the_cap() -> None:
    """Simulating only January: the yearly cap of 365 counts 31 days' worth."""
    net = RiverNetwork(["A"], [None])
    d = Demand("d", "c1", "industry", 100 * 365, origins=("ground",), loss=0.0, return_fraction=0.0)
    m = model(net, (d,), sources=(Source("g", "ground", ("c1",), annual=365.0),))
    assert allocate(m, flows(YEAR[:31], A=0.0), step="month").supply.sum() == pytest.approx(31.0)


def test_transfer_capacity_limits_supply() -> None:
    """A transfer of at most 2 m3/s serving a demand of 3 m3/s: 2 delivered."""
    net = RiverNetwork(["A"], [None])
    d = Demand("d", "c1", "industry", annual(3), origins=("transfer",), loss=0.0, return_fraction=0.0)
    m = model(net, (d,), sources=(Source("t", "transfer", ("c1",), capacity_m3s=2.0),))
    r = allocate(m, flows(YEAR[:10], A=0.0), step="day")
    np.testing.assert_allclose(r.supply[0] / DAY, 2.0)


def test_transfer_into_the_river_is_taken_downstream() -> None:
    """A transfer released at A (2 m3/s, loss 0.5 on the way) reaches d at B: 1 m3/s."""
    net = RiverNetwork(["A", "B"], ["B", None])
    m = model(
        net,
        (surface("d", "industry", 3, "B"),),
        sources=(Source("t", "transfer", node_id="A", capacity_m3s=2.0, loss=0.5),),
    )
    r = allocate(m, flows(YEAR[:10], A=0.0), step="day")
    np.testing.assert_allclose(r.supply[0] / DAY, 1.0)


def test_canal_between_rivers_limited_by_capacity() -> None:
    """::

        river 1:  A1 (inflow 10) --> B1 (outlet)
                   \\ canal, 3 m3/s
        river 2:   A2 (no inflow) --> B2 (outlet), d industry 4 at A2

    d gets the canal's 3; 7 stays in river 1.
    """
    net = RiverNetwork(["A1", "B1", "A2", "B2"], ["B1", None, "B2", None])
    m = model(net, (surface("d", "industry", 4, "A2"),), diversions=(Diversion("c", "A1", "A2", 3.0),))
    r = allocate(m, flows(YEAR[:10], A1=10.0), step="day")
    np.testing.assert_allclose(r.supply[0] / DAY, 3.0)
    np.testing.assert_allclose(r.river_flow[net.index("A1")], 7.0)


# --- mass balance ----------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=7),
    st.lists(st.floats(min_value=0.0, max_value=20.0), min_size=8, max_size=8),
    st.lists(st.floats(min_value=0.0, max_value=10.0), min_size=4, max_size=4),
    st.sampled_from(["day", "month"]),
)
def test_mass_balance_closes_on_random_trees(
    parents: list[int], inflow: list[float], need: list[float], step: str
) -> None:
    """Random trees (node i+1 drains to an earlier node), random inflows and four demands with
    losses and returns: every LP node balances at every step, the flows rebuilt at the LP's
    river nodes equal the LP's, no river flow is negative, and no demand gets more than it
    asks. A lower-priority demand at an intake gets water only when the higher-priority
    demand there is met (no losses or returns at that intake)."""
    n = len(parents) + 1
    ids = [f"N{i}" for i in range(n)]
    down = [None] + [ids[min(p, i)] for i, p in enumerate(parents)]  # node i+1 -> an earlier node
    net = RiverNetwork(ids, down)
    leaf, root = ids[-1], ids[0]
    mid = ids[len(ids) // 2]
    demands = (
        surface("hi", "domestic", need[0], leaf),
        surface("lo", "agriculture", need[1], leaf),
        surface("r1", "industry", need[2], mid, loss=0.1, return_fraction=0.5, return_node=net.downstream(mid)),
        surface("r2", "agriculture", need[3], root, loss=0.3),
    )
    m = model(net, demands, ecoflows=(EcoFlow(root, 1.0),))
    days = YEAR[:40]
    by_node = {ids[i % n]: 0.0 for i in range(n)}
    for i, q in enumerate(inflow):
        by_node[ids[i % n]] += q
    r = allocate(m, flows(days, **by_node), step=step)
    assert np.abs(r.lp_balance).max() < 1e-6
    assert r.river_flow.min() > -1e-6
    assert np.all(r.supply <= r.demand + 1e-6)
    active = [net.index(x) for x in r.lp_nodes]
    np.testing.assert_allclose(r.river_flow[active], r.lp_river_flow, atol=1e-6)
    lo_served = r.supply[1] > 1e-6
    assert np.all(r.shortage[0][lo_served] < 1e-6)


# --- refused models --------------------------------------------------------------------------


def test_unknown_node_negative_capacity_and_cycle_are_refused() -> None:
    net = RiverNetwork(["A", "B", "C"], ["B", "C", None])
    with pytest.raises(AllocationError, match="unknown node 'Z'"):
        model(net, (surface("d", "industry", 1, "Z"),))
    with pytest.raises(AllocationError, match="negative capacity"):
        model(net, (), reservoirs=(Reservoir("R", "A", capacity=-1.0, dead=0.0),))
    with pytest.raises(AllocationError, match="dead storage above capacity"):
        model(net, (), reservoirs=(Reservoir("R", "A", capacity=1.0, dead=2.0),))
    with pytest.raises(AllocationError, match="cycle"):  # a canal back upstream
        model(net, (), diversions=(Diversion("c", "C", "A", 1.0),))
    with pytest.raises(AllocationError, match="cycle"):  # return flow above its own intake
        model(net, (surface("d", "industry", 1, "B", return_node="A", return_fraction=0.5),))
    two_rivers = RiverNetwork(["A1", "B1", "A2", "B2"], ["B1", None, "B2", None])
    with pytest.raises(AllocationError, match="canals and return flows close a cycle through: A1, B1, A2, B2"):
        model(two_rivers, (), diversions=(Diversion("c1", "B1", "A2", 1.0), Diversion("c2", "B2", "A1", 1.0)))
    with pytest.raises(AllocationError, match="unknown sector"):
        model(net, (Demand("d", "c1", "mining", 1.0, intake="A"),))


def test_bad_run_options_are_refused() -> None:
    net = RiverNetwork(["A"], [None])
    m = model(net, (surface("d", "industry", 1, "A"),))
    with pytest.raises(AllocationError, match="step must be month or day"):
        allocate(m, flows(YEAR[:3], A=1.0), step="week")
    with pytest.raises(AllocationError, match="unknown nodes: X"):
        allocate(m, flows(YEAR[:3], A=1.0, X=1.0))
    gap = flows(YEAR[:3], A=1.0).drop(YEAR[1])
    with pytest.raises(AllocationError, match="without gaps"):
        allocate(m, gap)
