"""Bad input files: every problem names file, row, column and reason in Chinese and English.

Each case is a small file written by hand; the expected row is counted by hand (header = row 1).
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from bad_input_cases import CASES, KNOWN, Case, write_case

from qingliu.io import InputError, read_input


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_is_reported_with_row_column_and_reason(tmp_path, case: Case) -> None:
    path = write_case(tmp_path, case)
    with pytest.raises(InputError) as info:
        read_input(case.kind, path, known=KNOWN, section_names=case.names)
    hits = [
        p
        for p in info.value.problems
        if p.row == case.row and p.column == case.column and case.zh in p.zh and case.en in p.en
    ]
    assert hits, "\n".join(str(p) for p in info.value.problems)
    assert all(p.file == path.name for p in info.value.problems)
    assert path.name in str(info.value) and case.zh in str(info.value) and case.en in str(info.value)


def test_unknown_kind(tmp_path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"未知的数据类型.*unknown kind .snow."):
        read_input("snow", path)


def test_every_problem_of_a_file_is_collected(tmp_path) -> None:
    """Four bad cells in different rows and columns: four problems, not the first only."""
    path = tmp_path / "flows.csv"
    path.write_text(
        "station_id,date,q\nST1,2024-03-05,abc\nST1,yesterday,1\nST1,2024-03-07,-1\n,2024-03-08,1\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        read_input("flows", path, known=KNOWN)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "q"), (3, "date"), (4, "q"), (5, "station_id")]


def test_problem_list_is_capped_with_a_count_of_the_rest(tmp_path) -> None:
    days = [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(500)]
    path = tmp_path / "flows.csv"
    path.write_text("station_id,date,q\n" + "".join(f"ST1,{d},x\n" for d in days), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_input("flows", path, known=KNOWN)
    assert len(info.value.problems) == 200 and info.value.omitted == 300
    assert "500 个问题" in str(info.value)
    assert "另有 300 个问题" in str(info.value) and "and 300 more" in str(info.value)


def test_problem_text_is_bilingual_with_place() -> None:
    from qingliu.io import Problem

    p = Problem("samples.csv", 5, "总磷(mg/L)", "不是数字「abc」", "not a number 'abc'")
    assert str(p) == "samples.csv 第5行 [总磷(mg/L)]: 不是数字「abc」 / row 5, column 总磷(mg/L): not a number 'abc'"
    assert str(Problem("a.csv", None, None, "文件为空", "the file is empty")) == "a.csv: 文件为空 / the file is empty"


def test_excel_problem_rows_are_sheet_rows(tmp_path) -> None:
    """A title row and a blank row above the header: row numbers are those Excel shows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年3月日流量"])
    sheet.append([])
    sheet.append(["测站编码", "日期", "流量(m3/s)"])
    sheet.append(["ST1", "2024-03-05", 1.0])
    sheet.append(["ST1", "2024-03-06", "abc"])
    path = tmp_path / "flows.xlsx"
    book.save(path)
    with pytest.raises(InputError) as info:
        read_input("flows", path, known=KNOWN)
    assert [(p.row, p.column) for p in info.value.problems] == [(5, "流量(m3/s)")]
