"""Language detection: reply in the language and script the user wrote in.

Detection compares the text with its own Simplified/Traditional conversions, which
live with the text normalisation in `ingest.normalize` (re-exported here).
"""
from __future__ import annotations

import re
from typing import Literal

from ingest.normalize import to_simplified, to_traditional

Language = Literal["zh-Hans", "zh-Hant", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-Hans", "zh-Hant", "en")

_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


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


__all__ = ["LANGUAGES", "Language", "detect_language", "localize", "to_simplified", "to_traditional"]
