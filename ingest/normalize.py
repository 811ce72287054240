"""Text normalisation shared by indexing and querying.

Indexing and query text must go through the same function, otherwise keyword
tokens and embeddings drift apart (a Traditional query would miss Simplified chunks).
"""
from __future__ import annotations

import re
import unicodedata

from bot.language import to_simplified

_SPACES = re.compile(r"[ \t\u00a0\u3000\u200b\u200c\u200d\ufeff]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def fullwidth_to_halfwidth(text: str) -> str:
    """Full-width ASCII letters and digits (Ａ, １) become half-width.

    Chinese punctuation (，：（）) is left alone: the corpus uses the official
    full-width forms and quotes must stay verbatim.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces, trim lines, keep single blank lines between paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def normalize_text(text: str) -> str:
    """Simplified script, half-width letters/digits, tidy whitespace (for indexing and queries)."""
    text = unicodedata.normalize("NFC", text)
    return normalize_whitespace(to_simplified(fullwidth_to_halfwidth(text)))


__all__ = ["normalize_text", "fullwidth_to_halfwidth", "normalize_whitespace"]
