"""The bundled examples (内置示例): illustrative data, loaded through the same importers as real data."""

from __future__ import annotations

from qingliu import data
from qingliu.services.importing import ImportReport, Progress, import_files
from qingliu.services.workspace import Workspace, WorkspaceError


def check_example(name: str) -> None:
    """Raise :class:`WorkspaceError` unless ``name`` is a bundled example."""
    if name not in data.EXAMPLES:
        raise WorkspaceError(
            f"没有名为 {name!r} 的内置示例，可选：{', '.join(data.EXAMPLES)} / "
            f"no bundled example {name!r}; one of: {', '.join(data.EXAMPLES)}"
        )


def load_example(workspace: Workspace, name: str, progress: Progress | None = None) -> ImportReport:
    """Import every file of example ``name`` into ``workspace`` in one all-or-nothing batch."""
    check_example(name)
    return import_files(workspace.engine, data.example_files(name), progress)
