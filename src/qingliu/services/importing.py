"""Importing files into a workspace (数据导入): all-or-nothing, idempotent.

Every file of a batch is read and validated first, each against the keys already in the
database plus those of the files before it in the batch; only if none has a problem is the
whole batch written, in one transaction. Re-importing the same rows updates them in place
(upsert on the table key), so nothing is duplicated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from qingliu import io, store
from qingliu.model import TABLES, NetworkError, RiverNetwork
from qingliu.services import audit

Progress = Callable[[str], None]


@dataclass
class ImportReport:
    """What a batch wrote: rows per canonical table and per file."""

    files: list[tuple[str, Path, dict[str, int]]] = field(default_factory=list)

    @property
    def rows(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for _, _, per_table in self.files:
            for table, n in per_table.items():
                total[table] = total.get(table, 0) + n
        return total


def _reference_columns() -> set[tuple[str, str]]:
    return {(ref.table, ref.target) for t in TABLES.values() for ref in t.references}


def _known_keys(conn: Connection) -> dict[tuple[str, str], set[str]]:
    return {(table, column): store.keys(conn, table, column) for table, column in _reference_columns()}


def _section_names(sections: pd.DataFrame) -> dict[str, str]:
    """Section name -> id for files that name their sections; a name two sections share is left
    out (rows giving it are reported as an unknown name rather than written to either)."""
    unique = sections.drop_duplicates("section_id").drop_duplicates("name", keep=False)
    return dict(zip(unique["name"], unique["section_id"], strict=True))


def _merged_network(path: Path, network: pd.DataFrame, nodes: pd.DataFrame) -> pd.DataFrame:
    """The network with ``nodes`` written over it; it must still be a forest draining to outlets."""
    merged = pd.concat([network, nodes]).drop_duplicates("node_id", keep="last")
    try:
        RiverNetwork.from_frame(merged)
    except NetworkError as exc:
        raise io.InputError([io.Problem(path.name, None, "downstream", *exc.bilingual)]) from exc
    return merged


def read_batch(
    conn: Connection,
    batch: Sequence[tuple[str, Path]],
    progress: Progress | None = None,
    *,
    section: str | None = None,
) -> list[tuple[str, Path, dict[str, pd.DataFrame]]]:
    """Read and validate every file of ``batch``; raise one :class:`io.InputError` listing all problems.

    ``section``: the section of sample tables without a section column (single-station exports).
    """
    known = _known_keys(conn)
    sections = store.read(conn, "section", columns=["section_id", "name"])
    names = _section_names(sections)
    network = store.read(conn, "node")  # as it will be after the files read so far
    problems: list[io.Problem] = []
    omitted = 0
    frames = []
    for kind, path in batch:
        path = Path(path)
        if progress:
            progress(f"{path.name}")
        try:
            tables = io.read_input(kind, path, known=known, section_names=names, section=section)
            if "node" in tables:
                network = _merged_network(path, network, tables["node"])
        except io.InputError as exc:
            problems.extend(exc.problems)
            omitted += exc.omitted
            continue
        for table, frame in tables.items():
            for ref_table, column in _reference_columns():
                if ref_table == table:
                    known[(table, column)] |= set(frame[column].dropna())
            if table == "section":
                sections = pd.concat([frame[["section_id", "name"]], sections]).drop_duplicates("section_id")
                names = _section_names(sections)
        frames.append((kind, path, tables))
    if problems:
        raise io.InputError(problems, omitted=omitted)
    return frames


def import_files(
    engine: Engine,
    batch: Sequence[tuple[str, str | Path]],
    progress: Progress | None = None,
    *,
    actor: str | None = None,
    section: str | None = None,
) -> ImportReport:
    """Import ``batch`` — (KIND, file) pairs — in one transaction; nothing is written on any error.

    With ``actor`` (who imports, e.g. a signed-in user), each file is recorded in the audit log
    in the same transaction: action ``import``, its tables, the file name as key, the rows
    written per table as ``after``. ``section`` as for :func:`read_batch`.

    Raises
    ------
    io.InputError
        With every problem found (file, row, column, reason in Chinese and English). The
        database is left exactly as before.
    """
    batch = [(kind, Path(path)) for kind, path in batch]
    for kind, _ in batch:
        if kind not in io.KINDS:
            raise io.InputError(
                [io.Problem("", None, None, f"未知的数据类型 {kind!r}，可选：{', '.join(io.KINDS)}",
                            f"unknown kind {kind!r}; one of: {', '.join(io.KINDS)}")]
            )
    report = ImportReport()
    try:
        with engine.begin() as conn:
            for kind, path, tables in read_batch(conn, batch, progress, section=section):
                written = {table: store.upsert(conn, table, frame) for table, frame in tables.items()}
                report.files.append((kind, path, written))
                if actor is not None:
                    audit.record(conn, username=actor, action="import", table=",".join(written), key=path.name,
                                 after=written, detail=f"{kind}: {path.name}")  # fmt: skip
    except SQLAlchemyError as exc:
        reason = str(exc.orig) if getattr(exc, "orig", None) else str(exc)
        raise io.InputError(
            [io.Problem("", None, None, f"数据库拒绝写入，未作任何改动：{reason}",
                        f"the database refused the rows; nothing was written: {reason}")]
        ) from exc
    return report
