"""The pollution-control report section on the hand-built basin of tests/services/test_pollution.py.

There: COD entering the rivers is 94.608 t/a from plant P1 and 23.652 t/a from P2 (城乡生活,
118.26 t/a) and 20 t/a from cropland F1 (农业面源), 138.26 t/a in all (NH3-N 6.3072 + 1.26144 +
1 = 8.569 t/a); in 2024 S1 misses its class-II TP target (0.14·e^-0.1 = 0.127 mg/L) and P1 is
the only source above it; S2 is dry under the design flow.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from services.test_pollution import C_AT_A, NODES, TRUE_K, YEAR, _samples, build

from qingliu.report.content import Chart, Figure, Report, Table
from qingliu.report.pollution import LOAD_COLOURS, MARKER_RADIUS, SECTOR_COLOURS, load_markers, pollution_section
from qingliu.report.render import render
from qingliu.services.pollution import assess_pollution


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    observed = {i: C_AT_A[i] * math.exp(-TRUE_K[i]) for i in C_AT_A}
    ws = build(tmp_path_factory.mktemp("pollution_report"), samples=_samples(observed))
    return assess_pollution(ws.engine, YEAR, design_flow="recent_driest", runs=200)


def _block(section, key: str):
    return next(b for b in section.blocks if b.key == key)


def test_pies_split_each_item_by_sector(result) -> None:
    section = pollution_section(result, NODES, "zh")
    pie = _block(section, "pol_pie_cod")
    assert isinstance(pie, Chart) and pie.kind == "pie"
    values = dict(zip(pie.frame.iloc[:, 0], pie.frame.iloc[:, 1], strict=True))
    assert values == {"农业面源": pytest.approx(20.0), "城乡生活": pytest.approx(118.26)}
    assert pie.colors == (SECTOR_COLOURS["agriculture"], SECTOR_COLOURS["domestic"])
    assert [b.key for b in section.blocks if isinstance(b, Chart)] == ["pol_pie_cod", "pol_pie_nh3n", "pol_pie_tp"]


def test_summary_in_words(result) -> None:
    zh = pollution_section(result, NODES, "zh")
    assert zh.title == "污染防治（2024）"
    assert zh.paragraphs[0].startswith("2024年全市 3 个污染源入河量：化学需氧量 138.3 吨/年、氨氮 8.569 吨/年")
    assert "化学需氧量以城乡生活为主（85.5%）" in zh.paragraphs[0]
    assert "甲河断面（总磷 0.127 mg/L，目标 0.1，首要来源为甲县污水处理厂）" in zh.paragraphs[1]
    assert "1 个断面无水" in zh.paragraphs[2]
    en = pollution_section(result, NODES, "en")
    assert en.title == "Pollution control (2024)"
    assert en.paragraphs[3].startswith("Zones over capacity: 1, which must cut (t/a) TP 0.9298")
    assert any(p.startswith("Note: Under the design flow no water reaches S2") for p in en.paragraphs)


def test_tables_show_apportionment_model_capacity_and_plan(result) -> None:
    section = pollution_section(result, NODES, "en")
    apportion = _block(section, "pol_apportion").frame.set_index(["Section", "Item"])
    assert apportion.loc[("丙河断面", "COD"), "domestic"] == "70.3%"  # 23.652 / 33.652
    assert apportion.loc[("甲河断面", "TP"), "Catchment load (t/a)"] == pytest.approx(1.58)
    model = _block(section, "pol_model").frame.set_index("Section")
    assert model.loc["乙河断面", "Above target"] == "dry"
    assert model.loc["甲河断面", "Above target"] == "TP"
    assert model.loc["甲河断面", "TP (mg/L)"] == pytest.approx(0.14 * math.exp(-0.1), rel=1e-4)
    capacity = _block(section, "pol_capacity").frame
    assert set(capacity.loc[capacity["Zone (section)"] == "乙河断面", "Status"]) == {"dry"}
    plan = _block(section, "pol_plan").frame
    assert plan[["Item", "Sector", "County"]].values.tolist() == [["TP", "domestic", "甲县"]]
    top = _block(section, "pol_top_sources").frame
    assert top[["Section", "Source", "Share"]].values.tolist() == [["甲河断面", "甲县污水处理厂", "100.0%"]]
    calibration = _block(section, "pol_calibration").frame.set_index("Item")
    assert calibration.loc["TP", "K (1/d)"] == pytest.approx(0.1, rel=1e-4)
    assert list(_block(section, "pol_fit").frame.columns[:3]) == ["Section", "COD observed", "COD modelled"]


def test_without_samples_no_calibration_or_failing_tables(tmp_path: Path) -> None:
    r = assess_pollution(build(tmp_path).engine, YEAR, design_flow="recent_driest", runs=0)
    section = pollution_section(r, NODES, "zh")
    keys = {b.key for b in section.blocks}
    assert {"pol_calibration", "pol_fit", "pol_top_sources"}.isdisjoint(keys)
    assert "超标概率" not in _block(section, "pol_model").frame.columns
    assert "衰减系数 K 取默认值" in section.paragraphs[1]
    assert any("不判断超标断面" in p for p in section.paragraphs)


def test_load_markers_by_quintile_and_square_root() -> None:
    loads = pd.DataFrame({"node_id": list("ABCDEF"), "name": ["a", "b", "c", "d", "e", None],
                          "cod_ta": [0.0, 1.0, 4.0, 9.0, 16.0, 100.0]})
    markers = load_markers(loads).set_index("node_id")
    assert "A" not in markers.index  # no load, no marker
    # five loads 1, 4, 9, 16, 100: one per quintile, lightest to darkest
    assert markers["color"].tolist() == list(LOAD_COLOURS)
    low, high = MARKER_RADIUS
    assert markers.loc["C", "radius"] == pytest.approx(low + (high - low) * math.sqrt(4 / 100), abs=0.05)
    assert markers.loc["F", "radius"] == pytest.approx(high)
    assert markers.loc["F", "label"] == "F 100 t/a"  # unnamed node: its id


def test_map_and_every_format_render(result, tmp_path: Path) -> None:
    section = pollution_section(result, NODES, "zh")
    figure = _block(section, "pol_map")
    assert isinstance(figure, Figure) and figure.svg.startswith("<svg") and "甲县污水处理厂" not in figure.svg
    assert "甲河源 95 t/a" in figure.svg  # P1's 94.608 t/a enters at A
    assert all(isinstance(b, Table | Chart | Figure) for b in section.blocks)
    paths = render(Report("t", "s", "zh", "g", sections=[section]), ["html", "xlsx"], tmp_path)
    assert [p.suffix for p in paths] == [".html", ".xlsx"] and all(p.stat().st_size > 0 for p in paths)
    assert np.isfinite(_block(section, "pol_sectors").frame.iloc[:, 1]).all()
