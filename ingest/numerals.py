"""Chinese article numbers: 第二百九十三条之一 <-> (293, 1).

Users type article numbers many ways ("第1032条", "一千零三十二", "293条之一"),
so every lookup goes through these two functions and a canonical form.
"""
from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_CHARS = "零〇一二两三四五六七八九十百千"

ARTICLE_RE = re.compile(r"^第([零〇一二两三四五六七八九十百千]+)条(?:之([一二三四五六七八九十]+))?$")


def chinese_to_int(text: str) -> int:
    """Convert a Chinese numeral below 10000 (or ASCII digits) to an int."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_CHARS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            # A bare unit ("十" in 十二) means one of that unit.
            total += (digit or 1) * _UNITS[ch]
            digit = 0
    return total + digit


def int_to_chinese(number: int) -> str:
    """Convert 1..9999 to the numeral used in official article headers."""
    if not 0 < number < 10000:
        raise ValueError(f"article number out of range: {number}")
    digits = "零一二三四五六七八九"
    parts: list[str] = []
    pending_zero = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = number // unit_value % 10
        if d == 0:
            if parts:
                pending_zero = True
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(digits[d] + unit)
    text = "".join(parts)
    # Officially 10-19 are written 十, 十一 … (not 一十一), but 一百一十 keeps the 一.
    if text.startswith("一十"):
        text = text[1:]
    return text


def article_label(number: int, suffix: int = 0) -> str:
    """(293, 1) -> 第二百九十三条之一."""
    label = f"第{int_to_chinese(number)}条"
    if suffix:
        label += f"之{int_to_chinese(suffix)}"
    return label


def parse_article_label(label: str) -> tuple[int, int]:
    """第二百九十三条之一 -> (293, 1); raises ValueError if not a 第X条 label."""
    match = ARTICLE_RE.match(label.strip())
    if not match:
        raise ValueError(f"not an article label: {label!r}")
    suffix = chinese_to_int(match.group(2)) if match.group(2) else 0
    return chinese_to_int(match.group(1)), suffix


_LOOSE_RE = re.compile(
    r"^(?:第)?\s*([0-9]+|[零〇一二两三四五六七八九十百千]+)\s*(?:条)?\s*(?:之\s*([0-9]+|[一二三四五六七八九十]+))?$"
)


def canonical_article(text: str) -> str:
    """Normalise how a user or a card names an article to the official label.

    "1032", "第1032条", "一千零三十二条", "293条之一" -> 第一千零三十二条 / 第二百九十三条之一.
    Item labels of decisions without 第X条 ("一", "一、") are returned as the bare numeral.
    """
    text = text.strip().rstrip("、.． ")
    match = _LOOSE_RE.match(text)
    if not match:
        raise ValueError(f"not an article reference: {text!r}")
    number = chinese_to_int(match.group(1))
    suffix = chinese_to_int(match.group(2)) if match.group(2) else 0
    if not text.startswith("第") and "条" not in text and not text.isdigit():
        # A bare Chinese numeral is an item label (一、二、… in amending decisions).
        return int_to_chinese(number)
    return article_label(number, suffix)


# How people say a count vaguely ("几十个电话"), as the number the frequency rule compares.
_VAGUE_COUNTS = {"几十": 20, "数十": 20, "十几": 10, "上百": 100, "几百": 100, "好几": 3, "几": 3}
_COUNT_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                 "八": 8, "九": 9}
_MAX_COUNT_DIGITS = 15


def parse_count(text: str) -> int:
    """A whole count as people type it: 20, 二十, 二百五 (250), 几十 (20), 十几 (10).

    A lone digit after a unit means the next unit down (二百五 = 250), as amounts are said aloud;
    ValueError when `text` is not a count. Used by the message rules' hour and frequency checks.
    """
    text = text.strip().replace("次", "").replace("个", "").replace("通", "")
    if text in _VAGUE_COUNTS:
        return _VAGUE_COUNTS[text]
    if text.isascii() and text.isdigit() and len(text) <= _MAX_COUNT_DIGITS:
        return int(text)
    if not text or any(ch not in _COUNT_DIGITS and ch not in _UNITS for ch in text):
        raise ValueError(f"not a count: {text!r}")
    total, digit, last_unit = 0, None, None
    for ch in text:
        if ch in "零〇":
            digit, last_unit = None, None      # 一百零五: the 5 is units, not tens
        elif ch in _COUNT_DIGITS:
            digit = _COUNT_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit, last_unit = None, _UNITS[ch]
    if digit is not None:
        total += digit * (last_unit // 10) if last_unit else digit
    return total
