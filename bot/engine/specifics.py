"""The user's own facts: amount owed, months overdue, the lender, job loss or illness.

They are echoed at the top of the answer ("您提到：招商银行、欠款8万元、目前失业") so the user sees
they were heard, and they pick the tool to offer (/script does the instalment arithmetic).
Patterns are data in bot/data/specifics.yaml; lenders come from the creditor directory.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from bot.datafiles import data_path
from ingest.numerals import chinese_to_int

DATA_FILE = data_path("specifics.yaml")

_ZH_NUM = "零〇一二两三四五六七八九十百千"
_AMOUNT = re.compile(rf"(\d+(?:\.\d+)?|[{_ZH_NUM}]+)\s*(万|w|W|千|k|K|元|块)(?!\s*[条项年月天])")
_OVERDUE = re.compile(rf"(?:逾期|拖欠|欠了?|没还|拖了)\s*(?:了)?\s*(\d+|[{_ZH_NUM}]+|半)\s*(?:个)?\s*(年|月|天)"
                      rf"|(\d+|[{_ZH_NUM}]+|半)\s*(?:个)?\s*(年|月|天)(?:多)?(?:没还|没有还|未还|逾期)")
_EN_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(k|thousand|yuan|rmb|元)\b", re.IGNORECASE)
_EN_OVERDUE = re.compile(r"(\d+)\s*(month|year|day)s?\s*(?:overdue|late|behind)", re.IGNORECASE)


@dataclass(frozen=True)
class Specifics:
    amount_yuan: float | None = None
    overdue: str | None = None             # "3个月" as the user put it (normalised digits)
    overdue_en: str | None = None
    lender: str | None = None               # creditor display name (招商银行)
    lender_en: str | None = None
    hardships: tuple[str, ...] = field(default_factory=tuple)   # job_loss, illness

    def __bool__(self) -> bool:
        return bool(self.amount_yuan or self.overdue or self.lender or self.hardships)


@lru_cache(maxsize=1)
def _data() -> dict:
    with open(DATA_FILE, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    for spec in data["hardships"].values():
        spec["_re"] = [re.compile(p, re.IGNORECASE) for p in spec["patterns"]]
    data["_context"] = re.compile(data["amount_context"])
    data["tools"]["_quoted"] = re.compile(data["tools"]["quoted_message"])
    return data


def _number(text: str) -> float | None:
    if text == "半":
        return 0.5
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return float(chinese_to_int(text))
    except ValueError:
        return None


def _amount(text: str) -> float | None:
    context = _data()["_context"]
    for match in _AMOUNT.finditer(text):
        window = text[max(0, match.start() - 12):match.end() + 6]
        value = _number(match.group(1))
        if value is None or not context.search(window):
            continue
        scale = {"万": 1e4, "w": 1e4, "W": 1e4, "千": 1e3, "k": 1e3, "K": 1e3}.get(match.group(2), 1)
        return value * scale
    for match in _EN_AMOUNT.finditer(text):
        value = float(match.group(1).replace(",", ""))
        return value * (1e3 if match.group(2).lower() in ("k", "thousand") else 1)
    return None


def _overdue(text: str) -> tuple[str | None, str | None]:
    match = _OVERDUE.search(text)
    if match:
        number, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        value = _number(number)
        if value:
            shown = "半" if number == "半" else f"{value:g}"
            zh = f"{shown}{'个' if unit == '月' else ''}{unit}"
            en_unit = {"年": "year", "月": "month", "天": "day"}[unit]
            if number == "半":
                return zh, f"half a {en_unit}"
            return zh, f"{value:g} {en_unit}{'s' if value != 1 else ''}"
    match = _EN_OVERDUE.search(text)
    if match:
        n, unit = int(match.group(1)), match.group(2).lower()
        zh_unit = {"year": "年", "month": "个月", "day": "天"}[unit]
        return f"{n}{zh_unit}", f"{n} {unit}{'s' if n != 1 else ''}"
    return None, None


# A two-character short name (中信, 交通, 民生) names a lender only next to a lending word:
# "中信逾期" is the bank, "交通事故" is not.
_LENDING_AFTER = re.compile(r"^(?:银行|信用卡|卡|的卡|逾期|贷款|的贷款|欠|借|分期|催收|客服)")


def _lender(text: str) -> tuple[str | None, str | None]:
    from bot.tools.creditors import load_directory

    best, best_len = None, 0
    lowered = text.lower()
    for creditor in load_directory().creditors:
        for alias in (a.lower() for a in creditor.aliases):
            if len(alias) <= best_len or not _names_lender(lowered, alias):
                continue
            best, best_len = creditor, len(alias)
    return (best.name, best.name_en) if best else (None, None)


def _names_lender(text: str, alias: str) -> bool:
    if alias.isascii():
        return re.search(rf"\b{re.escape(alias)}\b", text) is not None
    for match in re.finditer(re.escape(alias), text):
        if len(alias) > 2 or _LENDING_AFTER.match(text[match.end():]):
            return True
    return False


def extract(text: str) -> Specifics:
    """The facts a normalised (Simplified) question states about the asker's own debt."""
    overdue, overdue_en = _overdue(text)
    lender, lender_en = _lender(text)
    hardships = tuple(name for name, spec in _data()["hardships"].items()
                      if any(p.search(text) for p in spec["_re"]))
    return Specifics(amount_yuan=_amount(text), overdue=overdue, overdue_en=overdue_en,
                     lender=lender, lender_en=lender_en, hardships=hardships)


def _yuan_zh(amount: float) -> str:
    if amount >= 1e4:
        return f"{amount / 1e4:g}万元"
    return f"{amount:g}元"


def echo(specifics: Specifics, lang: str) -> str:
    """"您提到：招商银行、欠款8万元、逾期3个月、目前失业。" (empty when nothing was said)."""
    hardships = _data()["hardships"]
    if lang == "en":
        parts = [p for p in (specifics.lender_en,
                             f"{specifics.amount_yuan:,.0f} yuan owed" if specifics.amount_yuan else None,
                             f"{specifics.overdue_en} overdue" if specifics.overdue_en else None) if p]
        parts += [hardships[h]["en"] for h in specifics.hardships]
        return f"You mentioned: {', '.join(parts)}." if parts else ""
    parts = [p for p in (specifics.lender,
                         f"欠款{_yuan_zh(specifics.amount_yuan)}" if specifics.amount_yuan else None,
                         f"逾期{specifics.overdue}" if specifics.overdue else None) if p]
    parts += [hardships[h]["zh"] for h in specifics.hardships]
    return f"您提到：{'、'.join(parts)}。" if parts else ""


def suggested_tool(text: str, intent: str, role: str, specifics: Specifics) -> str | None:
    """script | check | contact | complain, or None: the advice tool that fits this question."""
    tools = _data()["tools"]
    if tools["_quoted"].search(text):
        return "check"
    if role in tools["by_role"]:
        return tools["by_role"][role]
    if intent in tools["by_intent"]:
        return tools["by_intent"][intent]
    if specifics.hardships or (specifics.amount_yuan and intent in ("negotiation", "credit_report")):
        return tools["with_hardship"]
    return None


def tool_hint(tool: str | None, lang: str) -> str:
    """The command-line form of the tool offered with an answer ("" when none fits)."""
    from bot.engine.composer import replies
    from bot.language import localize

    if not tool:
        return ""
    text = replies()["en" if lang == "en" else "zh"]["cli_tool_hint"][tool]
    return text if lang == "en" else localize(text, lang)


__all__ = ["Specifics", "extract", "echo", "suggested_tool", "tool_hint"]
