"""Turn a generated plain-text document into .docx (python-docx) or .txt bytes.

python-docx is imported when a document is made: every advice tool imports this module, and a
one-off `python -m bot ask` (which names a tool in its hint) should not pay for it.
"""
from __future__ import annotations

import io
import re

from bot.tools.common import strip_control

_HEADING = re.compile(r"^【(.+)】$")


def to_docx(title: str, text: str) -> bytes:
    """Lines written as 【标题】 become headings; everything else is a paragraph."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(11)
    # East-Asian font so Word renders the Chinese text without substitution boxes.
    style.font.name = "SimSun"   # creates rFonts; then set the East-Asian slot too
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    doc.add_heading(strip_control(title), level=1)
    for line in strip_control(text).split("\n"):
        heading = _HEADING.match(line.strip())
        if heading:
            doc.add_heading(heading.group(1), level=2)
        elif line.strip():
            doc.add_paragraph(line.rstrip())
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def to_txt(title: str, text: str) -> bytes:
    return f"{title}\n\n{text}\n".encode()


def docx_text(data: bytes) -> str:
    """All paragraph text of a .docx (used by tests and the CLI preview)."""
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
