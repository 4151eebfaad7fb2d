"""The same table written in every accepted encoding and format gives the same canonical frame.

Expected frames are written out by hand; unit conversions are done by hand in the comments.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest

from qingliu.io import read_input

KNOWN = {("station", "station_id"): {"ST1", "ST2"}}

FLOWS = pd.DataFrame(
    {
        "station_id": ["ST1", "ST1", "ST2"],
        "date": pd.to_datetime(["2024-03-05", "2024-03-06", "2024-03-05"]).astype("datetime64[us]"),
        "q": [1.5, 0.0, 1234.5],
    }
)


def _check(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(frame.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), expected, check_exact=False, rtol=1e-12)


def test_utf8_csv(tmp_path) -> None:
    path = tmp_path / "flows.csv"
    path.write_text(
        'station_id,date,q\nST1,2024-03-05,1.5\nST1,2024-03-06,0\nST2,2024-03-05,"1,234.5"\n', encoding="utf-8"
    )
    _check(read_input("flows", path, known=KNOWN)["flow_daily"], FLOWS)


def test_utf8_bom_csv_with_chinese_headers(tmp_path) -> None:
    path = tmp_path / "日流量.csv"
    path.write_text(
        "测站编码,日期,流量（m3/s）\nST1,2024年3月5日,1.5\nST1,2024/3/6,0\nST2,20240305,1234.5\n", encoding="utf-8-sig"
    )
    _check(read_input("flows", path, known=KNOWN)["flow_daily"], FLOWS)


def test_gb18030_csv_with_litres_per_second_and_semicolons(tmp_path) -> None:
    # 1500 L/s = 1.5 m3/s; 1 234 500 L/s = 1234.5 m3/s
    path = tmp_path / "flows.csv"
    path.write_bytes(
        "测站编码;日期;流量(L/s)\nST1;2024-03-05;1500\nST1;2024-03-06;0\nST2;2024-03-05;1234500\n".encode("gb18030")
    )
    _check(read_input("flows", path, known=KNOWN)["flow_daily"], FLOWS)


def test_gbk_csv_with_tabs_and_full_width_digits(tmp_path) -> None:
    path = tmp_path / "flows.tsv"
    path.write_bytes(
        "站码\t日期\t流量\nST1\t2024-03-05\t１.５\nST1\t2024-03-06\t0\nST2\t2024-03-05\t1,234.5\n".encode("gbk")
    )
    _check(read_input("flows", path, known=KNOWN)["flow_daily"], FLOWS)


def test_cubic_feet_per_second(tmp_path) -> None:
    # 1 ft3 = 0.3048**3 m3 = 0.028316846592 m3, so 100 cfs = 2.8316846592 m3/s
    path = tmp_path / "flows.csv"
    path.write_text("station_id,date,q(cfs)\nST1,2024-03-05,100\n", encoding="utf-8")
    assert read_input("flows", path, known=KNOWN)["flow_daily"]["q"].iat[0] == pytest.approx(2.8316846592, rel=1e-12)


def test_xlsx_with_typed_cells_title_row_and_named_sheet(tmp_path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本工作簿第二页为日流量"])
    sheet = book.create_sheet("日流量")
    sheet.append(["2024年3月 日流量表"])  # a title above the header
    sheet.append(["测站编码", "日期", "流量(m3/s)", None])
    sheet.append(["ST1", dt.datetime(2024, 3, 5), 1.5, "备注不在表头下"])
    sheet.append(["ST1", dt.date(2024, 3, 6), 0])
    sheet.append([])
    sheet.append(["ST2", 45356, 1234.5])  # Excel serial 45356 = 2024-03-05
    path = tmp_path / "flows.xlsx"
    book.save(path)
    _check(read_input("flows", path, known=KNOWN)["flow_daily"], FLOWS)


def test_parquet_with_typed_columns(tmp_path) -> None:
    path = tmp_path / "flows.parquet"
    pd.DataFrame(
        {
            "station_id": ["ST1", "ST1", "ST2"],
            "date": pd.to_datetime(["2024-03-05", "2024-03-06", "2024-03-05"]),
            "q": [1.5, 0.0, 1234.5],
        }
    ).to_parquet(path)
    _check(read_input("flows", path, known=KNOWN)["flow_daily"], FLOWS)


def test_identical_duplicate_rows_are_collapsed(tmp_path) -> None:
    path = tmp_path / "flows.csv"
    path.write_text(
        "station_id,date,q\nST1,2024-03-05,1.5\nST1,2024-03-06,0\nST1,2024-03-05,1.50\nST2,2024-03-05,1234.5\n",
        encoding="utf-8",
    )
    _check(read_input("flows", path, known=KNOWN)["flow_daily"], FLOWS)


def test_blank_lines_and_missing_optional_columns(tmp_path) -> None:
    path = tmp_path / "flows.csv"
    path.write_text(
        "\nstation_id,date,q,备注\n\nST1,2024-03-05,1.5,好\nST1,2024-03-06,0,\n\nST2,2024-03-05,1234.5,\n",
        encoding="utf-8",
    )
    _check(read_input("flows", path, known=KNOWN)["flow_daily"], FLOWS)


def test_excel_booleans_and_integers_come_typed(tmp_path) -> None:
    book = openpyxl.Workbook()
    book.active.append(
        ["断面编码", "断面名称", "河流", "节点编码", "断面级别", "水体类型", "水质目标", "所在区县", "出境断面"]
    )
    book.active.append(["S01", "桑平峪", "汾河", "N1", "省控", "河流", 3.0, 140702, True])
    book.active.append(["S02", "温南社", "汾河", "N2", "国控", "河流", "Ⅳ类", 140702.0, False])
    path = tmp_path / "sections.xlsx"
    book.save(path)
    out = read_input("sections", path, known={("node", "node_id"): {"N1", "N2"}, ("county", "county_id"): {"140702"}})
    frame = out["section"]
    assert frame["target_class"].tolist() == [3, 4] and frame["target_class"].dtype == np.int64
    assert frame["county_id"].tolist() == ["140702", "140702"]
    assert frame["is_boundary"].tolist() == [True, False] and frame["is_boundary"].dtype == bool
    assert frame["level"].tolist() == ["provincial", "national"]
