"""Least-cut reduction plans on linear programmes solved by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qingliu.model import RiverNetwork
from qingliu.plan.reduction import least_cut, split_cuts
from qingliu.simulate.routing import RoutingModel
from qingliu.simulate.routing_studies import transfer_matrix

# One section, two sources: 0.01 and 0.02 mg/L per t/a, present 5 mg/L, target 3 mg/L, so the
# cuts must lower the section by 2 mg/L: 0.01·r1 + 0.02·r2 >= 2.
T = np.array([[0.01, 0.02]])


def test_least_total_cut_uses_the_most_effective_source_first():
    # Per tonne, source 2 lowers the section twice as much: r2 = 60 (all of it) gives 1.2 mg/L,
    # the remaining 0.8 mg/L needs r1 = 80 t/a. Total 140 t/a.
    plan = least_cut(T, [5.0], [3.0], [200.0, 60.0])
    assert plan.cut_ta == pytest.approx([80.0, 60.0])
    assert plan.total_ta == pytest.approx(140.0)
    assert plan.after_mgl == pytest.approx([3.0])
    assert plan.feasible and plan.shortfall_mgl.tolist() == [0.0]


def test_costs_per_tonne_change_the_plan():
    # Cost 1 and 3 per t/a: effect per unit cost 0.01 against 0.0067, so source 1 alone:
    # r1 = 200 gives exactly 2 mg/L.
    plan = least_cut(T, [5.0], [3.0], [200.0, 60.0], weights=np.array([1.0, 3.0]))
    assert plan.cut_ta == pytest.approx([200.0, 0.0])


def test_cut_limits_leave_a_shortfall():
    # At most half of each load: r1 <= 100 (1.0 mg/L), r2 <= 30 (0.6 mg/L): 1.6 of the 2 mg/L,
    # 0.4 mg/L short; every allowed tonne is cut.
    plan = least_cut(T, [5.0], [3.0], [200.0, 60.0], max_share=0.5)
    assert not plan.feasible
    assert plan.cut_ta == pytest.approx([100.0, 30.0])
    assert plan.shortfall_mgl == pytest.approx([0.4])
    assert plan.after_mgl == pytest.approx([3.4])


def test_an_unreachable_section_does_not_inflate_the_cuts_for_the_others():
    # Section A depends on source 1 only (0.01 per t/a, 1 mg/L to go, at most 50 t/a: 0.5 short);
    # section B on source 2 only (0.02 per t/a, 0.2 mg/L to go: r2 = 10 of the 40 t/a).
    transfer = np.array([[0.01, 0.0], [0.0, 0.02]])
    plan = least_cut(transfer, [4.0, 2.2], [3.0, 2.0], [50.0, 40.0])
    assert plan.cut_ta == pytest.approx([50.0, 10.0])
    assert plan.shortfall_mgl == pytest.approx([0.5, 0.0])
    assert not plan.feasible


def test_sections_within_target_need_no_cut():
    plan = least_cut(T, [2.0], [3.0], [200.0, 60.0])
    assert plan.total_ta == 0.0 and plan.feasible
    nan_target = least_cut(T, [9.0], [np.nan], [200.0, 60.0])
    assert nan_target.total_ta == 0.0


def test_split_by_sector_and_county():
    cuts = pd.DataFrame({"source_id": ["a", "b", "c", "a"], "item": ["cod", "cod", "cod", "nh3n"],
                         "load_ta": [100.0, 50.0, 50.0, 10.0], "cut_ta": [40.0, 10.0, 30.0, 5.0]})
    sources = pd.DataFrame({"source_id": ["a", "b", "c"], "sector": ["industry", "industry", "domestic"],
                            "county_id": ["K1", "K1", "K2"]})
    table = split_cuts(cuts, sources).set_index(["sector", "county_id", "item"])
    assert table.loc[("industry", "K1", "cod"), "cut_ta"] == 50.0
    assert table.loc[("industry", "K1", "cod"), "cut_rate"] == pytest.approx(50 / 150)
    assert table.loc[("domestic", "K2", "cod"), "share_of_cut"] == pytest.approx(30 / 80)
    assert table.loc[("industry", "K1", "nh3n"), "share_of_cut"] == 1.0


def test_plan_on_a_network_meets_every_target_when_routed_again():
    #  a (Q 1) --5 km--\                   sources: s1 at a 300 t/a, s2 at b 200 t/a, s3 at c
    #                   c (section, 6)  --8 km--> d (section, 5)  -> o          100 t/a (COD)
    #  b (Q 2) --5 km--/
    network = RiverNetwork(["a", "b", "c", "d", "o"], ["c", "c", "d", "o", None], [5, 5, 8, 2, None])
    model = RoutingModel(network)
    h = model.hydraulics([1.0, 2.0, 0.0, 0.5, 0.0], velocity=0.3)
    shares = np.zeros((3, 5))
    shares[[0, 1, 2], [0, 1, 2]] = 1.0
    loads = np.array([300.0, 200.0, 100.0])
    k = np.array([0.2])
    sections = np.array([2, 3])
    present = model.route(h, shares.T @ loads, 0.2, 2.0)[sections]
    targets = np.array([6.0, 5.0])
    assert (present > targets).all()
    transfer = transfer_matrix(model, h, shares, k, sections)[0]
    plan = least_cut(transfer, present, targets, loads)
    after = model.route(h, shares.T @ (loads - plan.cut_ta), 0.2, 2.0)[sections]
    assert plan.feasible
    assert after == pytest.approx(plan.after_mgl)
    assert (after <= targets + 1e-9).all()


@pytest.mark.slow
def test_jinzhong_plan_is_consistent_with_the_routing_model():
    from qingliu import data, io
    from qingliu.services import pollution_tools as pt

    files = dict(data.example_files("jinzhong"))
    f = {table: io.read_table(files[kind], table, required=()) for kind, table in
         (("network", "node"), ("stations", "station"), ("flows", "flow_daily"), ("sources", "source"),
          ("counties", "county"), ("sections", "section"))}
    pm = pt.build_model(f["node"], f["station"], f["flow_daily"], f["source"], f["county"])
    cuts, split, after = pt.reduction(pm, f["section"], max_share=0.9)
    assert (cuts["cut_ta"] <= 0.9 * cuts["load_ta"] + 1e-9).all()
    # route the reduced loads again: the concentrations are the plan's, and every section either
    # meets its target or is reported short of it
    remaining = pm.loads.copy()
    for item in ("cod", "nh3n", "tp", "tn"):
        cut = cuts[cuts["item"] == item].set_index("source_id")["cut_ta"]
        remaining[f"{item}_ta"] -= cut.reindex(remaining["source_id"]).fillna(0.0).to_numpy()
    node_loads = (pm.shares.T @ remaining[[f"{i}_ta" for i in ("cod", "nh3n", "tp", "tn")]].to_numpy()).T
    conc = pm.model.route(pm.hydraulics, node_loads, pm.k_per_day, pm.background_mgl)
    at = pm.section_nodes(f["section"])
    routed = conc[:, at].T.ravel()  # section-major like the plan: (section, item)
    table = after.set_index(["section_id", "item"]).loc[
        [(s, i) for s in f["section"]["section_id"] for i in ("cod", "nh3n", "tp", "tn")]]
    assert routed == pytest.approx(table["after_mgl"].to_numpy(), rel=1e-9, nan_ok=True)
    judged = table["target_mgl"].notna() & table["present_mgl"].notna()  # dry sections have no concentration
    met = table["after_mgl"] <= table["target_mgl"] * (1 + 1e-6)
    assert (met | (table["shortfall_mgl"] > 0))[judged].all()
    assert split.groupby("item")["share_of_cut"].sum().between(0, 1 + 1e-9).all()
