"""Word: headings, paragraphs, a styled table, pictures, the banner, CJK fonts, A4; read back."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Cm

from qingliu.report.docx import write_docx


@pytest.fixture(scope="module")
def document(build, tmp_path_factory: pytest.TempPathFactory):
    path = write_docx(build(), tmp_path_factory.mktemp("docx") / "r.docx")
    return docx.Document(str(path))


def test_headings_and_paragraphs(document) -> None:
    styled = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert styled[:3] == [
        ("Title", "晋中市水质月报（2024年3月）"),
        ("Subtitle", "晋中市示例流域"),
        ("Normal", "生成时间 2024-04-01 09:00"),
    ]
    assert ("Heading 1", "水质状况") in styled
    assert ("Normal", "本月监测断面 3 个。") in styled
    captions = [text for style, text in styled if style == "Caption"]
    assert captions == ["监测断面水质", "氨氮浓度变化", "水质类别比例", "河网示意图"]


def test_banner_is_highlighted(document) -> None:
    (banner,) = [p for p in document.paragraphs if p.text == "示意数据，非官方监测值：仅用于演示。"]
    run = banner.runs[0]
    assert run.bold and run.font.highlight_color == WD_COLOR_INDEX.YELLOW


def test_table_cells(document) -> None:
    (table,) = document.tables
    assert table.style.name == "Table Grid"
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells == [
        ["断面名称", "氨氮(mg/L)", "采样日期", "监测次数"],
        ["浊漳河南源石栈道断面", "0.52", "2024-03-05", "12"],
        ["潇河出境口", "", "2024-03-06", "3"],
        ["汾河南关", "1.234", "", "0"],
    ]
    assert all(c.paragraphs[0].runs[0].bold for c in table.rows[0].cells)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # header repeats on each page
    assert table.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[1].cells[0].paragraphs[0].alignment is None


def test_charts_and_figure_are_pictures(document) -> None:
    shapes = document.inline_shapes
    assert len(shapes) == 3  # line chart, pie, SVG map
    assert all(abs(s.width - Cm(16)) < Cm(0.01) for s in shapes)
    blobs = [r.target_part.blob for r in document.part.rels.values() if r.reltype == RT.IMAGE]
    assert len(blobs) == 3 and all(b[:8] == b"\x89PNG\r\n\x1a\n" for b in blobs)


def test_page_is_a4(document) -> None:
    section = document.sections[0]
    # Word's A4: 11906 × 16838 twips (210 × 297 mm)
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)


@pytest.mark.parametrize("style", ["Normal", "Title", "Subtitle", "Heading 1", "Caption"])
def test_east_asian_font_is_named(document, style: str) -> None:
    rfonts = document.styles[style].element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "Noto Sans CJK SC"
    assert rfonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would win over the named one


def test_table_text_inherits_the_font_from_normal(document) -> None:
    assert document.styles["Table Text"].base_style.name == "Normal"


def test_document_defaults_name_the_font_and_chinese(document) -> None:
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "Noto Sans CJK SC"
    assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


def test_font_table_falls_back_to_songti(document) -> None:
    table = document.part.part_related_by(RT.FONT_TABLE).blob.decode("utf-8")
    assert '<w:font w:name="Noto Sans CJK SC"><w:altName w:val="宋体"/>' in table


def test_english_report(build, tmp_path: Path) -> None:
    path = write_docx(build("en"), tmp_path / "en.docx")
    doc = docx.Document(str(path))
    assert doc.core_properties.language == "en-US"
