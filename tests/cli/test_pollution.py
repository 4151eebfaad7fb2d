"""``qingliu pollution ...`` end to end on the hand-built basin of tests/services/test_pollution.py
and on the bundled example.

The sub-app is mounted on a local root here, as ``qingliu`` mounts it (name "pollution").
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
import typer
from services.test_pollution import C_AT_A, PLANTS, RUNOFF, TRUE_K, YEAR, _samples, build
from typer.testing import CliRunner

from qingliu.cli import pollution
from qingliu.cli.output import console
from qingliu.services.pollution import assess_pollution

root = typer.Typer()
root.add_typer(pollution.app, name="pollution")


@root.callback()
def _root() -> None:
    """Test root."""


runner = CliRunner()


def run(*args: object):
    return runner.invoke(root, ["pollution", *(str(a) for a in args)])


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory):
    observed = {i: C_AT_A[i] * math.exp(-TRUE_K[i]) for i in C_AT_A}
    return build(tmp_path_factory.mktemp("pollution_cli"), samples=_samples(observed))


def test_loads_by_sector_as_json(ws) -> None:
    result = run("loads", ws.root, "--json")
    assert result.exit_code == 0, result.output
    rows = {r["sector"]: r for r in json.loads(result.output)}
    # plants: 94.608 + 23.652 t/a COD (城乡生活); cropland 200 t/a × λ 0.1 = 20 (农业面源)
    assert rows["domestic"]["cod_ta"] == pytest.approx(118.26)
    assert rows["agriculture"]["cod_share"] == pytest.approx(20 / 138.26)
    assert rows["agriculture"]["sector_zh"] == "农业面源"


def test_loads_by_county_printed_and_written(ws, tmp_path: Path) -> None:
    result = run("loads", ws.root, "--by", "county")
    assert result.exit_code == 0, result.output
    assert "乙县" in result.output and "43.7 (32%)" in result.output  # 23.652 + 20 = 43.652 of 138.26
    out = tmp_path / "sources.csv"
    result = run("loads", ws.root, "--by", "source", "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out).set_index("source_id")
    assert table.loc["P1", "tp_ta"] == pytest.approx(1.5768)


def test_model_json_gives_the_calibrated_rates_and_sections(ws) -> None:
    result = run("model", ws.root, "--design-flow", "recent_driest", "--runs", 100, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["year"] == YEAR and payload["design_flow"] == "recent_driest"
    assert payload["k_per_day"] == pytest.approx(TRUE_K, rel=1e-4)
    sections = {s["section_id"]: s for s in payload["sections"]}
    assert sections["S1"]["tp_mgl"] == pytest.approx(0.14 * math.exp(-0.1), rel=1e-4)
    assert sections["S2"]["dry"] is True and sections["S2"]["cod_mgl"] is None
    assert {s["station_id"] for s in payload["stations"] if not s["consistent"]} == {"H3"}
    assert len(payload["uncertainty"]) == 3 * 4
    assert any("S2" in note["en"] for note in payload["notes"])


def test_model_writes_the_sections_and_the_other_tables_beside(ws, tmp_path: Path) -> None:
    out = tmp_path / "model.csv"
    result = run("model", ws.root, "--period", f"{YEAR}-03", "--runs", 0, "-o", out)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["section_id"].tolist() == ["S1", "S2", "S3"]
    assert pd.read_csv(tmp_path / "model_calibration.csv")["item"].tolist() == ["cod", "nh3n", "tp", "tn"]
    assert (tmp_path / "model_stations.csv").exists() and (tmp_path / "model_fit.csv").exists()


def test_capacity_prints_the_zone_over_capacity_and_the_plan(ws) -> None:
    result = runner.invoke(root, ["pollution", "capacity", str(ws.root), "--design-flow", "recent_driest"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "甲河断面" in result.output and "over" in result.output
    assert "城乡生活" in result.output and "甲县" in result.output
    result = run("capacity", ws.root, "--design-flow", "recent_driest", "--json")
    payload = json.loads(result.output)
    cut = {(c["source_id"], c["item"]): c["cut_ta"] for c in payload["cuts"]}
    # (0.1267 - 0.1) mg/L × 1 m3/s / e^-0.1 × 31.536 = 0.92978 t/a of P1's TP
    capacity = (0.1 - 0.09 * math.exp(-0.1)) / math.exp(-0.1) * 31.536
    assert cut[("P1", "tp")] == pytest.approx(1.5768 - capacity, rel=1e-4)
    assert {p["county"] for p in payload["plan"] if p["cut_ta"] > 0} == {"甲县"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("loads", "{ws}", "--by", "river"), "sector | county"),
        (("model", "{ws}", "--design-flow", "wettest"), "guarantee | recent_driest | observed"),
        (("model", "{ws}", "--period", "2024-13"), "YYYY-MM"),
        (("capacity", "{ws}", "--design-flow", "guarantee", "--period", "2024"), "observed"),
        (("model", "{ws}", "--period", "2030", "--runs", "0"), "2030"),
        (("loads", "{missing}"), "qingliu init"),
    ],
)
def test_bad_options_and_data_exit_2(ws, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = runner.invoke(root, ["pollution", *(a.format(ws=ws.root, missing=tmp_path) for a in args)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_sources_whose_loads_cannot_be_computed_exit_2(tmp_path: Path) -> None:
    ws = build(tmp_path, sources=pd.concat([PLANTS, RUNOFF], ignore_index=True))
    result = runner.invoke(root, ["pollution", "loads", str(ws.root)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "R1" in result.output and "rain_mm" in result.output and "城市降雨径流" in result.output
    result = run("loads", ws.root, "--rain-mm", 500, "--by", "source", "--json")
    assert result.exit_code == 0, result.output
    runoff = {r["source_id"]: r for r in json.loads(result.output)}["R1"]
    assert runoff["cod_ta"] == pytest.approx(66.0 * 0.75)  # 2 km2 · 0.5 m · 0.55 · 120 mg/L, λ 0.75


def test_summary_for_qingliu_assess(ws) -> None:
    result = assess_pollution(ws.engine, YEAR, design_flow="recent_driest", runs=0)
    with console.capture() as captured:
        pollution.print_pollution_summary(result)
    text = captured.get()
    assert "cod 138 t/a (城乡生活 86%)" in text
    assert "甲县污水处理厂" in text  # the largest source behind S1's TP
    assert "1 个控制单元超载" in text


@pytest.mark.slow
def test_model_on_the_bundled_example(example_ws) -> None:
    result = run("model", example_ws.root, "--runs", 1000, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["design_flow"] == "guarantee" and len(payload["sections"]) == 26
    dry = {s["section_id"] for s in payload["sections"] if s["dry"]}
    assert all(s["q_m3s"] == 0 for s in payload["sections"] if s["section_id"] in dry)
    short = {s["station_id"] for s in payload["stations"] if not s["consistent"]}
    assert all(any(station in note["en"] for note in payload["notes"]) for station in short)
