"""``qingliu wq ...`` and ``qingliu assess/report`` end to end, against hand-computed answers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pymannkendall
import pytest
from typer.testing import CliRunner

from qingliu.cli.main import app

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


CNEMC = """省份,流域,断面名称,监测时间,水质类别,水温（℃）,pH(无量纲),溶氧量(mg/L),电导率（μS/cm）,浊度（NTU）,高锰酸盐指数（mg/L）,氨氮（mg/L）,总磷（mg/L）,总氮（mg/L）,站点情况
山西省,黄河流域,甲,2025-03-01 08:00,Ⅱ,10.2,7.5,8.1,520,12,3.2,0.4,0.05,2.1,正常
山西省,黄河流域,甲,2025-03-01 12:00,--,--,--,--,--,--,--,--,--,--,维护
山西省,黄河流域,乙,2025-03-01 08:00,Ⅳ,11.0,7.2,4.5,610,30,6.5,1.2,0.25,3.0,正常
山西省,黄河流域,丙,2025-03-01 08:00,劣Ⅴ,11.0,9.3,7.9,610,30,3.0,0.2,0.05,1.0,正常
"""


def test_classify_cnemc_table_row_by_row(tmp_path: Path) -> None:
    src = tmp_path / "cnemc.csv"
    src.write_text(CNEMC, encoding="utf-8")
    out = tmp_path / "classes.csv"
    result = run("wq", "classify", src, "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    # by hand from GB 3838-2002 Table 1: 甲 DO 8.1>=7.5 I, CODMn 3.2<=4 II, NH3-N 0.4<=0.5 II, TP 0.05<=0.1 II
    # 乙 DO 4.5 in [3,5) IV, CODMn 6.5 in (6,10] IV, NH3-N 1.2 in (1,1.5] IV, TP 0.25 in (0.2,0.3] IV
    # 丙 pH 9.3 outside 6-9 -> 劣V; the maintenance row has nothing evaluable
    assert table["section_id"].tolist() == ["甲", "甲", "乙", "丙"]
    assert table["class"].tolist() == ["2", "", "4", "6"]
    assert table["class_label"].tolist() == ["II", "", "IV", "劣V"]
    assert table.loc[0, "worst"].split(";") == ["codmn", "nh3n", "tp"]
    assert table.loc[2, "worst"].split(";") == ["do", "codmn", "nh3n", "tp"]
    assert table.loc[3, "worst"] == "ph"
    assert table.loc[0, "class_do"] == "1" and table.loc[2, "class_tp"] == "4"
    assert "class_conductivity" not in table.columns or table["class_conductivity"].eq("").all()


def test_classify_lake_uses_lake_tp_limits(tmp_path: Path) -> None:
    src = tmp_path / "lake.csv"
    src.write_text("time,总磷(mg/L)\n2025-01-01,0.03\n", encoding="utf-8")
    river = run("wq", "classify", src, "--json")
    lake = run("wq", "classify", src, "--water-body", "lake", "--json")
    # TP 0.03: river limits II 0.1 -> II; lake limits III 0.05 (II is 0.025) -> III
    assert json.loads(river.output)[0]["class"] == 2
    assert json.loads(lake.output)[0]["class"] == 3


def test_classify_bad_water_body_exits_2(tmp_path: Path) -> None:
    src = tmp_path / "x.csv"
    src.write_text("time,总磷\n2025-01-01,0.03\n", encoding="utf-8")
    assert run("wq", "classify", src, "--water-body", "sea").exit_code == 2


def test_classify_bad_value_names_row_and_column(tmp_path: Path) -> None:
    src = tmp_path / "bad.csv"
    src.write_text("time,氨氮(mg/L)\n2025-01-01,0.5\n2025-02-01,abc\n", encoding="utf-8")
    result = run("wq", "classify", src)
    assert result.exit_code == 2
    assert "bad.csv" in result.output and "3" in result.output and "氨氮(mg/L)" in result.output


def test_evaluate_sections_and_summary(tmp_path: Path) -> None:
    samples = tmp_path / "samples.csv"
    samples.write_text(
        "section_id,time,parameter,value\n"
        "A,2025-01-10,nh3n,1.2\nA,2025-02-10,nh3n,2.4\nA,2025-01-10,tp,0.1\nA,2025-02-10,tp,0.1\n"
        "B,2025-01-10,nh3n,0.3\nB,2025-02-10,nh3n,0.01L\nB,2025-03-10,nh3n,9.9\n",
        encoding="utf-8",
    )
    sections = tmp_path / "sections.csv"
    sections.write_text("section_id,河流,水质目标\nA,汾河,III\nB,汾河,II\n", encoding="utf-8")
    out, summary = tmp_path / "eval.csv", tmp_path / "summary.csv"
    result = run("wq", "evaluate", samples, "--sections", sections, "--from", "2025-01", "--to", "2025-02",
                 "-o", out, "--summary", summary)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out).set_index("section_id")
    # A: NH3-N mean (1.2 + 2.4) / 2 = 1.8 -> V (1.5 < 1.8 <= 2.0); multiple (1.8 - 1.0) / 1.0 = 0.80
    assert table.loc["A", "nh3n"] == pytest.approx(1.8)
    assert table.loc["A", "class_label"] == "V"
    assert not table.loc["A", "meets_target"]
    assert table.loc["A", "main_pollutants"] == "nh3n(0.80)"
    # B: March is outside the period; 0.01L counts as half the limit: (0.3 + 0.005) / 2 = 0.1525 -> II
    assert table.loc["B", "nh3n"] == pytest.approx(0.1525)
    assert table.loc["A", "n"] == 2 and table.loc["B", "n"] == 2  # B's March sample is outside the period
    assert table.loc["B", "class_label"] == "II"
    assert table.loc["B", "meets_target"]
    groups = pd.read_csv(summary).set_index("river")
    # 2 sections (< 5): the river is classed on the mean of the sections: (1.8 + 0.1525) / 2 = 0.97625 -> III
    assert groups.loc["汾河", "status"] == "良好"
    assert groups.loc["汾河", "share_1_3"] == pytest.approx(0.5)


def test_trend_matches_pymannkendall(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    values = np.round(rng.normal(size=60).cumsum(), 1)  # rounding makes ties
    values[[5, 17]] = np.nan
    times = pd.date_range("2015-01-01", periods=60, freq="MS")
    src = tmp_path / "series.csv"
    pd.DataFrame({"series_id": "S", "time": times, "value": values}).to_csv(src, index=False)
    result = run("wq", "trend", src, "--json")
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)[0]
    oracle = pymannkendall.original_test(values)
    assert row["s"] == pytest.approx(oracle.s, abs=1e-9)
    assert row["var_s"] == pytest.approx(oracle.var_s, rel=1e-12)
    assert row["p"] == pytest.approx(oracle.p, abs=1e-9)
    assert row["slope"] == pytest.approx(oracle.slope, abs=1e-9)
    assert row["intercept"] == pytest.approx(oracle.intercept, abs=1e-9)
    assert row["trend"] == oracle.trend
    seasonal = json.loads(run("wq", "trend", src, "--method", "seasonal", "--json").output)[0]
    oracle = pymannkendall.seasonal_test(values, period=12)
    assert seasonal["s"] == pytest.approx(oracle.s) and seasonal["p"] == pytest.approx(oracle.p, abs=1e-9)


def test_tli_by_hand(tmp_path: Path) -> None:
    src = tmp_path / "lake.csv"
    src.write_text("name,chla,tp,tn,sd,codmn\nA,10,0.05,1.0,1.0,4\n", encoding="utf-8")
    result = run("wq", "tli", src, "--json")
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)[0]
    r2 = {"chla": 1.0, "tp": 0.84**2, "tn": 0.82**2, "sd": 0.83**2, "codmn": 0.83**2}
    sub = {
        "chla": 10 * (2.5 + 1.086 * math.log(10)),
        "tp": 10 * (9.436 + 1.624 * math.log(0.05)),
        "tn": 10 * (5.453 + 1.694 * math.log(1.0)),
        "sd": 10 * (5.118 - 1.94 * math.log(1.0)),
        "codmn": 10 * (0.109 + 2.661 * math.log(4)),
    }
    expected = sum(r2[k] * sub[k] for k in sub) / sum(r2.values())
    assert row["tli"] == pytest.approx(expected, abs=0.01)  # 48.02: 30 < TLI <= 50, mesotrophic
    assert row["trophic_class"].startswith("中营养")


def test_assess_example_is_consistent(example_ws) -> None:
    result = run("assess", example_ws.root, "--year", 2025, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)["water_quality"]
    sections = pd.DataFrame(payload["sections"])
    city = payload["city"][0]
    classes = sections.loc[sections["class"] > 0, "class"]
    assert city["n_sections"] == len(classes)
    assert city["share_1_3"] == pytest.approx((classes <= 3).mean())
    assert city["share_6"] == pytest.approx((classes == 6).mean())
    share = city["share_1_3"]
    expected = "优" if share >= 0.9 else "良好" if share >= 0.75 else None
    if expected:
        assert city["status_zh"] == expected
    # the example's designed failures in 2025 (data/generate notes): three sections miss their target
    assert sorted(sections.loc[~sections["meets_target"], "name"]) == sorted(["太榆退水渠入潇口", "乌马河入昌源河口", "东泉"])


def test_assess_month_and_unknown_year(example_ws) -> None:
    assert run("assess", example_ws.root, "--year", 2025, "--month", 6).exit_code == 0
    flows_only = run("assess", example_ws.root, "--year", 1990)  # flows and rain, no water quality yet
    assert flows_only.exit_code == 0, flows_only.output
    assert "水旱灾害" in flows_only.output
    result = run("assess", example_ws.root, "--year", 1970)
    assert result.exit_code == 2
    assert "1970" in result.output


def test_report_in_every_format(example_ws, tmp_path: Path) -> None:
    result = run("report", example_ws.root, "--year", 2025, "--format", "html,xlsx,docx,pdf", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    for ext in ("html", "xlsx", "docx", "pdf"):
        assert (tmp_path / f"qingliu-2025-zh.{ext}").stat().st_size > 1000
    book = openpyxl.load_workbook(tmp_path / "qingliu-2025-zh.xlsx", read_only=True)
    assert "wq_sections" in book.sheetnames
    assert "示意数据" in (tmp_path / "qingliu-2025-zh.html").read_text(encoding="utf-8")


def test_report_rejects_unknown_format(example_ws, tmp_path: Path) -> None:
    assert run("report", example_ws.root, "--format", "odt", "--out", tmp_path).exit_code == 2
