"""Bundled example basins (内置示例流域): illustrative data shipped with the package.

Each example is a folder of CSV files and a ``metadata.toml`` manifest that lists them, with
their KIND, in import order. The data are illustrative (示意数据，非官方监测值), written by a
seeded generator (``python -m qingliu.data.generate``), and are imported through the same
importers as real data.

This module only locates the files; it imports nothing heavy.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

EXAMPLES: tuple[str, ...] = ("jinzhong",)
"""Names of the bundled examples."""

MANIFEST = "metadata.toml"


def example_dir(name: str = "jinzhong") -> Path:
    """Folder of example ``name`` inside the installed package (found via importlib.resources).

    Parameters
    ----------
    name : one of :data:`EXAMPLES`.

    Returns
    -------
    Path
        The folder holding ``metadata.toml`` and the data files.

    Raises
    ------
    ValueError
        ``name`` is not a bundled example.
    FileNotFoundError
        The folder or its manifest is missing (an installation without package data).
    """
    if name not in EXAMPLES:
        raise ValueError(
            f"没有名为 {name!r} 的内置示例，可选：{', '.join(EXAMPLES)} / "
            f"no bundled example {name!r}; one of: {', '.join(EXAMPLES)}"
        )
    folder = Path(str(resources.files(__name__).joinpath(name)))
    if not (folder / MANIFEST).is_file():
        raise FileNotFoundError(f"示例 {name} 的文件缺失：{folder} / files of example {name} are missing: {folder}")
    return folder


def example_manifest(name: str = "jinzhong") -> dict[str, Any]:
    """The parsed ``metadata.toml`` of example ``name``.

    Keys: ``name``, ``title`` and ``label`` ({zh, en}), ``seed``, ``generator``,
    ``generator_version``, ``period``, ``notes`` (by KIND) and ``file`` (a list of
    {kind, path, tables, rows}, in import order).
    """
    return tomllib.loads((example_dir(name) / MANIFEST).read_text(encoding="utf-8"))


def example_files(name: str = "jinzhong") -> list[tuple[str, Path]]:
    """``(KIND, path)`` of every data file of example ``name``, in import order.

    KINDs are those of ``qingliu import``: network, counties, sections, stations, reservoirs,
    sources, projects, samples, flows, water-use.
    """
    folder = example_dir(name)
    return [(entry["kind"], folder / entry["path"]) for entry in example_manifest(name)["file"]]


__all__ = ["EXAMPLES", "example_dir", "example_files", "example_manifest"]
