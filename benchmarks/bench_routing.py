"""Benchmark: Monte Carlo of the steady river water-quality model on the Jinzhong network,
qingliu (batched level-by-level routing) vs one sparse linear solve per run (scipy).

Run by hand: ``.venv/bin/python benchmarks/bench_routing.py [--runs 10000] [--repeat 3]``.

The model is the bundled example (94 nodes) under the observed 2025 flows, so that every
source kind and its uncertain export and river-entry coefficients take part
(``qingliu.services.pollution_tools.uncertain_groups``), 4 items (COD, NH3-N, TP, TN), and K
of each item, all sampled by Latin hypercube. The peer is the textbook
formulation of the same steady model: for each run and item, the mass balance of every node
(I - A)·M = W with A[down[j], j] = retention_j·exp(-K·t_j), assembled as a sparse matrix and
solved with ``scipy.sparse.linalg.spsolve``, then C = M / Q. The script checks that both give
the same concentrations, then prints seconds and the ratio. Target (issue 7): 10,000 runs of
the Jinzhong network in <= 2 s. Needs only the project's dependencies (numpy, scipy, pandas).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve

from qingliu import io
from qingliu.services import pollution_tools as pt
from qingliu.simulate.routing import TA_TO_GS
from qingliu.simulate.routing_studies import monte_carlo

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "qingliu" / "data" / "jinzhong"
TARGET_S = 2.0
ITEM_K = np.array([[0.05, 0.5], [0.05, 0.5], [0.0, 0.2], [0.0, 0.2]])


def jinzhong_model() -> pt.PollutionModel:
    tables = {t: io.read_table(EXAMPLE / f, t, required=()) for t, f in (
        ("node", "network.csv"), ("station", "stations.csv"), ("flow_daily", "flows.csv"),
        ("source", "sources.csv"), ("county", "counties.csv"))}
    return pt.build_model(tables["node"], tables["station"], tables["flow_daily"], tables["source"], tables["county"],
                          design_flow="observed", period="2025")


def peer(pm: pt.PollutionModel, node_loads: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Concentrations of each (item, run) by one sparse solve of the node mass balance."""
    h, down = pm.hydraulics, pm.network.down
    n = down.size
    flows = np.flatnonzero(down >= 0)
    eye = sparse.eye_array(n, format="csc")
    bg = h.inflow[None, :] * pm.background_mgl[:, None]  # (items, n) g/s
    out = np.empty_like(node_loads)
    for i in range(node_loads.shape[0]):
        for r in range(node_loads.shape[1]):
            weight = h.retention[flows] * np.exp(-k[i, r] * h.travel_days[flows])
            a = sparse.csc_array((weight, (down[flows], flows)), shape=(n, n))
            mass = spsolve(eye - a, node_loads[i, r] * TA_TO_GS + bg[i])
            out[i, r] = np.divide(mass, h.q_in, out=np.full(n, np.nan), where=h.q_in > 0)
    return out


def best_of(repeat: int, func):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    pm = jinzhong_model()
    group_loads, factor_ranges, membership, names = pt.uncertain_groups(pm)
    print(f"Jinzhong network: {len(pm.network)} nodes, {len(names)} uncertain coefficients, "
          f"4 items × {args.runs} runs")

    def ours():
        return monte_carlo(pm.model, pm.hydraulics, group_loads, factor_ranges, ITEM_K, args.runs,
                           membership=membership, background_mgl=pm.background_mgl, seed=1)

    t_ours, mc = best_of(args.repeat, ours)
    scale = np.exp(np.log(mc.factors) @ membership)  # (runs, groups)
    node_loads = np.einsum("rg,ign->irn", scale, group_loads)
    t_peer, conc = best_of(1, lambda: peer(pm, node_loads, mc.k_per_day))
    both = np.isfinite(conc)
    assert np.array_equal(both, np.isfinite(mc.concentration)), "dry nodes differ"
    worst = np.max(np.abs(conc[both] - mc.concentration[both]) / np.maximum(np.abs(conc[both]), 1e-12))
    assert worst < 1e-9, f"results differ (max relative difference {worst:.2e})"

    sections = io.read_table(EXAMPLE / "sections.csv", "section", required=())
    t_service, _ = best_of(args.repeat, lambda: pt.uncertainty(pm, sections, runs=args.runs))
    print(f"  qingliu monte_carlo     {t_ours:8.3f} s   (service uncertainty(): {t_service:.3f} s)")
    print(f"  scipy spsolve per run   {t_peer:8.3f} s")
    print(f"  ratio peer / qingliu    {t_peer / t_ours:8.1f}×   (same concentrations, max rel. diff {worst:.1e})")
    print(f"  target <= {TARGET_S} s: {'met' if t_ours <= TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
