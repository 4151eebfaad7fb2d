"""The generator is reproducible and the manifest describes the shipped files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from qingliu.data import EXAMPLES, example_dir, example_files, example_manifest
from qingliu.data._format import dumps_toml, format_numbers, round_sig
from qingliu.data.generate import main

KINDS = ["network", "counties", "sections", "stations", "reservoirs", "sources", "projects", "samples", "flows",
         "water-use", "rain", "levels", "health-survey"]  # fmt: skip


def test_regenerating_gives_byte_identical_files(tmp_path: Path) -> None:
    assert main(["--out", str(tmp_path)]) == 0
    shipped = example_dir("jinzhong")
    names = ["metadata.toml", *(path.name for _, path in example_files("jinzhong"))]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    for name in names:
        assert (tmp_path / name).read_bytes() == (shipped / name).read_bytes(), name


def test_another_seed_moves_the_series_but_not_the_layout(tmp_path: Path) -> None:
    main(["--out", str(tmp_path), "--seed", "7"])
    shipped = example_dir("jinzhong")
    for fixed in ("network.csv", "sections.csv", "stations.csv", "reservoirs.csv"):
        assert (tmp_path / fixed).read_bytes() == (shipped / fixed).read_bytes()
    for moved in ("flows.csv", "samples.csv", "water_use.csv", "rain.csv", "levels.csv", "health_survey.csv"):
        assert (tmp_path / moved).read_bytes() != (shipped / moved).read_bytes()
    assert tomllib.loads((tmp_path / "metadata.toml").read_text(encoding="utf-8"))["seed"] == 7


def test_manifest_carries_the_illustrative_label_in_both_languages() -> None:
    meta = example_manifest()
    assert meta["name"] == "jinzhong"
    assert meta["label"]["zh"] == "示意数据，非官方监测值"
    assert meta["label"]["en"] == "illustrative data, not official measurements"
    assert meta["title"]["zh"] and meta["title"]["en"]
    assert isinstance(meta["seed"], int) and meta["generator_version"]
    assert meta["period"]["flows"] == ["1980-01-01", "2025-12-31"]
    assert set(meta["notes"]) == set(KINDS)
    head = (example_dir() / "metadata.toml").read_text(encoding="utf-8").splitlines()[0]
    assert "示意数据" in head and "illustrative" in head


def test_manifest_lists_existing_files_in_import_order(example: dict[str, pd.DataFrame]) -> None:
    files = example_files()
    assert [kind for kind, _ in files] == KINDS
    assert all(path.is_file() for _, path in files)
    rows = {entry["kind"]: entry["rows"] for entry in example_manifest()["file"]}
    assert rows == {kind: len(frame) for kind, frame in example.items()}


def test_unknown_example_is_refused() -> None:
    assert EXAMPLES == ("jinzhong",)
    with pytest.raises(ValueError, match="no bundled example"):
        example_dir("atlantis")


def test_shipped_files_are_small() -> None:
    total = sum(path.stat().st_size for path in example_dir().iterdir())
    assert total < 6_000_000


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [(0.123456, 4, "0.1235"), (123456.0, 3, "123000"), (0.00004177, 4, "0.00004177"), (12.0, 4, "12"),
     (0.1, 4, "0.1"), (-0.0, 3, "0"), (995.0, 2, "1000")],
)  # fmt: skip
def test_numbers_are_written_plainly(value: float, digits: int, text: str) -> None:
    assert format_numbers([value], sig=digits)[0] == text


def test_rounding_is_exact_in_decimal() -> None:
    assert list(round_sig([0.12345678, 987654.0, 0.0], 3)) == [0.123, 988000.0, 0.0]
    assert list(format_numbers([1.23456, float("nan")], decimals=3)) == ["1.235", ""]


def test_toml_writer_round_trips() -> None:
    doc = {"a": 1, "b": '引号"与\\', "c": [1, 2], "t": {"x": True}, "f": [{"k": "v"}, {"k": "w", "n": 0.5}]}
    assert tomllib.loads(dumps_toml(doc, "comment")) == doc
