"""Money amounts and month counts as people actually type them.

"5万", "50,000", "五万元", "3.5w", "￥12,000.50", "1.2k", "两千五", "30000块";
"24期", "两年", "一年半", "5 years". Impossible values raise `AmountError`
with a reason in Simplified Chinese and in English, so a wizard can re-ask.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

MAX_AMOUNT = Decimal("100000000")   # 1 亿: above this is a typo for a personal debt
MAX_MONTHS = 600                    # 50 years
MAX_DIGITS = 15                     # more digits than any real amount (1 亿 with fen is 11)


class AmountError(ValueError):
    """An amount or a count that cannot be right; `zh` / `en` say why."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


_DIGIT = {"零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "叁": 3,
          "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
          "九": 9, "玖": 9, "半": None}
_SMALL_UNIT = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNIT = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_LATIN_UNIT = {"k": 1000, "K": 1000, "w": 10_000, "W": 10_000, "m": 1_000_000, "M": 1_000_000}

_CURRENCY = re.compile(r"(人民币|rmb|cny|yuan|RMB|CNY|¥|￥|元整|元|块钱|块|圆)", re.I)
_HEDGES = re.compile(r"(大概|大约|约|差不多|将近|接近|左右|上下|多一点|多点|多|approximately|approx\.?|about|around|~)",
                     re.I)
_ARABIC = re.compile(r"^([0-9]+(?:\.[0-9]+)?)([kKwWmM万萬亿億千百]?)$")


def _clean(text: str) -> str:
    text = text.strip().replace("，", ",").replace("．", ".").replace("　", " ")
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    text = _CURRENCY.sub("", text)
    text = _HEDGES.sub("", text)
    return text.replace(" ", "")


