"""Benchmark: import the bundled Jinzhong example into an empty SQLite workspace.

Issue goal: under 30 s on the project machine (2 cores). Prints seconds, rows and rows/s, and
the split between reading/validating the files and writing them. Not a test; run by hand:

    .venv/bin/python benchmarks/bench_import.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from qingliu import data
from qingliu.services.importing import import_files, read_batch
from qingliu.services.workspace import create_workspace

GOAL_S = 30.0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = create_workspace(Path(tmp) / "ws")
        files = data.example_files("jinzhong")
        with ws.engine.connect() as conn:
            t0 = time.perf_counter()
            read_batch(conn, files)
            t_read = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = import_files(ws.engine, files)
        total = time.perf_counter() - t0
        rows = sum(report.rows.values())
        ws.engine.dispose()
    print(f"files: {len(files)}, rows: {rows:,}")
    print(f"read + validate: {t_read:.2f} s; full import (read, validate, write, commit): {total:.2f} s")
    print(f"throughput: {rows / total:,.0f} rows/s; goal {GOAL_S:.0f} s -> ratio goal/actual = {GOAL_S / total:.1f}x")


if __name__ == "__main__":
    main()
