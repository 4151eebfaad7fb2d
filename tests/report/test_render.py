"""render(): every format from one content model; bad formats refused before writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from qingliu.report import charts
from qingliu.report.content import Report
from qingliu.report.render import render


def test_writes_each_format_once(sample: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = []
    original = charts.chart_png
    monkeypatch.setattr(charts, "chart_png", lambda chart, **kw: drawn.append(chart.key) or original(chart, dpi=50))
    paths = render(sample, ["html", "XLSX", "docx", "pdf", "html"], tmp_path / "out")
    assert [p.name for p in paths] == ["report.html", "report.xlsx", "report.docx", "report.pdf"]
    assert all(p.stat().st_size > 1000 for p in paths)
    assert (paths[0].read_bytes()[:15], paths[3].read_bytes()[:5]) == (b"<!DOCTYPE html>", b"%PDF-")
    assert paths[1].read_bytes()[:2] == paths[2].read_bytes()[:2] == b"PK"  # zip containers
    assert sorted(drawn) == ["class_share", "nh3n_trend"]  # Word and PDF share each chart's picture


def test_unknown_format_is_refused_before_writing(sample: Report, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown report format: odt"):
        render(sample, ["html", "odt"], tmp_path / "out")
    assert not (tmp_path / "out").exists()
