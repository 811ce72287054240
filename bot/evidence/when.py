"""Dates and times as people type them: "昨晚11点", "12月3日 23:40", "今天下午3点", "2026-11-30 08:15".

Everything is read in the user's time zone (Asia/Shanghai by default) relative to `now`.
A time in the future is refused (an incident has already happened); a date without a year
is the latest such date not in the future.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.language import to_simplified

DEFAULT_TZ = "Asia/Shanghai"
FUTURE_SLACK = timedelta(minutes=10)      # clocks differ; a few minutes ahead is still "now"

_NUM = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DAY_WORDS = {"今天": 0, "今日": 0, "今早": 0, "今晚": 0, "今夜": 0, "昨天": -1, "昨日": -1, "昨晚": -1,
              "昨夜": -1, "昨早": -1, "前天": -2, "前晚": -2, "大前天": -3, "today": 0, "tonight": 0,
              "yesterday": -1, "last night": -1}
_DAY_PERIOD = {"今早": "早上", "昨早": "早上", "今晚": "晚上", "今夜": "晚上", "昨晚": "晚上", "昨夜": "晚上",
               "前晚": "晚上", "tonight": "晚上", "last night": "晚上"}
_NOW_WORDS = ("刚才", "刚刚", "现在", "now", "just now")
_PERIODS = ("凌晨", "半夜", "深夜", "夜里", "早上", "早晨", "清晨", "上午", "中午", "下午", "傍晚", "晚上", "晚")

_ISO = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[号]?")
_MONTH_DAY = re.compile(r"(\d{1,2}|[一二两三四五六七八九十]{1,3})月(\d{1,2}|[一二三四五六七八九十]{1,3})[日号]")
_SLASH_DAY = re.compile(r"(?<![\d:])(\d{1,2})/(\d{1,2})(?![\d/])")
_CLOCK = re.compile(r"(\d{1,2})[:：](\d{2})")
_HOUR = re.compile(
    r"(\d{1,2}|[零一二两三四五六七八九十]{1,3})\s*[点時时](?:\s*(半|一刻|三刻|\d{1,2}|[零一二三四五六七八九十]{1,3})\s*分?)?")
_EN_HOUR = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)")
_DAY_WORD = re.compile("|".join(sorted(map(re.escape, _DAY_WORDS), key=len, reverse=True)))
_PERIOD = re.compile("|".join(_PERIODS))


class WhenError(ValueError):
    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class When:
    at: datetime          # aware, in the user's time zone
    has_time: bool        # False when only a date was given (then `at` is that day's 00:00)


def _cn_number(text: str) -> int:
    """1–99 in digits or Chinese numerals (十一, 二十三, 两)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_NUM[tens] if tens else 1) * 10 + (_NUM[ones] if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _NUM[ch]
    return value


def _minutes(text: str | None) -> int:
    if not text:
        return 0
    return {"半": 30, "一刻": 15, "三刻": 45}.get(text) or _cn_number(text)


def _hour_24(hour: int, period: str | None) -> int:
    """Hour of the day from a 12-hour reading and the period word (晚上11点 = 23, 凌晨1点 = 1)."""
    if period in ("下午", "傍晚") and hour < 12:
        return hour + 12
    if period in ("晚上", "晚", "深夜", "夜里") and 5 <= hour < 12:
        return hour + 12
    if period == "中午" and hour < 6:
        return hour + 12
    if period in ("半夜", "深夜", "夜里", "晚上", "晚", "凌晨") and hour == 12:
        return 0
    return hour


def _time_of(text: str) -> tuple[time | None, str | None]:
    """(time, period word) found in the text, or (None, period)."""
    period_match = _PERIOD.search(text)
    period = period_match.group(0) if period_match else None
    clock = _CLOCK.search(text)
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        hour = _hour_24(hour, period) if hour <= 12 else hour
        return _checked_time(hour, minute), period
    english = _EN_HOUR.search(text)
    if english:
        hour = int(english.group(1)) % 12 + (12 if english.group(3).startswith("p") else 0)
        return _checked_time(hour, int(english.group(2) or 0)), period
    spoken = _HOUR.search(text)
    if spoken:
        hour = _hour_24(_cn_number(spoken.group(1)), period)
        return _checked_time(hour, _minutes(spoken.group(2))), period
    return None, period


def _checked_time(hour: int, minute: int) -> time:
    if hour == 24 and minute == 0:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise WhenError("时间不对，请写成“23:40”或“晚上11点”这样的形式。",
                        "That time is not valid; write it like 23:40 or 11 pm.")
    return time(hour, minute)


def _date_of(text: str, today: date) -> tuple[date | None, str | None]:
    """(date, implied period such as 昨晚 → 晚上) from the text."""
    iso = _ISO.search(text)
    if iso:
        return _checked_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3))), None
    month_day = _MONTH_DAY.search(text) or _SLASH_DAY.search(text)
    if month_day:
        month, day = _cn_number(month_day.group(1)), _cn_number(month_day.group(2))
        candidate = _checked_date(today.year, month, day)
        if candidate > today:
            candidate = _checked_date(today.year - 1, month, day)
        return candidate, None
    word = _DAY_WORD.search(text)
    if word:
        return today + timedelta(days=_DAY_WORDS[word.group(0)]), _DAY_PERIOD.get(word.group(0))
    return None, None


def _checked_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise WhenError(f"没有这一天：{year}年{month}月{day}日。", f"There is no such date: {year}-{month:02d}-{day:02d}.") from None


def parse_when(text: str, now: datetime | None = None, tz: str = DEFAULT_TZ) -> When:
    """The moment described by `text`, in zone `tz`; empty text or 刚才/现在 means now."""
    zone = ZoneInfo(tz)
    now = (now or datetime.now(zone)).astimezone(zone)
    raw = to_simplified((text or "").strip()).lower()
    if not raw or raw in _NOW_WORDS:
        return When(now.replace(second=0, microsecond=0), True)
    day, implied_period = _date_of(raw, now.date())
    clock, period = _time_of(raw)
    if clock is None and day is None:
        raise WhenError("看不懂这个时间。请写成“昨晚11点”“12月3日 23:40”或“2026-11-30 08:15”。",
                        "I could not read that time. Write it like 'yesterday 11pm', '12月3日 23:40' or "
                        "'2026-11-30 08:15'.")
    if clock is not None and period is None and implied_period is not None:
        clock = _checked_time(_hour_24(clock.hour, implied_period) if clock.hour <= 12 else clock.hour,
                              clock.minute)
        period = implied_period
    if day is None:
        day = now.date()
    elif implied_period == "晚上" and clock is not None and clock.hour < 5:
        day += timedelta(days=1)      # 昨晚1点 is after midnight, i.e. early today
    at = datetime.combine(day, clock or time(0, 0), tzinfo=zone)
    if at > now + FUTURE_SLACK:
        if clock is not None and _date_of(raw, now.date())[0] is None:
            at -= timedelta(days=1)   # "晚上11点" typed at 8 am means last night
        if at > now + FUTURE_SLACK:
            raise WhenError("这个时间还没到。请写已经发生的时间。", "That time is in the future; give when it happened.")
    return When(at, clock is not None)
