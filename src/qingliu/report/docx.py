"""Write a report as an editable Word document (.docx, python-docx), the format bureaus edit.

Headings, paragraphs and tables stay text (Word table style "Table Grid", header row
repeated on each page); charts and figures are pictures; the banner (示意数据) is a
highlighted paragraph. Page A4. Every style names the East Asian font explicitly
(``w:rFonts/@w:eastAsia``): python-docx's ``font.name`` sets only the Latin slots, and the
default template's theme would give Chinese text a Japanese font.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt, RGBColor

from qingliu.report.content import Chart, Figure, Report, Table, cell_text
from qingliu.report.images import BlockImages

#: Font of all text: the CJK font the PDF uses (fonts-noto-cjk), with Latin glyphs too.
FONT = "Noto Sans CJK SC"
#: Font Word substitutes where FONT is not installed (every Chinese Windows has 宋体).
FALLBACK_FONT = "宋体"
#: A4 with 25 mm margins leaves a 16 cm text column; pictures take its width.
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Mm(210), Mm(297), Mm(25)
PICTURE_WIDTH = Cm(16)
#: Chinese type sizes: body 五号 (10.5 pt), tables and notes 小五 (9 pt).
BODY_SIZE, SMALL_SIZE = Pt(10.5), Pt(9)
TABLE_STYLE = "Table Grid"
TABLE_TEXT_STYLE = "Table Text"
NOTE_COLOR = RGBColor(0x61, 0x6E, 0x7C)


def _set_fonts(rpr, font: str, lang: str) -> None:
    """Name ``font`` for every script in a run-properties element, replacing theme fonts."""
    rfonts = rpr.get_or_add_rFonts()
    for attribute in list(rfonts.attrib):
        del rfonts.attrib[attribute]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(slot), font)
    rfonts.set(qn("w:hint"), "eastAsia")
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is not None:
        lang_el.set(qn("w:val"), lang)
        lang_el.set(qn("w:eastAsia"), "zh-CN")


def _declare_fallback(doc: DocxDocument, font: str, fallback: str) -> None:
    """Declare ``font`` in the font table with ``fallback`` as its alternative name.

    Word uses the alternative when the font is missing; charset 86 is GB2312 (Simplified Chinese).
    """
    old = doc.part.part_related_by(RT.FONT_TABLE)
    table = XmlPart.load(old.partname, old.content_type, old.blob, old.package)
    table.element.append(
        parse_xml(
            f'<w:font {nsdecls("w")} w:name="{font}"><w:altName w:val="{fallback}"/>'
            '<w:charset w:val="86"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>'
        )
    )
    rid = next(r.rId for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE)
    doc.part.drop_rel(rid)
    doc.part.relate_to(table, RT.FONT_TABLE)


def _prepare(doc: DocxDocument, report: Report) -> None:
    lang = "zh-CN" if report.lang == "zh" else "en-US"
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(defaults, FONT, lang)
    for style in doc.styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
            _set_fonts(style.element.get_or_add_rPr(), FONT, lang)
    doc.styles["Normal"].font.size = BODY_SIZE
    table_text = doc.styles.add_style(TABLE_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = doc.styles["Normal"]
    table_text.font.size = SMALL_SIZE
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0
    _declare_fallback(doc, FONT, FALLBACK_FONT)
    doc.core_properties.title = report.title
    doc.core_properties.language = lang


def _note(doc: DocxDocument, text: str) -> None:
    run = doc.add_paragraph().add_run(text)
    run.font.size, run.font.italic, run.font.color.rgb = SMALL_SIZE, True, NOTE_COLOR


def _repeat_header(row) -> None:
    """Mark a table row as header, repeated at the top of each page the table spans."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _table(doc: DocxDocument, block: Table) -> None:
    doc.add_paragraph(block.title, style="Caption")
    frame = block.frame
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns]
    table = doc.add_table(rows=len(frame) + 1, cols=frame.shape[1], style=TABLE_STYLE)
    # python-docx resolves a style name by scanning every style, per paragraph: look it up once
    text_style = doc.styles[TABLE_TEXT_STYLE].style_id
    rows = iter(table.rows)
    header = next(rows)
    _repeat_header(header)
    for cell, name in zip(header.cells, frame.columns, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph._p.style = text_style
        paragraph.add_run(str(name)).bold = True
    for row, values in zip(rows, frame.itertuples(index=False), strict=True):
        for cell, value, is_number in zip(row.cells, values, numeric, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph._p.style = text_style
            paragraph.add_run(cell_text(value))
            if is_number:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if block.note:
        _note(doc, block.note)


def _picture(doc: DocxDocument, block: Chart | Figure, images: BlockImages) -> None:
    doc.add_picture(io.BytesIO(images.png(block)), width=PICTURE_WIDTH)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(block.title, style="Caption")
    if block.note:
        _note(doc, block.note)


def build_docx(report: Report, *, images: BlockImages | None = None) -> DocxDocument:
    """The report as a python-docx ``Document`` (not yet saved)."""
    images = images or BlockImages()
    doc = Document()
    _prepare(doc, report)
    doc.add_heading(report.title, level=0)
    if report.subtitle:
        doc.add_paragraph(report.subtitle, style="Subtitle")
    _note(doc, report.generated)
    if report.banner:
        run = doc.add_paragraph().add_run(report.banner)
        run.bold = True
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    for section in report.sections:
        doc.add_heading(section.title, level=1)
        for text in section.paragraphs:
            doc.add_paragraph(text)
        for block in section.blocks:
            if isinstance(block, Table):
                _table(doc, block)
            else:
                _picture(doc, block, images)
    return doc


def write_docx(report: Report, path: str | Path, *, images: BlockImages | None = None) -> Path:
    """Write the report as a .docx file and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_docx(report, images=images).save(str(path))
    return path
