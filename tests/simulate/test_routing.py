"""Steady 1-D routing against analytic solutions, hand-mixed streams and mass balance.

Analytic reach solution (GB/T 25173-2010, standards.md §6): C_x = C_0·exp(-K·x/(86.4·u)) with
K in 1/d, x in km, u in m/s. Loads in t/a become g/s by dividing by 31.536.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingliu.assess.env_capacity import capacity_segment, zone_capacity
from qingliu.assess.frequency import p3_moments, p3_quantile
from qingliu.model import RiverNetwork
from qingliu.simulate.routing import RoutingModel, design_flows, natural_inflows
from qingliu.simulate.routing_studies import calibrate_decay, monte_carlo, transfer_matrix, zone_terms

GS = 31.536  # t/a per g/s


def _chain(lengths: list[float]) -> RiverNetwork:
    ids = [f"n{i}" for i in range(len(lengths) + 1)]
    return RiverNetwork(ids, [*ids[1:], None], [*lengths, None])


# --- analytic reach ------------------------------------------------------------------------------


def test_single_reach_against_the_analytic_solution():
    # A --10 km, 0.5 m/s--> B, Q = 5 m3/s, C_0 = 10 mg/L (50 g/s = 1576.8 t/a), K = 0.2 /d:
    # C_B = 10·exp(-0.2·10/(86.4·0.5)) = 10 × 0.9547590 = 9.547590 mg/L.
    model = RoutingModel(_chain([10.0]))
    h = model.hydraulics([5.0, 0.0], velocity=0.5)
    assert h.travel_days[0] == pytest.approx(10_000 / 0.5 / 86_400)
    conc = model.route(h, [50 * GS, 0.0], 0.2)
    assert conc == pytest.approx([10.0, 9.547590287126507], rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.1, 50.0), min_size=1, max_size=12),
    st.floats(0.0, 2.0),
    st.floats(0.05, 2.0),
    st.floats(0.01, 100.0),
    st.floats(0.0, 5.0),
)
def test_chain_of_reaches_decays_like_one_reach_of_the_total_length(lengths, k, u, q, c0):
    model = RoutingModel(_chain(lengths))
    h = model.hydraulics(np.r_[q, np.zeros(len(lengths))], velocity=u)
    loads = np.zeros(len(lengths) + 1)
    loads[0] = c0 * q * GS
    conc = model.route(h, loads, k)
    x = np.concatenate([[0.0], np.cumsum(lengths)])
    np.testing.assert_allclose(conc, c0 * np.exp(-k * x / (86.4 * u)), rtol=1e-10, atol=1e-300)


# --- mixing, withdrawals, mass balance ------------------------------------------------------


def test_mixing_of_two_streams():
    #  a (Q 2, C 10) \
    #                 c  -> o       C_c = (2·10 + 3·20)/(2 + 3) = 16 mg/L (no decay: K = 0)
    #  b (Q 3, C 20) /              with an outfall at c adding 0.5 m3/s at 40 mg/L (20 g/s):
    #                               C_c = (20 + 60 + 20)/5.5 = 18.1818 mg/L
    network = RiverNetwork(["a", "b", "c", "o"], ["c", "c", "o", None], [1.0, 1.0, 1.0, None])
    model = RoutingModel(network)
    h = model.hydraulics([2.0, 3.0, 0.0, 0.0], velocity=0.3)
    conc = model.route(h, np.array([20.0, 60.0, 0.0, 0.0]) * GS, 0.0)
    assert conc[2] == pytest.approx(16.0)
    h2 = model.hydraulics([2.0, 3.0, 0.0, 0.0], effluent=[0, 0, 0.5, 0], velocity=0.3)
    conc2 = model.route(h2, np.array([20.0, 60.0, 20.0, 0.0]) * GS, 0.0)
    assert conc2[2] == pytest.approx(100 / 5.5)
    assert conc2[3] == pytest.approx(100 / 5.5)
    assert h2.q_in[3] == pytest.approx(5.5)


def test_withdrawal_keeps_the_concentration_and_removes_mass():
    # 4 m3/s at 10 mg/L, 3 m3/s taken at the intake n1: 1 m3/s leaves at 10 mg/L; a request above
    # the flow takes all of it.
    model = RoutingModel(_chain([2.0, 2.0]))
    h = model.hydraulics([4.0, 0.0, 0.0], withdrawal=[0.0, 3.0, 0.0], velocity=1.0)
    assert h.q_out.tolist() == [4.0, 1.0, 1.0]
    assert h.withdrawn.tolist() == [0.0, 3.0, 0.0]
    assert model.route(h, [40 * GS, 0, 0], 0.0) == pytest.approx([10.0, 10.0, 10.0])
    dry = model.hydraulics([4.0, 0.0, 0.0], withdrawal=[0.0, 9.0, 0.0], velocity=1.0)
    assert dry.q_out[1] == 0.0 and dry.withdrawn[1] == 4.0
    assert np.isnan(model.route(dry, [40 * GS, 0, 0], 0.0)[2])


@st.composite
def forests(draw):
    n = draw(st.integers(2, 30))
    down = [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, n)]
    return n, down


@settings(max_examples=40, deadline=None)
@given(forests(), st.data())
def test_mass_is_conserved_without_decay(forest, data):
    n, down = forest
    ids = [f"n{i}" for i in range(n)]
    network = RiverNetwork(ids, [None if d is None else ids[d] for d in down], [1.0] * n)
    floats = st.floats(0.0, 50.0)
    inflow = np.array(data.draw(st.lists(st.floats(0.01, 20.0), min_size=n, max_size=n)))
    loads = np.array(data.draw(st.lists(floats, min_size=n, max_size=n)))
    taken = np.array(data.draw(st.lists(st.floats(0.0, 5.0), min_size=n, max_size=n)))
    background = data.draw(st.floats(0.0, 3.0))
    model = RoutingModel(network)
    h = model.hydraulics(inflow, withdrawal=taken, geometry=(0.3, 0.1))
    conc = model.route(h, loads, 0.0, background)
    entering = loads.sum() / GS + (inflow * background).sum()  # g/s
    outlets = network.down < 0
    leaving = (conc[outlets] * h.q_out[outlets]).sum() + np.nansum(conc * h.withdrawn)
    assert leaving == pytest.approx(entering, rel=1e-9, abs=1e-9)


def test_velocity_from_hydraulic_geometry_and_dry_reaches():
    # u = 0.3·Q^0.1: Q = 1 → 0.3 m/s; Q = 32 → 0.3 × 2^0.5; a dry reach has no velocity.
    model = RoutingModel(_chain([1.0, 1.0, 1.0]))
    h = model.hydraulics([1.0, 31.0, 0.0, 0.0], withdrawal=[0, 0, 40.0, 0], geometry=(0.3, 0.1))
    assert h.velocity[:3] == pytest.approx([0.3, 0.3 * math.sqrt(2), 0.0])
    assert h.travel_days[2] == 0.0 and h.velocity[3] == 0.0


def test_fixed_concentration_is_what_leaves_the_node():
    model = RoutingModel(_chain([1.0, 1.0]))
    h = model.hydraulics([2.0, 0.0, 0.0], velocity=1.0)
    fixed = np.array([np.nan, 3.0, np.nan])
    conc = model.route(h, [20 * GS, 0, 0], 0.0, fixed_mgl=fixed)
    assert conc.tolist() == pytest.approx([10.0, 10.0, 3.0])


def test_batches_route_like_single_runs():
    network = RiverNetwork(["a", "b", "c", "o"], ["c", "c", "o", None], [3.0, 4.0, 5.0, None])
    model = RoutingModel(network)
    h = model.hydraulics([1.0, 2.0, 0.5, 0.0], velocity=0.4)
    rng = np.random.default_rng(7)
    loads = rng.uniform(0, 100, (2, 3, 4))
    k = rng.uniform(0, 1, (2, 3))
    batch = model.route(h, loads, k, 1.5)
    for i in range(2):
        for j in range(3):
            assert batch[i, j] == pytest.approx(model.route(h, loads[i, j], k[i, j], 1.5))
    per_reach = model.route(h, loads[0], k[0][:, None] * np.ones(4), 1.5)  # same K on every reach
    assert per_reach == pytest.approx(batch[0])


def test_missing_reach_length_is_refused():
    with pytest.raises(ValueError, match="length_km"):
        RoutingModel(RiverNetwork(["a", "o"], ["o", None]))


# --- flows from gauges --------------------------------------------------------------------------


def test_natural_inflows_reproduce_nested_gauges():
    #   h1 -10-> g1 -10-> c -10-> g2 -5-> b -4-> o     gauges g1 = 2 m3/s, g2 = 8 m3/s, an
    #            h2 -20-/                              outfall of 1 m3/s at h2 (not natural).
    # Each node takes the runoff of the reach below it, so drainage(g1) = 10 + 10 = 20 km and
    # drainage(g2) = 20 + 20 + 10 + 5 = 55 km. Yield above g1: 2/20 = 0.1 m3/s per km; between
    # the gauges: (8 - 1 - 2)/(55 - 20) = 1/7; below g2 (no gauge downstream): the tree's
    # pooled natural yield 7/55.
    network = RiverNetwork(["h1", "g1", "h2", "c", "g2", "b", "o"], ["g1", "c", "c", "g2", "b", "o", None],
                           [10, 10, 20, 10, 5, 4, None])
    effluent = np.array([0, 0, 1.0, 0, 0, 0, 0])
    inflow = natural_inflows(network, [1, 4], [2.0, 8.0], effluent)
    assert inflow == pytest.approx([1.0, 1.0, 20 / 7, 10 / 7, 5 / 7, 4 * 7 / 55, 0.0])
    h = RoutingModel(network).hydraulics(inflow, effluent, velocity=0.5)
    assert h.q_in[[1, 4]] == pytest.approx([2.0, 8.0])


def _daily(values_by_month: dict[str, float]) -> pd.DataFrame:
    rows = []
    for month, q in values_by_month.items():
        days = pd.date_range(month, periods=pd.Period(month).days_in_month, freq="D")
        rows.append(pd.DataFrame({"station_id": "H", "date": days, "q": q}))
    return pd.concat(rows, ignore_index=True)


def test_design_flows_recent_driest_and_observed():
    # Twelve years of monthly flows; the driest month of year y is 1 + y/10 m3/s in March.
    months = {}
    for y in range(2010, 2022):
        for m in range(1, 13):
            months[f"{y}-{m:02d}"] = 10.0 + m if m != 3 else 1.0 + (y - 2010) / 10
    daily = _daily(months)
    # last 10 years: 2012-2021, driest = March 2012 = 1.2
    assert design_flows(daily, "recent_driest")["H"] == pytest.approx(1.2)
    assert design_flows(daily, "recent_driest", recent_years=3)["H"] == pytest.approx(1.9)
    assert design_flows(daily, "observed", period="2015-05")["H"] == pytest.approx(15.0)
    # 2015 mean of the daily flows: (11·31 + 12·28 + 1.5·31 + 14·30 + 15·31 + 16·30 + 17·31
    # + 18·31 + 19·30 + 20·31 + 21·30 + 22·31)/365 = 5675.5/365
    assert design_flows(daily, "observed", period="2015")["H"] == pytest.approx(5675.5 / 365)


def test_design_flow_at_the_guarantee_rate_is_the_p3_quantile_of_annual_driest_months():
    minima = np.array([0.8, 1.1, 0.6, 1.5, 0.9, 1.3, 0.7, 2.0, 1.0, 0.95])
    months = {}
    for y, low in zip(range(2000, 2010), minima, strict=True):
        for m in range(1, 13):
            months[f"{y}-{m:02d}"] = low if m == 2 else 5.0
    mean, cv, cs = p3_moments(minima)
    expected = p3_quantile(mean, cv, cs, 0.9)
    assert design_flows(_daily(months), "guarantee")["H"] == pytest.approx(expected)
    assert design_flows(_daily(months), "guarantee", guarantee=0.5)["H"] == pytest.approx(p3_quantile(mean, cv, cs, 0.5))


def test_unknown_design_method_is_refused():
    with pytest.raises(ValueError, match="design-flow method"):
        design_flows(_daily({"2020-01": 1.0}), "p99")


# --- studies ---------------------------------------------------------------------------------


def _reach_setup():
    model = RoutingModel(_chain([10.0, 15.0, 20.0]))
    h = model.hydraulics([5.0, 0.0, 0.0, 0.0], velocity=0.5)
    loads = np.array([50 * GS, 0.0, 0.0, 0.0])  # C_0 = 10 mg/L
    return model, h, loads


def test_calibration_recovers_k_from_analytic_observations():
    model, h, loads = _reach_setup()
    x = np.array([10.0, 25.0, 45.0])
    observed = 10 * np.exp(-0.31 * x / (86.4 * 0.5))  # analytic, K = 0.31 /d
    fit = calibrate_decay(model, h, loads, np.array([1, 2, 3]), observed, bounds=(0.01, 1.0))
    assert fit.k_per_day == pytest.approx(0.31, rel=1e-6)
    assert fit.rmse == pytest.approx(0.0, abs=1e-7) and fit.nse == pytest.approx(1.0)
    assert not fit.at_bound and fit.success and fit.n == 3
    capped = calibrate_decay(model, h, loads, np.array([1, 2, 3]), observed, bounds=(0.01, 0.2))
    assert capped.k_per_day == pytest.approx(0.2) and capped.at_bound


def test_monte_carlo_runs_match_the_analytic_solution_of_their_samples():
    model, h, loads = _reach_setup()
    mc = monte_carlo(model, h, loads[None, None, :], np.array([[0.5, 1.5]]), np.array([[0.1, 0.4]]), 2000, seed=1)
    assert mc.concentration.shape == (1, 2000, 4)
    c_end = 10 * mc.factors[:, 0] * np.exp(-mc.k_per_day[0] * 45 / (86.4 * 0.5))
    np.testing.assert_allclose(mc.concentration[0, :, 3], c_end, rtol=1e-12)
    # Latin hypercube: one sample per stratum, so the sample mean of the factor is 1 ± 1/2000.
    assert mc.factors.mean() == pytest.approx(1.0, abs=5e-4)
    assert ((mc.k_per_day >= 0.1) & (mc.k_per_day <= 0.4)).all()


def test_monte_carlo_membership_multiplies_coefficients():
    model, h, loads = _reach_setup()
    both = np.ones((2, 1), dtype=bool)
    mc = monte_carlo(model, h, loads[None, None, :], np.array([[0.5, 1.5], [2.0, 3.0]]), np.array([[0.0, 0.0]]),
                     50, membership=both, seed=3)
    np.testing.assert_allclose(mc.concentration[0, :, 0], 10 * mc.factors.prod(axis=1), rtol=1e-12)


def test_zone_capacity_on_one_reach_equals_the_segment_form():
    # Zone of the section at the end of a 10 km reach, load at its head; upstream water enters
    # at C_0 = 10 mg/L with Q_0 = 5 m3/s, effluent q = 0.5 m3/s: W = 2056.536 t/a (hand, see
    # tests/assess/test_env_capacity.py).
    network = RiverNetwork(["up", "head", "s", "o"], ["head", "s", "o", None], [0.0, 10.0, 1.0, None])
    model = RoutingModel(network)
    h = model.hydraulics([5.0, 0.0, 0.0, 0.0], effluent=[0, 0.5, 0, 0], velocity=0.5)
    sections = np.array([0, 2])  # "up" is a section holding its target of 10 mg/L
    loads = np.array([[0.0, 1000.0, 0.0, 0.0]])
    terms = zone_terms(model, h, loads, np.array([0.2]), sections, np.array([[10.0], [20.0]]))
    table = zone_capacity(["up", "s"], ["cod"], np.array([[10.0], [20.0]]), terms.q, terms.upstream_gs,
                          terms.retention, terms.zone_load_ta)
    assert table.loc[1, "capacity_ta"] == pytest.approx(capacity_segment(20.0, 10.0, 0.2, 10.0, 0.5, 5.0, 0.5))
    assert table.loc[1, "capacity_ta"] == pytest.approx(2056.536, abs=1e-3)
    assert terms.zone_load_ta[1, 0] == 1000.0


def test_transfer_matrix_is_the_linear_response():
    network = RiverNetwork(["a", "b", "c", "o"], ["c", "c", "o", None], [3.0, 4.0, 5.0, None])
    model = RoutingModel(network)
    h = model.hydraulics([1.0, 2.0, 0.5, 0.0], velocity=0.4)
    shares = np.array([[1, 0, 0, 0], [0, 0.5, 0.5, 0], [0, 0, 0, 1.0]])
    source_loads = np.array([[30.0, 3.0], [60.0, 6.0], [10.0, 1.0]])
    k = np.array([0.3, 0.1])
    t = transfer_matrix(model, h, shares, k, np.array([2, 3]))
    direct = model.route(h, (shares.T @ source_loads).T, k[:, None] * np.ones((1, 4)))[:, [2, 3]]
    assert t.shape == (2, 2, 3)
    np.testing.assert_allclose(np.einsum("isg,gi->is", t, source_loads), direct, rtol=1e-12)


# --- the bundled Jinzhong example ----------------------------------------------------------------


@pytest.fixture(scope="module")
def jinzhong():
    from qingliu import data, io
    from qingliu.services import pollution_tools as pt

    files = dict(data.example_files("jinzhong"))
    frames = {table: io.read_table(files[kind], table, required=()) for kind, table in
              (("network", "node"), ("stations", "station"), ("flows", "flow_daily"), ("sources", "source"),
               ("counties", "county"))}
    return pt, frames


def test_jinzhong_model_reproduces_the_design_flows_and_conserves_mass(jinzhong):
    pt, f = jinzhong
    pm = pt.build_model(f["node"], f["station"], f["flow_daily"], f["source"], f["county"], design_flow="recent_driest")
    table = pt.station_table(pm, f["station"])
    # Gauged flows are reproduced where they exceed the effluent upstream, which in the example
    # they do at every station (its driest months carry more than the plants discharge).
    consistent = table["consistent"].to_numpy()
    assert consistent.all()
    assert table["q_model"].to_numpy() == pytest.approx(table["q_design"].to_numpy())
    # rain-driven kinds carry no load at a design low flow
    rain_driven = ["cropland", "livestock", "rural_domestic", "urban_runoff"]
    assert not pm.loads.loc[pm.loads["kind"].isin(rain_driven), "in_condition"].any()
    conc = pm.model.route(pm.hydraulics, pm.node_loads, 0.0)
    outlets = pm.network.down < 0
    leaving = (conc[:, outlets] * pm.hydraulics.q_out[outlets]).sum(axis=1)
    wet = pm.hydraulics.q_in > 0  # a load entering a dry node stays there
    assert leaving == pytest.approx(pm.node_loads[:, wet].sum(axis=1) / GS, rel=1e-9)
