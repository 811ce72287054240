"""The log exported: a .docx timeline table (python-docx) and a .csv, one row per incident.

Titles and citations of findings are rebuilt from the checker's rules, which are verified
against the corpus, so the export quotes only articles that exist, verbatim.
"""
from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from bot.evidence.incidents import CHANNELS, CONTACTED, Incident
from bot.evidence.timeline import Timeline
from bot.tools.checker import finding_for
from bot.tools.common import citations_block, disclaimer, say, strip_control, to_lang, unique

COLUMNS = (("日期", "Date"), ("时间", "Time"), ("号码/账号", "Number/account"), ("方式", "Channel"),
           ("联系了谁", "Contacted"), ("经过", "What happened"), ("发现的问题", "Findings"), ("依据条文", "Articles"))
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _findings(incident: Incident, corpus, lang: str):
    return [finding_for(f["code"], f.get("excerpt", ""), corpus, lang) for f in incident.findings]


def rows(timeline: Timeline, corpus, lang: str) -> list[list[str]]:
    zone = ZoneInfo(timeline.tz)
    out = []
    for incident in timeline.incidents:
        at = incident.when.astimezone(zone)
        findings = _findings(incident, corpus, lang)
        articles = "；".join(dict.fromkeys(c.display for f in findings for c in f.citations))
        out.append([f"{at:%Y-%m-%d}", f"{at:%H:%M}" if incident.has_time else "", incident.number,
                    say(*CHANNELS[incident.channel], lang), say(*CONTACTED[incident.contacted], lang),
                    incident.text, "；".join(f.title for f in findings), to_lang(articles, lang)])
    return out


def _safe_cell(value: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheet programs.
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(timeline: Timeline, corpus, lang: str = "zh-Hans") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([say(zh, en, lang) for zh, en in COLUMNS])
    for row in rows(timeline, corpus, lang):
        writer.writerow([_safe_cell(strip_control(cell)) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")     # the BOM makes Excel read UTF-8


def to_docx(timeline: Timeline, corpus, lang: str = "zh-Hans") -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10)
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    doc.add_heading(say("催收骚扰记录", "Collection harassment log", lang), level=1)
    summary = timeline.render(lang).split("\n\n")[0] if timeline.incidents else timeline.render(lang)
    doc.add_paragraph(strip_control(summary))
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, (zh, en) in zip(table.rows[0].cells, COLUMNS):
        cell.text = say(zh, en, lang)
    for row in rows(timeline, corpus, lang):
        for cell, value in zip(table.add_row().cells, row):
            cell.text = strip_control(value)
    citations = unique([c for i in timeline.incidents for f in _findings(i, corpus, "zh-Hans") for c in f.citations])
    if citations:
        doc.add_paragraph(strip_control(to_lang(citations_block(citations, lang), lang)))
    doc.add_paragraph(strip_control(timeline.note(lang)))
    doc.add_paragraph(disclaimer(lang))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def read_table(data: bytes) -> list[list[str]]:
    """The rows of the exported table (header first), as python-docx reads them back."""
    table = Document(io.BytesIO(data)).tables[0]
    return [[cell.text for cell in row.cells] for row in table.rows]
