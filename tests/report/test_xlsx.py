"""Excel: an About sheet, then one sheet per table and per chart, read back with openpyxl."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from qingliu.report.content import Report
from qingliu.report.xlsx import sheet_names, write_xlsx


@pytest.fixture()
def book(sample: Report, tmp_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(write_xlsx(sample, tmp_path / "r.xlsx"))


def test_sheets_in_order(book: openpyxl.Workbook) -> None:
    # the figure (SVG) has no data sheet; tables and charts do
    assert book.sheetnames == ["说明", "sections", "nh3n_trend", "class_share"]


def test_about_sheet(book: openpyxl.Workbook, sample: Report) -> None:
    rows = list(book["说明"].iter_rows(values_only=True))
    assert rows[0][0] == "晋中市水质月报（2024年3月）"
    assert rows[0][0] and book["说明"]["A1"].font.bold
    texts = [r[0] for r in rows]
    assert "示意数据，非官方监测值：仅用于演示。" in texts
    assert "生成时间 2024-04-01 09:00" in texts
    contents = rows[texts.index("工作表") :]
    assert contents == [
        ("工作表", "标题", "说明"),
        ("sections", "监测断面水质", "空白表示未监测"),
        ("nh3n_trend", "氨氮浓度变化", None),
        ("class_share", "水质类别比例", None),
    ]


def test_table_sheet_values_read_back(book: openpyxl.Workbook) -> None:
    ws = book["sections"]
    assert ws["A1"].value == "监测断面水质" and ws["A1"].font.bold
    assert ws.freeze_panes == "A3"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("断面名称", "氨氮(mg/L)", "采样日期", "监测次数")
    assert all(c.font.bold for c in ws[2])
    assert rows[1:4] == [
        ("浊漳河南源石栈道断面", 0.52, datetime(2024, 3, 5), 12),
        ("潇河出境口", None, datetime(2024, 3, 6), 3),  # NaN -> empty cell
        ("汾河南关", 1.234, None, 0),  # NaT -> empty cell
    ]
    assert rows[5] == ("空白表示未监测", None, None, None)  # note after a blank row
    assert ws["B3"].data_type == "n" and ws["D3"].data_type == "n"  # numbers stay numbers
    assert ws["C3"].is_date and ws["C3"].number_format == "yyyy-mm-dd"


def test_column_widths_follow_content(book: openpyxl.Workbook) -> None:
    ws = book["sections"]
    # 浊漳河南源石栈道断面: 10 Chinese characters = 20 units, + 2 padding
    assert ws.column_dimensions["A"].width == 22
    # header 氨氮(mg/L): 2 wide + 6 narrow = 10 units (values are shorter), + 2
    assert ws.column_dimensions["B"].width == 12
    # 监测次数: 8 units; values are 1-2 digits; + 2
    assert ws.column_dimensions["D"].width == 10


def test_chart_data_sheet(book: openpyxl.Workbook) -> None:
    rows = list(book["nh3n_trend"].iter_rows(min_row=2, values_only=True))
    assert rows == [
        ("月份", "石栈道", "出境口"),
        (datetime(2024, 1, 1), 0.4, 0.2),
        (datetime(2024, 2, 1), 2.4, 0.9),
        (datetime(2024, 3, 1), None, 1.6),
        (datetime(2024, 4, 1), 1.1, 1.8),
    ]
    assert list(book["class_share"].iter_rows(min_row=3, values_only=True)) == [("II类", 4), ("III类", 2), ("劣V类", 1)]


def test_sheet_names_are_valid_and_unique() -> None:
    long = "annual_water_quality_by_section_and_month"
    names = sheet_names([long, long, "a/b:c?", "About", "x" * 31], reserved=["about"])
    assert names == [
        long[:31],
        long[:29] + "~2",
        "a_b_c_",
        "About~2",  # Excel compares sheet names without case
        "x" * 31,
    ]
    assert all(len(n) <= 31 for n in names)
