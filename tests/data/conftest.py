"""The shipped example files, read as text (no type guessing), once per session."""

from __future__ import annotations

import pandas as pd
import pytest

from qingliu.data import example_files


@pytest.fixture(scope="session")
def example() -> dict[str, pd.DataFrame]:
    """Every file of the shipped ``jinzhong`` example by KIND, all cells as text ("" when empty)."""
    return {kind: pd.read_csv(path, dtype=str, keep_default_na=False) for kind, path in example_files("jinzhong")}
