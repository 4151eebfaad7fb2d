"""Local inflows at every river node from the flows of a few gauging stations.

The allocation model needs the water entering the river at each node (local runoff), while
the hydrology gives daily flows at stations. The transfer used here is the drainage-area
ratio method with river length standing in for area (the node table has lengths, not areas):

1. Each station gauges the nodes that drain to it and to no station further upstream: its
   residual catchment. Its residual flow is its flow minus the flows of the stations directly
   upstream of it, clipped at 0 (gauging error or losses between stations).
2. The residual flow is spread over the residual catchment in proportion to each node's
   river length to its downstream node (``length_km``; 0 at outlets). ``shares`` can pin a
   node's share of a station's residual flow instead (e.g. a boundary inflow 入境 that carries
   most of a station's water but has a short reach inside the area).
3. Nodes that drain to no station (below the last station, ungauged rivers) get the regional
   specific runoff: all residual flow over all residual length, times their length.

Every step works on whole arrays (nodes x days); the only loop is over stations.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from qingliu.model import RiverNetwork
from qingliu.simulate.network_lp import AllocationError


def local_inflows(
    network: RiverNetwork,
    station_nodes: Mapping[str, str],
    flows: pd.DataFrame,
    shares: Mapping[str, tuple[str, float]] | None = None,
) -> pd.DataFrame:
    """Local inflow (m3/s) at every node, from station flows.

    Parameters
    ----------
    network : the river network (``length_km`` gives the weights).
    station_nodes : station id -> the node it sits at.
    flows : station flows in m3/s, one column per station, a row per day, no NaN.
    shares : optional node id -> (station id, share of that station's residual flow, 0..1).

    Returns
    -------
    DataFrame (index of ``flows``, one column per node in network order): local inflow in
    m3/s. Summed over a station's catchment it gives back the station's flow (where the
    residual flow is not clipped).

    Raises
    ------
    AllocationError
        For a station at an unknown node, two stations at one node, missing flows, a share
        outside [0, 1] or pinned shares of one station summing above 1.
    """
    n = len(network)
    ids = list(network.ids)
    stations = [s for s in station_nodes if s in flows.columns]
    missing = sorted(set(station_nodes) - set(flows.columns))
    if missing:
        raise AllocationError(f"缺少测站流量：{', '.join(missing)}", f"no flows for stations: {', '.join(missing)}")
    unknown = sorted(s for s in stations if station_nodes[s] not in network)
    if unknown:
        raise AllocationError(
            f"测站所在节点不存在：{', '.join(unknown)}", f"station at an unknown node: {', '.join(unknown)}"
        )
    q = flows[stations].to_numpy(float).T  # (stations, days)
    if np.isnan(q).any():
        raise AllocationError("测站流量有缺测，请先插补", "station flows have gaps; fill them first")
    at = np.array([network.index(station_nodes[s]) for s in stations], dtype=np.intp)
    if np.unique(at).size != at.size:
        raise AllocationError("多个测站位于同一节点", "two stations at one node")
    owner = network.first_marked_below(at)  # station of each node's residual area

    # residual flow: station flow minus the stations directly upstream (whose first gauge below is it)
    down = network.down
    has_down = down[at] >= 0
    below = np.full(at.size, -1, dtype=np.intp)
    below[has_down] = owner[down[at][has_down]]  # the station below each station
    residual = q.copy()
    has_below = below >= 0
    np.subtract.at(residual, below[has_below], q[has_below])
    residual = np.clip(residual, 0.0, None)

    length = np.nan_to_num(network.length_km, nan=0.0)
    weight = length.copy()
    pinned = np.zeros(n, dtype=bool)
    pinned_share = np.zeros(n)
    for node, (station, share) in (shares or {}).items():
        if node not in network or station not in stations:
            raise AllocationError(
                f"来水分配的节点或测站不存在：{node} / {station}",
                f"unknown node or station in shares: {node} / {station}",
            )
        if not 0.0 <= share <= 1.0:
            raise AllocationError(f"来水分配比例应在 0-1 之间：{node}", f"share must lie in [0, 1]: {node}")
        i = network.index(node)
        pinned[i], pinned_share[i] = True, share
        owner[i] = stations.index(station)
    k = at.size
    share_total = np.bincount(owner[pinned], weights=pinned_share[pinned], minlength=k)
    if np.any(share_total > 1.0 + 1e-12):
        raise AllocationError("同一测站的固定分配比例之和超过 1", "pinned shares of one station sum above 1")
    free = (owner >= 0) & ~pinned
    free_length = np.bincount(owner[free], weights=weight[free], minlength=k)
    # a residual catchment with no length: its residual flow enters at the station's node
    no_length = free_length <= 0
    weight[at[no_length]] = 1.0
    free[at[no_length]] = True
    free_length[no_length] = 1.0
    inflow = np.zeros((n, q.shape[1]))
    rest = residual * (1.0 - share_total)[:, None]
    inflow[free] = rest[owner[free]] * (weight[free] / free_length[owner[free]])[:, None]
    inflow[pinned] = residual[owner[pinned]] * pinned_share[pinned][:, None]
    ungauged = owner < 0
    gauged_length = float(free_length[~no_length].sum())
    if ungauged.any() and gauged_length > 0:
        regional = rest[~no_length].sum(axis=0) / gauged_length  # m3/s per km
        inflow[ungauged] = length[ungauged][:, None] * regional[None, :]
    return pd.DataFrame(inflow.T, index=flows.index, columns=ids)
