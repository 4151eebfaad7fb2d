"""The river network (河网): nodes that drain, each to at most one downstream node.

A :class:`RiverNetwork` is a forest of trees whose roots are outlets (出口): the Fen River's
mouth and the Haihe-basin rivers leaving Jinzhong may sit in one network. It is built from the
canonical ``node`` table (:data:`qingliu.model.tables.NODE`) and kept as integer arrays, with
node ids mapped to positions ``0..n-1`` in the order of the input rows:

- ``down[i]``: position of the downstream node of ``i``, or -1 at an outlet;
- the routing order: Kahn's topological sort (Kahn 1962, Comm. ACM 5(11):558-562) run level by
  level, so that every node comes after all nodes upstream of it;
- a depth-first preorder from the outlets in which each node's catchment is one contiguous run
  (Euler-tour intervals), so "does ``a`` drain to ``b``" is two comparisons and a catchment is a
  slice.

Every array method is vectorised over the nodes of one level; Python loops run over levels
(at most the longest path in the network), never over node pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse


class NetworkError(ValueError):
    """The node table does not describe a valid river network, or a query has no answer.

    Parameters
    ----------
    zh, en : the reason in Simplified Chinese and in English; ``str()`` joins them.
    nodes : ids of the nodes concerned (sorted), for callers that point at rows.
    """

    def __init__(self, zh: str, en: str, nodes: Iterable[str] = ()) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en
        self.nodes = tuple(sorted(set(nodes)))

    @property
    def bilingual(self) -> tuple[str, str]:
        """``(zh, en)``."""
        return self.zh, self.en


def _clean_ids(values: Iterable[object]) -> np.ndarray:
    """Ids as an object array of stripped strings, None where empty, None or NaN."""
    text = pd.Series(list(values), dtype=object).astype("string").str.strip()
    text = text.mask(text == "")
    return text.to_numpy(dtype=object, na_value=None)


def _names(ids: Iterable[str]) -> str:
    return ", ".join(sorted(set(ids)))


def _parse_nodes(
    ids: Sequence[object], downstream: Sequence[object], length_km: Sequence[object] | None
) -> tuple[np.ndarray, pd.Index, np.ndarray, np.ndarray]:
    """Check the node columns; return ids, their index, downstream positions and lengths."""
    node_ids = _clean_ids(ids)
    down_ids = _clean_ids(downstream)
    n = node_ids.size
    if down_ids.size != n:
        raise NetworkError("节点与下游节点个数不同", f"{n} node ids but {down_ids.size} downstream ids")
    empty = pd.isna(node_ids)
    if empty.any():
        rows = ", ".join(map(str, np.flatnonzero(empty)))
        raise NetworkError(f"节点编码为空（位置 {rows}）", f"empty node id at positions {rows}")
    index = pd.Index(node_ids, dtype=object)
    if index.has_duplicates:
        dup = index[index.duplicated()]
        raise NetworkError(f"节点编码重复：{_names(dup)}", f"duplicate node ids: {_names(dup)}", dup)
    has_down = ~pd.isna(down_ids)
    down = np.full(n, -1, dtype=np.intp)
    down[has_down] = index.get_indexer(down_ids[has_down])
    unknown = has_down & (down < 0)
    if unknown.any():
        pairs = ", ".join(f"{a} -> {b}" for a, b in zip(node_ids[unknown], down_ids[unknown], strict=True))
        raise NetworkError(
            f"下游节点不存在：{pairs}",
            f"downstream node is not a node: {pairs}",
            node_ids[unknown],
        )
    into_self = down == np.arange(n)
    if into_self.any():
        names = _names(node_ids[into_self])
        raise NetworkError(f"节点流入自身：{names}", f"node flows into itself: {names}", node_ids[into_self])
    raw = pd.Series([None] * n if length_km is None else list(length_km), dtype=object)
    if raw.size != n:
        raise NetworkError("河长个数与节点个数不同", f"{n} node ids but {raw.size} lengths")
    lengths = pd.to_numeric(raw.replace(r"^\s*$", None, regex=True), errors="coerce").to_numpy(dtype=float)
    not_number = np.isnan(lengths) & raw.notna().to_numpy() & (raw.astype(str).str.strip() != "").to_numpy()
    if not_number.any():
        names = _names(node_ids[not_number])
        raise NetworkError(f"至下游河长不是数值：{names}", f"length is not a number: {names}", node_ids[not_number])
    negative = lengths < 0
    if negative.any():
        names = _names(node_ids[negative])
        raise NetworkError(
            f"至下游河长为负：{names}", f"negative length to downstream node: {names}", node_ids[negative]
        )
    return node_ids, index, down, lengths


class RiverNetwork:
    """A river network: nodes with at most one downstream node each, and no cycles.

    Parameters
    ----------
    ids : node ids (strings, unique).
    downstream : for each node, the id of its downstream node; None, NaN or an empty string
        marks an outlet.
    length_km : for each node, the river length to its downstream node in km (ignored at
        outlets); None or NaN where unknown. Default: all unknown.

    Raises
    ------
    NetworkError
        For an empty or duplicate node id, a downstream id that is not a node, a node that
        flows into itself, a cycle (naming its nodes) or a negative length.
    """

    def __init__(
        self,
        ids: Sequence[object],
        downstream: Sequence[object],
        length_km: Sequence[object] | None = None,
    ) -> None:
        node_ids, index, down, lengths = _parse_nodes(ids, downstream, length_km)
        n = node_ids.size
        self._ids: tuple[str, ...] = tuple(node_ids)
        self._index = index
        self._down = down
        self._length = lengths
        self._levels = self._kahn_levels()
        self._order = np.concatenate(self._levels) if n else np.empty(0, dtype=np.intp)
        # Upstream adjacency as CSR: the nodes draining directly to i are
        # _children[_child_ptr[i]:_child_ptr[i + 1]], in the order of ids.
        has_down = down >= 0
        children = np.flatnonzero(has_down)
        self._children = children[np.argsort(down[children], kind="stable")]
        self._child_ptr = np.concatenate(([0], np.cumsum(np.bincount(down[has_down], minlength=n))))
        self._size = self._accumulate(np.ones(n, dtype=np.intp))
        self._tin, self._euler = self._preorder()
        self._distance = self._distance_to_outlet()
        for arr in (self._down, self._length, self._order, self._size, self._tin, self._euler, self._distance):
            arr.setflags(write=False)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> RiverNetwork:
        """Build the network from a ``node`` frame (columns of :data:`qingliu.model.tables.NODE`).

        Uses ``node_id``, ``downstream`` and, if present, ``length_km``; other columns are
        ignored. Rows keep their order: node ``frame.iloc[i]`` gets position ``i``.
        """
        missing = [c for c in ("node_id", "downstream") if c not in frame.columns]
        if missing:
            columns = ", ".join(missing)
            raise NetworkError(f"节点表缺少列：{columns}", f"node table lacks columns: {columns}")
        lengths = frame["length_km"] if "length_km" in frame.columns else None
        return cls(frame["node_id"], frame["downstream"], lengths)

    def _kahn_levels(self) -> tuple[np.ndarray, ...]:
        """Kahn's algorithm, one level at a time: level 0 holds the headwaters, level k the
        nodes whose longest upstream path has k edges. Raises NetworkError for cycles."""
        n, down = len(self._ids), self._down
        remaining = np.bincount(down[down >= 0], minlength=n)
        frontier = np.flatnonzero(remaining == 0)
        levels = []
        first = np.empty(n, dtype=np.intp)
        while frontier.size:
            levels.append(frontier)
            targets = down[frontier]
            targets = targets[targets >= 0]
            np.subtract.at(remaining, targets, 1)
            ready = targets[remaining[targets] == 0]
            # Siblings that complete a confluence in the same level repeat it: keep one copy
            # (whichever write wins, exactly one position k has first[ready[k]] == k).
            positions = np.arange(ready.size)
            first[ready] = positions
            frontier = ready[first[ready] == positions]
        done = sum(level.size for level in levels)
        if done < n:
            # Each node has one downstream node, so the nodes never freed are exactly the cycles.
            in_cycles = np.flatnonzero(remaining > 0)
            text = self._describe_cycles(in_cycles)
            raise NetworkError(
                f"河网存在环路：{text}", f"cycle in the river network: {text}", [self._ids[i] for i in in_cycles]
            )
        return tuple(levels)

    def _describe_cycles(self, in_cycles: np.ndarray) -> str:
        """Each cycle as "a -> b -> c -> a", starting at its first node in the order of ids."""
        unseen = set(in_cycles.tolist())
        cycles = []
        while unseen:
            start = node = min(unseen)
            walk = []
            while node in unseen:
                unseen.discard(node)
                walk.append(self._ids[node])
                node = int(self._down[node])
            cycles.append(" -> ".join([*walk, self._ids[start]]))
        return "; ".join(cycles)

    def _accumulate(self, acc: np.ndarray) -> np.ndarray:
        """Add each node's value into its downstream node, level by level, in place."""
        for level in self._levels:
            targets = self._down[level]
            flows = targets >= 0
            np.add.at(acc, targets[flows], acc[level[flows]])
        return acc

    def _preorder(self) -> tuple[np.ndarray, np.ndarray]:
        """Depth-first preorder from the outlets: ``tin[i]`` is the position of node i, and the
        catchment of i is ``euler[tin[i]:tin[i] + size[i]]``."""
        n, down, size, children = len(self._ids), self._down, self._size, self._children
        # Offset of each node among its siblings: the summed catchments of earlier siblings.
        before = np.cumsum(size[children]) - size[children]
        offset = np.zeros(n, dtype=np.intp)
        offset[children] = before - before[self._child_ptr[down[children]]]
        tin = np.zeros(n, dtype=np.intp)
        roots = np.flatnonzero(down < 0)
        tin[roots] = np.cumsum(size[roots]) - size[roots]
        for level in reversed(self._levels):
            level = level[down[level] >= 0]
            tin[level] = tin[down[level]] + 1 + offset[level]
        euler = np.empty(n, dtype=np.intp)
        euler[tin] = np.arange(n)
        return tin, euler

    def _distance_to_outlet(self) -> np.ndarray:
        distance = np.zeros(len(self._ids))
        for level in reversed(self._levels):
            level = level[self._down[level] >= 0]
            distance[level] = self._length[level] + distance[self._down[level]]
        return distance

    # --- identity -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._index

    def __repr__(self) -> str:
        return f"RiverNetwork({len(self._ids)} nodes, {int((self._down < 0).sum())} outlets)"

    @property
    def ids(self) -> tuple[str, ...]:
        """Node ids; position ``i`` of every array belongs to ``ids[i]``."""
        return self._ids

    @property
    def down(self) -> np.ndarray:
        """Read-only int array: position of each node's downstream node, -1 at outlets."""
        return self._down

    @property
    def length_km(self) -> np.ndarray:
        """Read-only float array: river length (km) from each node to its downstream node."""
        return self._length

    def index(self, node_id: str) -> int:
        """Position of ``node_id``; KeyError if it is not a node."""
        try:
            return int(self._index.get_loc(node_id))
        except (KeyError, TypeError):
            raise KeyError(f"无此节点 {node_id!r} / no node {node_id!r}") from None

    # --- topology queries -----------------------------------------------------------------

    def downstream(self, node_id: str) -> str | None:
        """Id of the node directly downstream of ``node_id``, or None at an outlet."""
        j = int(self._down[self.index(node_id)])
        return self._ids[j] if j >= 0 else None

    def upstream(self, node_id: str) -> list[str]:
        """Ids of the nodes draining directly to ``node_id``, in the order of :attr:`ids`."""
        i = self.index(node_id)
        return [self._ids[j] for j in self._children[self._child_ptr[i] : self._child_ptr[i + 1]]]

    def _path(self, i: int) -> list[int]:
        path = [i]
        while self._down[path[-1]] >= 0:
            path.append(int(self._down[path[-1]]))
        return path

    def path_to_outlet(self, node_id: str) -> list[str]:
        """Ids from ``node_id`` (first) down to its outlet (last), both included."""
        return [self._ids[j] for j in self._path(self.index(node_id))]

    def _drains_to(self, a: int, b: int) -> bool:
        return bool(self._tin[b] <= self._tin[a] < self._tin[b] + self._size[b])

    def catchment(self, node_id: str) -> list[str]:
        """Ids of all nodes draining to ``node_id``, itself included, in the order of :attr:`ids`."""
        i = self.index(node_id)
        members = np.sort(self._euler[self._tin[i] : self._tin[i] + self._size[i]])
        return [self._ids[j] for j in members]

    @property
    def outlets(self) -> list[str]:
        """Ids of the nodes with no downstream node, in the order of :attr:`ids`."""
        return [self._ids[j] for j in np.flatnonzero(self._down < 0)]

    @property
    def headwaters(self) -> list[str]:
        """Ids of the nodes with no upstream node, in the order of :attr:`ids`."""
        return [self._ids[j] for j in self._levels[0]] if self._levels else []

    def levels(self) -> tuple[np.ndarray, ...]:
        """Node positions by level: 0 = headwaters, level k = the nodes whose longest upstream
        path has k reaches (Kahn 1962). Values pass downstream one level at a time, vectorised
        within a level; upstream in reverse order."""
        return self._levels

    def first_marked_below(self, marked: np.ndarray) -> np.ndarray:
        """For each node, the index into ``marked`` of the first marked node at or below it.

        ``marked`` holds distinct node positions (sections, gauges, intakes); the answer is
        ``k`` when ``marked[k]`` is the node itself or the nearest marked node downstream of it,
        -1 when none lies on its way to the outlet. One pass per level, downstream first.
        """
        marked = np.asarray(marked, dtype=np.intp)
        if np.unique(marked).size != marked.size:
            raise ValueError("标记节点重复 / marked nodes must be distinct")
        first = np.full(len(self._ids), -1, dtype=np.intp)
        first[marked] = np.arange(marked.size)
        for level in reversed(self._levels):
            free = level[(self._down[level] >= 0) & (first[level] < 0)]
            first[free] = first[self._down[free]]
        return first

    def routing_order(self) -> np.ndarray:
        """Read-only int array of positions, each node after every node upstream of it.

        Kahn's algorithm by levels, O(n): headwaters first, then each node as soon as all of
        its upstream nodes are placed.
        """
        return self._order

    # --- lengths --------------------------------------------------------------------------

    @property
    def distance_to_outlet_km(self) -> np.ndarray:
        """Read-only float array: river length (km) from each node to its outlet.

        0 at outlets; NaN where a length on the way is unknown (NaN propagates upstream).
        """
        return self._distance

    def distance_km(self, a: str, b: str) -> float:
        """River length (km) from node ``a`` down to node ``b``.

        0 when ``a == b``; NaN when a length on the way is unknown. Raises NetworkError when
        ``b`` is not downstream of ``a``.
        """
        i, j = self.index(a), self.index(b)
        if not self._drains_to(i, j):
            raise NetworkError(f"{b} 不在 {a} 的下游", f"{b} is not downstream of {a}", (a, b))
        path = self._path(i)
        return float(np.sum(self._length[path[: path.index(j)]]))

    # --- orders and accumulation ----------------------------------------------------------

    def strahler(self) -> np.ndarray:
        """Strahler stream order of each node (Strahler 1957, Trans. AGU 38(6):913-920).

        Headwaters have order 1. Below a confluence the order is the largest order among the
        upstream nodes, plus one when two or more of them share that largest order. A node with
        one upstream node keeps its order.
        """
        order = np.ones(len(self._ids), dtype=np.intp)
        ptr, children = self._child_ptr, self._children
        for level in self._levels[1:]:  # every node past level 0 has an upstream node
            counts = ptr[level + 1] - ptr[level]
            starts = np.cumsum(counts) - counts
            upstream = children[np.repeat(ptr[level] - starts, counts) + np.arange(counts.sum())]
            top = np.maximum.reduceat(order[upstream], starts)
            at_top = np.add.reduceat((order[upstream] == np.repeat(top, counts)).astype(np.intp), starts)
            order[level] = top + (at_top >= 2)
        return order

    def catchment_matrix(self) -> sparse.csr_array:
        """Boolean sparse matrix ``C`` with ``C[i, j]`` True when node j drains to node i.

        The diagonal is True (a node is in its own catchment), so ``C @ values`` sums values
        over catchments like :meth:`accumulate`. It stores one entry per (node, downstream
        node) pair: n times the mean path length, which grows fast for long chains.
        """
        n = len(self._ids)
        indptr = np.concatenate(([0], np.cumsum(self._size)))
        nnz = int(indptr[-1])
        members = self._euler[np.repeat(self._tin - indptr[:-1], self._size) + np.arange(nnz)]
        matrix = sparse.csr_array((np.ones(nnz, dtype=bool), members, indptr), shape=(n, n))
        matrix.sort_indices()
        return matrix

    def accumulate(self, values: np.ndarray) -> np.ndarray:
        """Sum ``values`` over each node's catchment (the node itself included).

        Parameters
        ----------
        values : float array of shape (n,) or (n, k), row i for node ``ids[i]`` (e.g. loads in
            t/a entering at each node, one column per pollutant).

        Returns
        -------
        float array of the same shape: row i is the sum over every node draining to node i.
        NaN propagates: a NaN anywhere upstream gives NaN downstream.
        """
        acc = np.array(values, dtype=float)
        if acc.ndim not in (1, 2) or acc.shape[0] != len(self._ids):
            raise ValueError(
                f"数值的行数应等于节点数 {len(self._ids)} / values must have shape (n,) or (n, k) "
                f"with n = {len(self._ids)} nodes, got {acc.shape}"
            )
        return self._accumulate(acc)
