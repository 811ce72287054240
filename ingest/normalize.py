"""Text normalisation shared by indexing, querying and the classifiers trained at ingest.

OpenCC (pure-Python reimplementation) converts between Simplified and Traditional.
Indexing and query text must go through the same function, otherwise keyword
tokens and embeddings drift apart (a Traditional query would miss Simplified chunks).
The same holds for the classifiers: ingest trains them on text normalised here and the bot
predicts on text normalised by the same functions (`normalize_question`, `normalize_message`).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

from ingest.datafiles import load_yaml

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


# --- questions -------------------------------------------------------------------------------

_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


@lru_cache(maxsize=1)
def load_typos() -> dict[str, str]:
    return load_yaml("typos.yaml", empty={}).get("typos") or {}


@lru_cache(maxsize=1)
def _typo_pattern() -> re.Pattern | None:
    typos = load_typos()
    if not typos:
        return None
    keys = sorted(typos, key=len, reverse=True)   # longest first: 紧急联络人 before 联络人
    return re.compile("|".join(re.escape(k) for k in keys))


def fix_typos(text: str) -> str:
    pattern = _typo_pattern()
    if pattern is None:
        return text
    typos = load_typos()
    return pattern.sub(lambda m: typos[m.group(0)], text)


def normalize_question(text: str) -> str:
    """Simplified script, half-width digits/letters, no stray spaces between Chinese characters, typos fixed.

    A pasted web title or page goes through the guidance cleaner first, like the article it may come
    from: converter pinyin glosses (聯(lián) -> 联), site boilerplate lines (资深用户, 作者：…, 免责声明…)
    and phone numbers or e-mail addresses are removed.
    """
    from ingest.guidance import clean_lines  # guidance builds on this module: imported when used

    text = "\n".join(clean_lines(text or "")) or normalize_text(text or "")
    text = _CJK_SPACE.sub("", text.replace("\n", " "))
    return fix_typos(text).strip()


# --- collectors' messages -----------------------------------------------------------------------

# Full-width ASCII (U+FF01-U+FF5E) and the ideographic space, one for one: lengths stay equal, so
# a clause found in the normalised text is the same span of the original.
_HALFWIDTH = {0x3000: " ", **{code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}}
_HALFWIDTH_ALNUM = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)
                    if chr(code - 0xFEE0).isalnum() or chr(code - 0xFEE0) == ":"}


def to_halfwidth(text: str, punctuation: bool = True) -> str:
    """Full-width letters and digits (and, unless punctuation=False, ASCII punctuation) as half-width."""
    return text.translate(_HALFWIDTH if punctuation else _HALFWIDTH_ALNUM)


@lru_cache(maxsize=1)
def _cantonese() -> tuple[dict[int, str], tuple[tuple[str, str], ...]]:
    raw = load_yaml("cantonese.yaml")
    words = tuple((k, v) for k, v in raw["words"].items() if len(k) == len(v))
    return {ord(k): v for k, v in raw["chars"].items() if len(k) == len(v) == 1}, words


def to_mandarin(simplified: str) -> str:
    """Cantonese written forms (佢, 唔, 屋企…) as Mandarin, one character for one."""
    chars, words = _cantonese()
    for word, mandarin in words:
        simplified = simplified.replace(word, mandarin)
    return simplified.translate(chars)


def normalize_message(text: str) -> str:
    """Simplified Mandarin, half-width, lower case: one form for Traditional, Cantonese, full-width
    and English input. Lengths are kept, so spans found in the result are spans of the original."""
    return to_mandarin(to_simplified(to_halfwidth(text))).lower()


__all__ = ["normalize_text", "fullwidth_to_halfwidth", "normalize_whitespace", "to_simplified", "to_traditional",
           "fix_typos", "load_typos", "normalize_question", "normalize_message", "to_halfwidth", "to_mandarin"]
