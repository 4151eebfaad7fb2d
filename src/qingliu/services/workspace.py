"""Workspaces (工作空间): a folder holding its settings and, by default, its SQLite database.

``qingliu.toml`` in the folder records the database URL (empty = the SQLite file
``qingliu.db`` beside it) and the bundled example it was built from, if any.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import Engine

from qingliu import __version__, store

SETTINGS_FILE = "qingliu.toml"
DEFAULT_DB_FILE = "qingliu.db"


class WorkspaceError(ValueError):
    """A workspace that cannot be created or opened (message in Chinese and English)."""


@dataclass(frozen=True)
class Workspace:
    """An opened workspace: its folder, database URL and the example it came from."""

    root: Path
    db_url: str
    example: str | None = None

    @cached_property
    def engine(self) -> Engine:
        return store.connect(self.db_url)

    @property
    def illustrative(self) -> bool:
        """True when the data come from a bundled example (示意数据), not official measurements."""
        return self.example is not None


def _settings_text(db: str, example: str | None) -> str:
    lines = [
        "# qingliu workspace settings (qingliu 工作空间设置)",
        f'qingliu_version = "{__version__}"',
        "# database URL; empty = the SQLite file qingliu.db in this folder",
        f'db = "{db}"',
    ]
    if example:
        lines.append(f'example = "{example}"  # built from the bundled example: illustrative data')
    return "\n".join(lines) + "\n"


def open_workspace(root: str | Path) -> Workspace:
    """Open the workspace in ``root``; raise :class:`WorkspaceError` if there is none."""
    root = Path(root).resolve()
    settings = root / SETTINGS_FILE
    if not settings.is_file():
        raise WorkspaceError(
            f"{root} 不是 qingliu 工作空间（缺少 {SETTINGS_FILE}），请先运行 qingliu init / "
            f"{root} is not a qingliu workspace (no {SETTINGS_FILE}); run `qingliu init` first"
        )
    data = tomllib.loads(settings.read_text(encoding="utf-8"))
    db = data.get("db") or store.sqlite_url(root / DEFAULT_DB_FILE)
    return Workspace(root=root, db_url=db, example=data.get("example"))


def create_workspace(root: str | Path, *, db_url: str | None = None, example: str | None = None) -> Workspace:
    """Create the folder and settings, and migrate the database to the current schema."""
    root = Path(root).resolve()
    if (root / SETTINGS_FILE).exists():
        raise WorkspaceError(
            f"{root} 已是工作空间，未作改动 / {root} is already a workspace; nothing was changed"
        )
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"{root} 不是文件夹 / {root} is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    (root / SETTINGS_FILE).write_text(_settings_text(db_url or "", example), encoding="utf-8")
    ws = open_workspace(root)
    store.migrate(ws.engine)
    if example:
        with ws.engine.begin() as conn:
            store.set_meta(conn, "example", example)
    return ws
