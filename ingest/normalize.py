"""Text normalisation shared by indexing and querying.

OpenCC (pure-Python reimplementation) converts between Simplified and Traditional.
Indexing and query text must go through the same function, otherwise keyword
tokens and embeddings drift apart (a Traditional query would miss Simplified chunks).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

_SPACES = re.compile(r"[ \t\u00a0\u3000\u200b\u200c\u200d\ufeff]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


@lru_cache(maxsize=2)
def _converter(config: str) -> OpenCC:
    return OpenCC(config)


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text)


# OpenCC's phrase table reads 发卡 as 髮卡 ("hairpin") and 发送 after 留 as 髮; hair never comes up
# in this domain, so every 髮 is the verb 發. It also leaves 采 in 采用 (採用 in Traditional).
_TRADITIONAL_CHAR_FIXES = str.maketrans({"髮": "發"})
_TRADITIONAL_PHRASE_FIXES = {"采用": "採用"}


def to_traditional(text: str) -> str:
    # s2tw: Taiwan-standard character forms (為, 核, 裡) read naturally to Traditional readers,
    # unlike OpenCC's etymological defaults (爲, 覈, 裏); wording is not localised (s2twp would be).
    text = _converter("s2tw").convert(text).translate(_TRADITIONAL_CHAR_FIXES)
    for wrong, right in _TRADITIONAL_PHRASE_FIXES.items():
        text = text.replace(wrong, right)
    return text


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


__all__ = ["normalize_text", "fullwidth_to_halfwidth", "normalize_whitespace", "to_simplified", "to_traditional"]
