from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.evidence.when import WhenError, parse_when

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 5, 14, 30, tzinfo=TZ)


def at(text, now=NOW):
    return parse_when(text, now=now).at.replace(tzinfo=None)


@pytest.mark.parametrize("text, expected", [
    ("昨晚11点", datetime(2026, 12, 4, 23, 0)),
    ("昨晚十一点半", datetime(2026, 12, 4, 23, 30)),
    ("昨晚1点", datetime(2026, 12, 5, 1, 0)),           # after midnight: early today
    ("12月3日 23:40", datetime(2026, 12, 3, 23, 40)),
    ("12月3号晚上11点", datetime(2026, 12, 3, 23, 0)),
    ("今天上午9点15分", datetime(2026, 12, 5, 9, 15)),
    ("2026-11-30 08:15", datetime(2026, 11, 30, 8, 15)),
    ("2026/11/30 8:15", datetime(2026, 11, 30, 8, 15)),
    ("前天凌晨2点", datetime(2026, 12, 3, 2, 0)),
    ("昨天 23:40", datetime(2026, 12, 4, 23, 40)),
    ("yesterday 11pm", datetime(2026, 12, 4, 23, 0)),
    ("12月25日 10:00", datetime(2025, 12, 25, 10, 0)),   # no year and not yet this year: last year
    ("昨天", datetime(2026, 12, 4, 0, 0)),
])
def test_typed_times(text, expected):
    assert at(text) == expected


def test_today_afternoon():
    assert at("今天下午3点", datetime(2026, 12, 5, 18, 0, tzinfo=TZ)) == datetime(2026, 12, 5, 15, 0)
    with pytest.raises(WhenError):
        at("今天下午3点", datetime(2026, 12, 5, 9, 0, tzinfo=TZ))     # still to come


def test_evening_time_without_day_means_last_night_when_typed_in_the_morning():
    assert at("晚上11点", datetime(2026, 12, 5, 8, 0, tzinfo=TZ)) == datetime(2026, 12, 4, 23, 0)


def test_date_only_has_no_time():
    assert parse_when("12月3日", now=NOW).has_time is False
    assert parse_when("12月3日 23:40", now=NOW).has_time is True


def test_empty_is_now():
    assert at("") == datetime(2026, 12, 5, 14, 30)
    assert at("刚才") == datetime(2026, 12, 5, 14, 30)


@pytest.mark.parametrize("text", ["随便什么", "2月30日 10:00", "25:61", "明年"])
def test_bad_times_are_refused_with_a_reason(text):
    with pytest.raises(WhenError) as exc:
        parse_when(text, now=NOW)
    assert exc.value.zh and exc.value.en


def test_traditional_input():
    assert at("昨晚11點") == datetime(2026, 12, 4, 23, 0)
