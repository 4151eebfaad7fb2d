"""Benchmark: water allocation on the Jinzhong network, 46 years at a daily step, qingliu
(sparse LPs of a month of days each, HiGHS) vs pywr (one LP per day, GLPK) on the same
network and inputs, side by side in one run.

Run by hand: ``.venv/bin/python benchmarks/bench_allocation.py [--years N] [--pywr-years N]``.

Needs pywr (``.venv/bin/pip install pywr``; benchmark only, never a runtime dependency).
pywr 1.31 declares ``pandas<3``: installing it downgrades pandas, so reinstall the project's
pandas afterwards (``pip install "pandas>=3"``); pywr's parts used here run on pandas 3.

The model is the bundled example built by ``qingliu.services.water_resources_tools``: 44
demands (11 counties x 4 sectors, 2025 use), 27 groundwater / reclaimed / transfer sources
with yearly caps, 2 reservoirs, 4 eco-flow control sections, conveyance losses and return
flows, on the river nodes where something happens (27 of 94). pywr gets exactly that network,
translated node by node: a ``Catchment`` of the local inflow and a ``Link`` (``Storage`` at a
reservoir, ``RiverGauge`` at a control section) per river node, ``LossLink`` (gross) for each
supply link, an ``Input`` with ``AnnualLicense`` per source, and per demand a ``Link`` with
its weight as negative cost whose use splits by ``AggregatedNode`` factors into consumption
and return flow. The same priorities and costs are used.

Semantics differ on purpose: pywr decides one day at a time; qingliu's default solves each
month at once (perfect foresight within the month), so their results differ a little where
reservoirs and yearly caps give room to plan. To check that both run the same network, the
script also runs qingliu one LP per day (``block="step"``, the semantics of pywr) on the pywr
years, and prints the largest difference in yearly supply between that run and pywr. It also
prints where qingliu's time goes (LP assembly, HiGHS, results).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

import numpy as np
import pandas as pd

from qingliu import io
from qingliu.services import water_resources_tools as tools
from qingliu.simulate.allocation import allocate
from qingliu.simulate.allocation_lp import build_layout, step_inputs, time_steps

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "qingliu" / "data" / "jinzhong"


def jinzhong() -> tuple[object, pd.DataFrame]:
    node = io.read_input("network", EXAMPLE / "network.csv")["node"]
    counties = io.read_input("counties", EXAMPLE / "counties.csv")
    read = lambda name, table, *cols: io.read_table(EXAMPLE / name, table, required=cols)
    water_use = read("water_use.csv", "water_use", "county_id", "year", "sector", "origin", "volume")
    inflow = tools.station_inflows(
        node,
        read("stations.csv", "station", "station_id", "node_id"),
        read("flows.csv", "flow_daily", "station_id", "date", "q"),
    )
    model = tools.allocation_model(
        node,
        counties["county"],
        counties["county_year"],
        water_use,
        inflow=inflow,
        section=read("sections.csv", "section", "section_id", "node_id"),
        reservoir=read("reservoirs.csv", "reservoir", "reservoir_id", "node_id"),
        source=read("sources.csv", "source", "source_id"),
    )
    return model, inflow


def pywr_model(model, inflow: pd.DataFrame, solver: str):
    """The qingliu LP network as a pywr model (daily steps, volumes in 1e4 m3 per day)."""
    from pywr.core import Model, Timestepper
    from pywr.nodes import (
        AggregatedNode,
        Catchment,
        Input,
        Link,
        LossLink,
        Output,
        RiverGauge,
        Storage,
    )
    from pywr.parameters import ArrayIndexedParameter
    from pywr.parameters.licenses import AnnualLicense

    layout = build_layout(model)
    times, days, volume = time_steps(inflow, "day")
    inputs = step_inputs(model, layout, times, days, volume)
    flow = layout.flow
    n_a, n_d = layout.active.size, flow.demand_node.size
    m = Model(solver=solver)
    m.timestepper = Timestepper(times[0], times[-1], 1)
    storage_at = {int(k): i for i, k in enumerate(flow.storage_node)}
    gauge_at = {int(flow.edge_from[e]): i for i, e in enumerate(flow.minflow_edge)}
    nodes = []
    for i in range(n_a):
        name = f"river{i}"
        if i in storage_at:
            k = storage_at[i]
            r = model.reservoirs[k]
            initial = r.initial if r.initial is not None else inputs.storage_upper[k, 0]
            node = Storage(
                m,
                name,
                max_volume=r.capacity,
                min_volume=r.dead,
                initial_volume=initial,
                cost=-float(flow.storage_weight[k]),
            )
        elif i in gauge_at:
            c = gauge_at[i]
            node = RiverGauge(
                model=m,
                name=name,
                mrf=ArrayIndexedParameter(m, inputs.minflow_target[c]),
                mrf_cost=-float(flow.minflow_weight[c]),
            )
        else:
            node = Link(m, name)
        Catchment(m, f"inflow{i}", flow=ArrayIndexedParameter(m, inputs.inflow[i])).connect(node)
        nodes.append(node)
    use = []
    for j in range(n_d):
        link = Link(
            m, f"use{j}", max_flow=ArrayIndexedParameter(m, inputs.demand[j]), cost=-float(flow.demand_weight[j])
        )
        consumed = Output(m, f"consumed{j}")
        link.connect(consumed)
        nodes.append(link)
        use.append(link)
        if flow.return_to[j] >= 0 and flow.return_fraction[j] > 0:
            back = Link(m, f"return{j}")
            link.connect(back)
            back.connect(nodes[flow.return_to[j]])
            f = float(flow.return_fraction[j])
            AggregatedNode(m, f"split{j}", [consumed, back]).factors = [1.0 - f, f]
    for s in range(flow.source_node.size):
        src = Input(m, f"source{s}", cost=float(flow.source_cost[s]))
        if np.isfinite(model.sources[s].annual):
            src.max_flow = AnnualLicense(m, src, float(model.sources[s].annual))
        nodes.append(src)
    sink = Output(m, "outlets")
    for e in range(flow.edge_from.size):
        tail, head = nodes[flow.edge_from[e]], sink if flow.edge_to[e] < 0 else nodes[flow.edge_to[e]]
        if flow.edge_loss[e] > 0:
            mid = LossLink(m, f"loss{e}", loss_factor=float(flow.edge_loss[e]), loss_factor_type="gross")
            tail.connect(mid)
            mid.connect(head)
        else:
            tail.connect(head)
    return m, use, inputs


def yearly(values: np.ndarray, times: pd.DatetimeIndex) -> np.ndarray:
    return pd.DataFrame(values.T, index=times).groupby(times.year).sum().to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=46, help="years of qingliu's run (from 1980)")
    parser.add_argument("--pywr-years", type=int, default=46, help="years of pywr's run (from 1980)")
    parser.add_argument("--solver", default="glpk-edge", help="pywr solver (glpk-edge is its fastest here)")
    args = parser.parse_args()
    model, inflow = jinzhong()
    ours_flows = inflow.loc[: f"{1979 + args.years}-12-31"]
    peer_flows = inflow.loc[: f"{1979 + args.pywr_years}-12-31"]

    t = time.perf_counter()
    ours = allocate(model, ours_flows, step="day")
    t_ours = time.perf_counter() - t
    steps = len(ours.times)
    print(f"qingliu, month blocks : {steps:6d} days in {t_ours:7.2f} s = {steps / t_ours:8.0f} steps/s")

    profile = cProfile.Profile()
    profile.enable()
    allocate(model, inflow.loc[: f"{1979 + min(args.years, 5)}-12-31"], step="day")
    profile.disable()
    stats = pstats.Stats(profile)
    total = stats.total_tt
    solver = sum(v[3] for k, v in stats.stats.items() if "_highspy._core.run" in k[2])
    wrapper = sum(v[3] for k, v in stats.stats.items() if k[2] == "_highs_wrapper")
    print(
        f"  where the time goes (first 5 years): HiGHS solve {100 * solver / total:.0f} %, "
        f"scipy's HiGHS wrapper (model transfer) {100 * (wrapper - solver) / total:.0f} %, "
        f"LP assembly, inputs and results {100 * (total - wrapper) / total:.0f} %"
    )

    m, use, _ = pywr_model(model, peer_flows, args.solver)
    t = time.perf_counter()
    m.setup()
    t_setup = time.perf_counter() - t
    supplied = []

    t = time.perf_counter()
    m.reset()
    for _ in range(len(m.timestepper)):
        m.step()
        supplied.append([u.flow[0] for u in use])
    t_pywr = time.perf_counter() - t
    peer_steps = len(supplied)
    print(
        f"pywr ({args.solver})   : {peer_steps:6d} days in {t_pywr:7.2f} s = {peer_steps / t_pywr:8.0f} steps/s "
        f"(+ {t_setup:.1f} s setup)"
    )
    ratio = (peer_steps / t_pywr) / (steps / t_ours)
    print(
        f"ratio (pywr time per day / qingliu time per day): {1 / ratio:.1f}x "
        f"({'faster' if ratio < 1 else 'slower'} than pywr)"
    )

    t = time.perf_counter()
    myopic = allocate(model, peer_flows, step="day", block="step")
    t_step = time.perf_counter() - t
    print(
        f"qingliu, one LP a day : {len(myopic.times):6d} days in {t_step:7.2f} s = {len(myopic.times) / t_step:8.0f} steps/s "
        "(the per-step linprog loop, pywr's semantics)"
    )
    pywr_year = yearly(np.array(supplied).T, myopic.times)
    ours_year = yearly(myopic.supply, myopic.times)
    gap = np.abs(pywr_year - ours_year).max()
    print(
        f"largest difference of yearly supply per demand, qingliu per day vs pywr: {gap:.3f} (1e4 m3) "
        f"of mean yearly supply {ours_year.mean():.1f}"
    )
    month_year = yearly(ours.supply[:, : len(myopic.times)], myopic.times)
    print(
        f"city supply per year: pywr {pywr_year.sum(axis=1).mean():.1f}, qingliu per day {ours_year.sum(axis=1).mean():.1f}, "
        f"qingliu month blocks {month_year.sum(axis=1).mean():.1f} (1e4 m3/a)"
    )


if __name__ == "__main__":
    main()
