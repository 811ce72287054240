"""Parsers for wizard answers: each takes (text, answers so far) and returns a JSON-safe value
or raises InputError with the reason in Chinese and English."""
from __future__ import annotations

import re

from bot.language import to_simplified
from bot.tools.amounts import AmountError, check_monthly, parse_amount, parse_months
from bot.tools.creditors import creditor_answer
from bot.tools.wizard import InputError

SKIP_WORDS = {"跳过", "无", "没有", "不知道", "不清楚", "略", "skip", "none", "no", "n/a", "-", "/", "没"}
_HAS_WORD = re.compile(r"[\u3400-\u9fffA-Za-z]")


def is_skip(text: str) -> bool:
    return to_simplified(text).strip().lower().rstrip("。.!！") in SKIP_WORDS


def creditor(text: str, answers: dict) -> dict:
    if not _HAS_WORD.search(text):
        raise InputError("请输入银行或机构的名称，例如“中信银行”。", "Type the bank's or lender's name, e.g. China CITIC Bank.")
    if len(text) > 60:
        raise InputError("名称太长了，请只写银行或机构的名称。", "That is too long; just type the bank's or lender's name.")
    return creditor_answer(text)


def amount(text: str, answers: dict) -> str:
    return str(parse_amount(text))


def monthly_amount(total_key: str):
    def parse(text: str, answers: dict) -> str:
        value = parse_amount(text)
        total = answers.get(total_key)
        if total is not None:
            from decimal import Decimal

            check_monthly(value, Decimal(total))
        return str(value)
    return parse


def months(allow_zero: bool):
    def parse(text: str, answers: dict) -> int:
        return parse_months(text, allow_zero=allow_zero)
    return parse


def text(max_len: int = 500, optional: bool = False):
    """Free text; with optional=True, "跳过"/"skip"/"无" gives an empty string."""
    def parse(value: str, answers: dict) -> str:
        if optional and is_skip(value):
            return ""
        if not _HAS_WORD.search(value) and not re.search(r"\d", value):
            raise InputError("没有看懂，请用文字简单描述。", "I could not read that; please describe it in words.")
        if len(value) > max_len:
            raise InputError(f"内容太长（超过 {max_len} 字），请精简一些。",
                             f"That is too long (over {max_len} characters); please shorten it.")
        return value.strip()
    return parse


__all__ = ["AmountError", "creditor", "amount", "monthly_amount", "months", "text", "is_skip"]
