"""Script detection and conversion: reply in the script the user wrote in.

OpenCC (pure-Python reimplementation) converts between Simplified and
Traditional; detection compares the text with its own conversions.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from opencc import OpenCC

Language = Literal["zh-Hans", "zh-Hant", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-Hans", "zh-Hant", "en")

_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


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


def detect_language(text: str, default: Language = "zh-Hans") -> Language:
    """zh-Hant when the Chinese text changes under t2s conversion, en when mostly Latin words."""
    han = _HAN.findall(text)
    if not han:
        return "en" if _LATIN_WORD.search(text) else default
    # An English sentence quoting a few Chinese terms ("negotiate 停息挂账 with my bank") is English;
    # a Chinese sentence with an English word or two ("欠了3万 credit card") is Chinese.
    latin_words = len(_LATIN_WORD.findall(text))
    if latin_words >= 3 and latin_words * 2 >= len(han):
        return "en"
    chinese = "".join(han)
    simplified = to_simplified(chinese)
    changed = sum(a != b for a, b in zip(chinese, simplified))
    if changed == 0:
        return "zh-Hans"
    # Characters that change under s2t but not t2s are Simplified-only.
    traditional = to_traditional(chinese)
    simplified_only = sum(a != b for a, b in zip(chinese, traditional))
    return "zh-Hant" if changed >= simplified_only else "zh-Hans"


def localize(text: str, language: Language) -> str:
    """Convert Simplified text to the user's script (English is handled by callers)."""
    return to_traditional(text) if language == "zh-Hant" else text