def _chinese_number(text: str) -> Decimal:
    """一万五千 -> 15000, 两千五 -> 2500, 2万3千 -> 23000, 3.5万 -> 35000.

    A lone trailing digit after a unit means the next unit down (两千五 = 2500, 三万五 = 35000),
    which is how people say amounts aloud.
    """
    total = Decimal(0)
    section = Decimal(0)      # value below the current 万/亿 group
    digit: Decimal | None = None
    digit_chars = 0
    last_unit = None
    for token in re.findall(r"[0-9]+(?:\.[0-9]+)?|.", text):
        if token[0].isdigit():
            digit, digit_chars = Decimal(token), len(token)
        elif token in _DIGIT and _DIGIT[token] is not None:
            if token in "零〇○":
                digit, digit_chars = None, 0
                last_unit = None   # 一千零五: the 5 is units, not hundreds
                continue
            digit, digit_chars = Decimal(_DIGIT[token]), 1
        elif token in _SMALL_UNIT:
            unit = _SMALL_UNIT[token]
            section += (digit if digit is not None else Decimal(1)) * unit
            digit, last_unit = None, unit
        elif token in _BIG_UNIT:
            unit = _BIG_UNIT[token]
            if digit is None and not section:
                raise ValueError("a 万/亿 with no number before it")   # "万", "5万万"
            section += digit or 0
            total += section * unit
            section, digit, last_unit = Decimal(0), None, unit
        else:
            raise ValueError(token)
    if digit is not None:
        if last_unit and last_unit >= 10 and digit_chars == 1:
            section += digit * (last_unit // 10)
        else:
            section += digit
    return total + section


def parse_number(text: str) -> Decimal:
    """Parse a non-negative or negative quantity; raise AmountError if it is not a number at all."""
    raw = text
    text = _clean(text)
    negative = text.startswith(("-", "负", "−"))
    text = text.lstrip("-负−+")
    text = text.replace(",", "")
    value: Decimal | None = None
    if not text:
        raise AmountError(f"没有看到数字：“{raw.strip()[:20]}”。请输入金额，例如 5万 或 50000。",
                          f"No number found in “{raw.strip()[:20]}”. Type an amount such as 50000 or 5万.")
    if sum(c.isdigit() for c in text) > MAX_DIGITS:
        # Decimal and float arithmetic on hundreds of digits fails or overflows; no real figure is this long.
        raise AmountError(f"数字太长了（超过 {MAX_DIGITS} 位），像是打错了，请检查后重新输入。",
                          f"That number is too long (over {MAX_DIGITS} digits), probably a typo; "
                          "please check and retype.")
    try:
        match = _ARABIC.match(text)
        if match:
            value = Decimal(match.group(1))
            unit = match.group(2)
            if unit:
                value *= _LATIN_UNIT.get(unit) or _BIG_UNIT.get(unit) or _SMALL_UNIT[unit]
        elif re.fullmatch(r"[0-9.零〇○一壹二贰两俩三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万萬亿億]+", text):
            value = _chinese_number(text)
    except (InvalidOperation, ValueError, KeyError):
        value = None
    if value is None:
        raise AmountError(f"看不懂这个数字：“{raw.strip()[:20]}”。请只输入数字，例如 5万、50000 或 3.5w。",
                          f"Could not read “{raw.strip()[:20]}” as a number. Try 50000, 5万 or 3.5w.")
    return -value if negative else value


def parse_amount(text: str, *, allow_zero: bool = False) -> Decimal:
    """A money amount in yuan, rounded to the fen. Rejects negative, zero (unless allowed), > 1 亿."""
    value = parse_number(text)
    if value < 0:
        raise AmountError("金额不能是负数，请重新输入。", "An amount cannot be negative; please type it again.")
    if value > MAX_AMOUNT:   # checked before rounding: "9亿亿亿亿" has few digits but no fen precision
        raise AmountError("金额超过 1 亿元，像是多打了几个 0，请检查后重新输入。",
                          "That is more than 100 million yuan, probably extra zeros; please check and retype.")
    value = value.quantize(Decimal("0.01"))   # 0.001 rounds to 0 and is rejected below
    if value == 0 and not allow_zero:
        raise AmountError("金额不能为 0，请输入实际数字。", "The amount cannot be zero; please type the real figure.")
    return value


_YEARS = re.compile(r"^(.+?)(?:年|years?|yrs?|y)(半)?$", re.I)
_MONTHS = re.compile(r"^(.+?)(?:个月|個月|月|期|months?|mos?|m)$", re.I)


def parse_months(text: str, *, allow_zero: bool = False) -> int:
    """A number of months: 24期, 24个月, 两年, 一年半, 半年, 5 years, 36. Rejects > 600."""
    raw = text
    text = _clean(text).lower()
    if text in {"半年", "halfayear", "halfyear"}:
        months = 6
    elif re.fullmatch(r"(没有|没|無|无|未|不)(逾期)?|none|no|zero|not(overdue)?", text):
        months = 0
    else:
        years = _YEARS.match(text)
        month = _MONTHS.match(text)
        try:
            if years:
                months = parse_number(years.group(1)) * 12 + (6 if years.group(2) else 0)
            elif month:
                months = parse_number(month.group(1))
            else:
                months = parse_number(text)
        except AmountError:
            raise AmountError(f"看不懂这个期限：“{raw.strip()[:20]}”。请输入月数，例如 24、24期 或 两年。",
                              f"Could not read “{raw.strip()[:20]}” as a number of months. "
                              "Try 24, 24 months or 2 years.") from None
    if months < 0:
        raise AmountError("月数不能是负数。", "The number of months cannot be negative.")
    if months > MAX_MONTHS:   # before rounding, so a huge value is never turned into an int
        raise AmountError("超过 600 个月（50 年），请检查后重新输入。",
                          "More than 600 months (50 years); please check and retype.")
    months = math.ceil(months)
    if months == 0 and not allow_zero:
        raise AmountError("月数不能为 0。", "The number of months cannot be zero.")
    return months


def parse_count(text: str) -> int:
    """A whole count such as 20, 二十, 几十 (-> 20), 十几 (-> 10)."""
    text = _clean(text).replace("次", "").replace("个", "").replace("通", "")
    vague = {"几十": 20, "数十": 20, "十几": 10, "上百": 100, "几百": 100, "好几": 3, "几": 3}
    if text in vague:
        return vague[text]
    value = parse_number(text)
    if value < 0 or value != int(value):
        raise AmountError("次数应为正整数。", "A count must be a whole number.")
    return int(value)


def check_monthly(monthly: Decimal, total: Decimal) -> None:
    """A monthly payment larger than the whole debt, or one that would take more than
    MAX_MONTHS to pay it off, is a typo, not a plan."""
    if monthly > total:
        raise AmountError(f"每月还款额（{format_yuan(monthly)}）比欠款总额（{format_yuan(total)}）还多，"
                          "请检查后重新输入。",
                          f"The monthly payment ({format_yuan(monthly, 'en')}) is more than the whole debt "
                          f"({format_yuan(total, 'en')}); please check and retype.")
    if months_needed(total, monthly) > MAX_MONTHS:
        sixty = format_yuan((total / 60).quantize(Decimal("1"), rounding="ROUND_CEILING"))
        sixty_en = format_yuan((total / 60).quantize(Decimal("1"), rounding="ROUND_CEILING"), "en")
        raise AmountError(f"按每月{format_yuan(monthly)}，还清{format_yuan(total)}要超过 {MAX_MONTHS} 期（50 年），"
                          f"银行不会接受。个性化分期最长60期，按60期算每月约需{sixty}。"
                          "请输入您每月实际能稳定还的金额。",
                          f"At {format_yuan(monthly, 'en')} a month, {format_yuan(total, 'en')} takes more than "
                          f"{MAX_MONTHS} months (50 years), which no bank accepts. Instalment plans run at most "
                          f"60 months, which would need about {sixty_en} a month. Type what you can reliably "
                          "pay each month.")


def months_needed(total: Decimal, monthly: Decimal) -> int:
    return math.ceil(total / monthly)


def format_yuan(value: Decimal | float, lang: str = "zh-Hans") -> str:
    """50000 -> 50,000元 ; 12000.5 -> 12,000.50元."""
    value = Decimal(value).quantize(Decimal("0.01"))
    text = f"{value:,.2f}".removesuffix(".00")
    return f"{text} yuan" if lang == "en" else f"{text}元"
