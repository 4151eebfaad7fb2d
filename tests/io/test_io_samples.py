"""Water-quality samples: long and wide layouts, detection limits, units, CNEMC real-time tables.

Expected frames are written by hand from the input cells.
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from qingliu.io import read_input

KNOWN = {("section", "section_id"): {"S01", "S02"}}


def _frame(rows: list[tuple], source: str) -> pd.DataFrame:
    """Canonical wq_sample frame from (section, time, parameter, value, flag) tuples."""
    section, time, parameter, value, flag = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "section_id": list(section),
            "time": pd.to_datetime(list(time)).astype("datetime64[us]"),
            "parameter": list(parameter),
            "value": np.array(value, dtype="float64"),
            "flag": list(flag),
            "source": [source] * len(rows),
        }
    )


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["section_id", "time", "parameter"]).reset_index(drop=True)


def _read(tmp_path, name: str, text: str, **kwargs) -> pd.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_input("samples", path, known=KNOWN, **kwargs)["wq_sample"]


EXPECTED = [
    ("S01", "2024-03-05", "codmn", 3.4, ""),
    ("S01", "2024-03-05", "nh3n", 0.21, ""),
    ("S01", "2024-03-05", "tp", 0.05, ""),
    ("S02", "2024-03-05", "codmn", 5.0, ""),
    ("S02", "2024-03-05", "nh3n", 0.025, "<"),
    ("S02", "2024-03-05", "tp", 0.01, "<"),
]


def test_long_english_headers(tmp_path) -> None:
    text = (
        "section_id,time,parameter,value,flag\n"
        "S01,2024-03-05,codmn,3.4,\nS01,2024-03-05,nh3n,0.21,\nS01,2024-03-05,tp,0.05,\n"
        "S02,2024-03-05,codmn,5,\nS02,2024-03-05,nh3n,0.025,<\nS02,2024-03-05,tp,<0.01,\n"
    )
    frame = _read(tmp_path, "s.csv", text)
    pd.testing.assert_frame_equal(_sorted(frame), _frame(EXPECTED, "s.csv"))


def test_long_chinese_headers_and_names(tmp_path) -> None:
    text = (
        "断面编码,监测时间,监测项目,监测值,标识\n"
        "S01,2024年3月5日,高锰酸盐指数,3.4,\nS01,2024年3月5日,NH3-N,0.21,\nS01,2024年3月5日,总磷(以P计),0.05,\n"
        "S02,2024/3/5,CODMn,5,\nS02,2024/3/5,氨氮,0.025,L\nS02,2024/3/5,總磷,0.01L,\n"
    )
    frame = _read(tmp_path, "s.csv", text)
    pd.testing.assert_frame_equal(_sorted(frame), _frame(EXPECTED, "s.csv"))


def test_wide_gives_the_long_frame(tmp_path) -> None:
    text = (
        "断面编码,监测时间,高锰酸盐指数(mg/L),氨氮,总磷(以P计)\n"
        "S01,2024-03-05,3.4,0.21,0.05\nS02,2024-03-05,5.0,<0.025,ND(0.01)\n"
    )
    frame = _read(tmp_path, "s.csv", text)
    pd.testing.assert_frame_equal(_sorted(frame), _frame(EXPECTED, "s.csv"))


def test_wide_xlsx_equals_wide_csv(tmp_path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "水质监测"
    for row in (
        ["断面编码", "监测时间", "高锰酸盐指数(mg/L)", "氨氮", "总磷(以P计)"],
        ["S01", pd.Timestamp("2024-03-05").to_pydatetime(), 3.4, 0.21, 0.05],
        ["S02", "2024-03-05", 5, "<0.025", "ND(0.01)"],
    ):
        book.active.append(row)
    path = tmp_path / "s.xlsx"
    book.save(path)
    frame = read_input("samples", path, known=KNOWN)["wq_sample"]
    pd.testing.assert_frame_equal(_sorted(frame), _frame(EXPECTED, "s.xlsx"))


@pytest.mark.parametrize(
    "cell", ["<0.01", "＜0.01", "0.01L", "0.01 L", "ND(0.01)", "ND（0.01）", "未检出(0.01)", "1E-2L"]
)
def test_below_detection_limit_notations(tmp_path, cell: str) -> None:
    frame = _read(tmp_path, "s.csv", f"断面编码,监测时间,总磷\nS01,2024-03-05,{cell}\n")
    assert frame[["value", "flag"]].values.tolist() == [[0.01, "<"]]


@pytest.mark.parametrize("cell", ["", "--", "—", "/", "NA", "维护", "停运", "仪器故障"])
def test_missing_and_status_cells_give_no_row(tmp_path, cell: str) -> None:
    frame = _read(tmp_path, "s.csv", f"断面编码,监测时间,总磷,氨氮\nS01,2024-03-05,{cell},0.2\n")
    assert frame["parameter"].tolist() == ["nh3n"]


def test_micrograms_per_litre_are_converted(tmp_path) -> None:
    # chlorophyll a: 12 µg/L = 12 mg/m3 (its internal unit); total phosphorus: 50 µg/L = 0.05 mg/L;
    # conductivity 0.85 mS/cm = 850 µS/cm
    text = "断面编码,监测时间,Chl-a(μg/L),总磷(µg/L),电导率(mS/cm)\nS01,2024-03-05,12,50,0.85\n"
    frame = _read(tmp_path, "s.csv", text).set_index("parameter")["value"]
    assert frame["chla"] == pytest.approx(12.0, rel=1e-12)
    assert frame["tp"] == pytest.approx(0.05, rel=1e-12)
    assert frame["conductivity"] == pytest.approx(850.0, rel=1e-12)


def test_long_unit_column_converts_per_row(tmp_path) -> None:
    text = (
        "section_id,time,parameter,value,unit\n"
        "S01,2024-03-05,tp,50,µg/L\nS01,2024-03-06,tp,0.04,mg/L\nS01,2024-03-07,tp,0.03,\n"
        "S01,2024-03-05,fecal_coliform,23,个/100mL\n"
    )
    frame = _read(tmp_path, "s.csv", text)
    tp = frame[frame["parameter"] == "tp"]["value"].tolist()
    assert tp == pytest.approx([0.05, 0.04, 0.03], rel=1e-12)
    # 23 per 100 mL = 230 per litre
    assert frame[frame["parameter"] == "fecal_coliform"]["value"].item() == pytest.approx(230.0, rel=1e-12)


def test_month_and_datetime_times(tmp_path) -> None:
    text = "断面编码,监测时间,总磷\nS01,2024-03,0.1\nS01,2024-04-05 08:00,0.2\nS01,2024年5月,0.3\nS02,45356.5,0.4\n"
    frame = _read(tmp_path, "s.csv", text)
    assert frame["time"].tolist() == [
        pd.Timestamp("2024-03-01"),
        pd.Timestamp("2024-04-05 08:00"),
        pd.Timestamp("2024-05-01"),
        pd.Timestamp("2024-03-05 12:00"),  # Excel serial 45356 = 2024-03-05, .5 day = noon
    ]


def test_water_temperature_may_be_below_zero(tmp_path) -> None:
    frame = _read(tmp_path, "s.csv", "断面编码,监测时间,水温(℃)\nS01,2024-01-05,-0.2\n")
    assert frame["value"].tolist() == [-0.2]


def test_source_column_or_file_name(tmp_path) -> None:
    text = "section_id,time,parameter,value,source\nS01,2024-03-05,tp,0.1,市监测站\nS01,2024-03-06,tp,0.1,\n"
    assert _read(tmp_path, "lab.csv", text)["source"].tolist() == ["市监测站", "lab.csv"]


def test_cnemc_real_time_table(tmp_path) -> None:
    """A table as downloaded from the CNEMC real-time platform, with names instead of ids."""
    text = (
        "省份,流域,断面名称,监测时间,水质类别,水温（℃）,pH(无量纲),溶氧量(mg/L),电导率（μS/cm）,浊度（NTU）,"
        "高锰酸盐指数（mg/L）,氨氮（mg/L）,总磷（mg/L）,总氮（mg/L）,站点情况\n"
        "山西省,黄河流域,桑平峪,2024-03-05 08:00,Ⅲ,8.2,7.91,9.1,812,15.2,3.4,0.21,0.085,4.1,正常\n"
        "山西省,黄河流域,桑平峪,2024-03-05 12:00,--,维护,维护,维护,维护,维护,维护,维护,维护,维护,维护\n"
        "山西省,黄河流域,温南社,2024-03-05 08:00,Ⅳ,7.5,8.1,--,905,20,5.1,0.02L,--,--,正常\n"
    )
    frame = _read(tmp_path, "cnemc.csv", text, section_names={"桑平峪": "S01", "温南社": "S02"})
    t = "2024-03-05 08:00"
    expected = _frame(
        [
            ("S01", t, "water_temp", 8.2, ""),
            ("S01", t, "ph", 7.91, ""),
            ("S01", t, "do", 9.1, ""),
            ("S01", t, "conductivity", 812.0, ""),
            ("S01", t, "turbidity", 15.2, ""),
            ("S01", t, "codmn", 3.4, ""),
            ("S01", t, "nh3n", 0.21, ""),
            ("S01", t, "tp", 0.085, ""),
            ("S01", t, "tn", 4.1, ""),
            ("S02", t, "water_temp", 7.5, ""),
            ("S02", t, "ph", 8.1, ""),
            ("S02", t, "conductivity", 905.0, ""),
            ("S02", t, "turbidity", 20.0, ""),
            ("S02", t, "codmn", 5.1, ""),
            ("S02", t, "nh3n", 0.02, "<"),
        ],
        "cnemc.csv",
    )
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), expected)


def test_identical_repeated_samples_are_collapsed(tmp_path) -> None:
    text = "section_id,time,parameter,value\nS01,2024-03-05,tp,0.1\nS01,2024-03-05,总磷,0.10\n"
    assert len(_read(tmp_path, "s.csv", text)) == 1


@pytest.mark.parametrize("header", ["总磷(以P计,mg/L)", "总磷(mg/L)(以P计)", "总磷（以P计，μg/L）"])
def test_unit_beside_a_qualifier_is_understood(tmp_path, header) -> None:
    path = tmp_path / "q.csv"
    path.write_text(f'section_id,time,"{header}"\nS01,2024-03-05,0.05\n', encoding="utf-8")
    frame = read_input("samples", path, known={("section", "section_id"): {"S01"}})["wq_sample"]
    expected = 0.05 * (0.001 if "μg" in header else 1.0)  # µg/L -> mg/L by hand
    assert frame["parameter"].tolist() == ["tp"] and frame["value"].tolist() == pytest.approx([expected])
