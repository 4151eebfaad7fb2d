"""Source apportionment (污染源解析): whose load reaches each section, by sector and county.

The load reaching a monitoring section is split among the sources upstream of it, from either

- the loads entering the river inside the section's catchment (:func:`catchment_contributions`,
  t/a: the catchment comes from :class:`qingliu.model.RiverNetwork`), or
- any other per-source contribution with the same layout, e.g. the concentration each source
  adds at the section after decay along the way, from the routing model
  (:mod:`qingliu.simulate.routing`).

:func:`apportion` sums the contributions by sector (industry / agriculture / domestic /
other), county or source and gives each group's share, the shares of a section and item
summing to one. :func:`top_sources` lists the largest contributors behind failing sections.
A section's zone (控制单元) is the part of its catchment not behind another section
(:func:`section_zones`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from qingliu.model import RiverNetwork


def section_zones(network: RiverNetwork, section_nodes: np.ndarray) -> sparse.csr_array:
    """Zone membership (sections × nodes): node j is in the zone of the first section below it.

    Nodes below the last section of their river belong to no zone.
    """
    first = network.first_marked_below(section_nodes)
    inside = np.flatnonzero(first >= 0)
    return sparse.csr_array(
        (np.ones(inside.size), (first[inside], inside)), shape=(len(section_nodes), len(network))
    )


def catchment_contributions(
    network: RiverNetwork,
    section_nodes: np.ndarray,
    shares: sparse.sparray,
    loads: np.ndarray,
    *,
    zones_only: bool = False,
) -> np.ndarray:
    """Load (t/a) each source puts into each section's catchment (or zone).

    Parameters
    ----------
    network : the river network.
    section_nodes : int positions of the sections' nodes.
    shares : (sources × nodes) share of each source's load entering at each node
        (:func:`qingliu.assess.loads.entry_shares`).
    loads : (sources, items) entering loads, t/a.
    zones_only : count only the loads entering in each section's own zone instead of its whole
        catchment.

    Returns
    -------
    float array (sections, sources, items).
    """
    if zones_only:
        members = section_zones(network, section_nodes)
    else:
        members = network.catchment_matrix()[np.asarray(section_nodes, dtype=np.intp)].astype(float)
    inside = np.asarray((members @ sparse.csr_array(shares).T).todense())  # (sections, sources)
    return inside[:, :, None] * np.asarray(loads, dtype=float)[None, :, :]


def apportion(
    contributions: np.ndarray,
    section_ids: Sequence[str],
    sources: pd.DataFrame,
    by: str = "sector",
    items: Sequence[str] = ("cod", "nh3n", "tp", "tn"),
) -> pd.DataFrame:
    """Contributions summed by group, with each group's share of the section's total.

    Parameters
    ----------
    contributions : (sections, sources, items) from :func:`catchment_contributions` or a
        routed equivalent (non-negative).
    section_ids : id of each section (row of ``contributions``).
    sources : one row per source in the same order, with the column ``by``.
    by : the grouping column: "sector", "county_id", "kind", "source_id" ...

    Returns
    -------
    Long DataFrame: section_id, item, ``by``, contribution, share. Shares of each section and
    item sum to one; they are NaN where the section receives nothing. Groups are sorted.
    """
    if by not in sources.columns:
        raise ValueError(f"污染源表缺少分组列 {by!r} / sources have no column {by!r}")
    groups, code = np.unique(sources[by].astype(str).to_numpy(), return_inverse=True)
    n_sections, _, n_items = contributions.shape
    indicator = sparse.csr_array((np.ones(code.size), (code, np.arange(code.size))), shape=(groups.size, code.size))
    flat = np.moveaxis(contributions, 1, 0).reshape(code.size, n_sections * n_items)
    # (sections, groups, items)
    summed = np.moveaxis((indicator @ flat).reshape(groups.size, n_sections, n_items), 0, 1)
    total = summed.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, summed / total, np.nan)
    index = pd.MultiIndex.from_product([list(section_ids), groups, list(items)], names=["section_id", by, "item"])
    frame = pd.DataFrame({"contribution": summed.ravel(), "share": share.ravel()}, index=index).reset_index()
    return frame[["section_id", "item", by, "contribution", "share"]]


def top_sources(
    contributions: np.ndarray,
    section_ids: Sequence[str],
    sources: pd.DataFrame,
    failing: pd.DataFrame,
    count: int = 5,
    items: Sequence[str] = ("cod", "nh3n", "tp", "tn"),
) -> pd.DataFrame:
    """The ``count`` largest contributors behind each failing section and item.

    Parameters
    ----------
    contributions : (sections, sources, items) as for :func:`apportion`.
    sources : one row per source in the same order (source_id, name, sector, county_id ...).
    failing : rows (section_id, item) of the failing sections and items (e.g. annual mean
        above the target class limit).

    Returns
    -------
    DataFrame: section_id, item, rank (1 = largest), the source's columns, contribution and
    share of the section's total. Sources contributing nothing are not listed.
    """
    section_pos = pd.Index(list(section_ids)).get_indexer(failing["section_id"].astype(str))
    item_pos = pd.Index(list(items)).get_indexer(failing["item"].astype(str))
    known = (section_pos >= 0) & (item_pos >= 0)
    section_pos, item_pos = section_pos[known], item_pos[known]
    if section_pos.size == 0:
        return pd.DataFrame(columns=["section_id", "item", "rank", *sources.columns, "contribution", "share"])
    picked = contributions[section_pos, :, item_pos]  # (failing, sources)
    total = picked.sum(axis=1, keepdims=True)
    order = np.argsort(-picked, axis=1, kind="stable")[:, :count]
    value = np.take_along_axis(picked, order, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, value / total, np.nan)
    rows, rank = np.nonzero(value > 0)
    out = sources.iloc[order[rows, rank]].reset_index(drop=True)
    out.insert(0, "rank", rank + 1)
    out.insert(0, "item", np.asarray(items)[item_pos[rows]])
    out.insert(0, "section_id", np.asarray(section_ids)[section_pos[rows]])
    out["contribution"] = value[rows, rank]
    out["share"] = share[rows, rank]
    return out


def share_table(
    loads: pd.DataFrame, by: Sequence[str], items: Sequence[str] = ("cod", "nh3n", "tp", "tn")
) -> pd.DataFrame:
    """Entering loads of the whole inventory summed by ``by`` (e.g. sector, county_id), with shares.

    ``loads`` is :func:`qingliu.assess.loads.source_loads` output. Returns one row per group:
    ``by`` columns, ``<item>_ta`` and ``<item>_share`` (of the total over all groups).
    """
    columns = [f"{i}_ta" for i in items]
    table = loads.groupby(list(by), sort=True)[columns].sum().reset_index()
    for item, column in zip(items, columns, strict=True):
        total = table[column].sum()
        table[f"{item}_share"] = table[column] / total if total > 0 else np.nan
    return table
