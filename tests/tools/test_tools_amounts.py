"""Money and month counts as people type them; impossible values are rejected with a reason."""
from decimal import Decimal

import pytest

from bot.tools.amounts import AmountError, check_monthly, format_yuan, months_needed, parse_amount, parse_count, parse_months


@pytest.mark.parametrize("text, expected", [
    ("5万", "50000"), ("50,000", "50000"), ("50000", "50000"), ("五万元", "50000"), ("3.5w", "35000"),
    ("3.5W", "35000"), ("3.5万", "35000"), ("￥12,000.50", "12000.50"), ("¥12000.5", "12000.50"),
    ("1.2k", "1200"), ("1.2K", "1200"), ("两千五", "2500"), ("30000块", "30000"), ("30000块钱", "30000"),
    ("三万五", "35000"), ("一万二千", "12000"), ("1万5", "15000"), ("2万3千", "23000"), ("3千2", "3200"),
    ("十二万三千四百五十六", "123456"), ("五百五", "550"), ("一千零五", "1005"), ("两千零五十", "2050"),
    ("一万零五百", "10500"), ("10万零500", "100500"), ("壹万", "10000"), ("十万", "100000"), ("二十", "20"),
    ("大概5万多", "50000"), ("约3万元左右", "30000"), ("5 万 元", "50000"), ("５００００", "50000"),
    ("人民币8000元", "8000"), ("RMB 8000", "8000"), ("8,650.00元", "8650"), ("50万", "500000"),
    ("1亿", "100000000"), ("0.5万", "5000"),
])
def test_amounts_as_typed(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text, reason", [
    ("-500", "负数"), ("负5000", "负数"), ("0", "不能为 0"), ("零", "不能为 0"), ("0.001", "不能为 0"),
    ("2亿", "1 亿"), ("100000001", "1 亿"), ("5万万", "看不懂"), ("abc", "看不懂"), ("", "没有看到数字"),
    ("万", "看不懂") , ("1e309", "看不懂"), ("NaN", "看不懂"), ("三分之一", "看不懂"), ("5..5", "看不懂"),
])
def test_impossible_amounts_are_rejected_with_a_reason(text, reason):
    with pytest.raises(AmountError) as info:
        parse_amount(text)
    assert reason in info.value.zh
    assert info.value.en   # an English reason too


@pytest.mark.parametrize("text, months", [
    ("24期", 24), ("24个月", 24), ("24 個月", 24), ("两年", 24), ("一年半", 18), ("半年", 6), ("5 years", 60),
    ("1 year", 12), ("36", 36), ("2年半", 30), ("3.5年", 42), ("十八个月", 18), ("60 months", 60), ("两个月", 2),
    ("5年", 60), ("600", 600),
])
def test_months_as_typed(text, months):
    assert parse_months(text) == months


@pytest.mark.parametrize("text", ["0", "没有", "没逾期", "未逾期"])
def test_zero_months_only_when_allowed(text):
    assert parse_months(text, allow_zero=True) == 0
    with pytest.raises(AmountError):
        parse_months(text)


@pytest.mark.parametrize("text, reason", [("601", "600"), ("51年", "600"), ("-3", "负数"), ("很多年", "看不懂"),
                                          ("期", "看不懂")])
def test_impossible_months(text, reason):
    with pytest.raises(AmountError) as info:
        parse_months(text)
    assert reason in info.value.zh


def test_monthly_payment_above_total_is_rejected():
    check_monthly(Decimal(1000), Decimal(1000))
    with pytest.raises(AmountError) as info:
        check_monthly(Decimal(6000), Decimal(5000))
    assert "比欠款总额" in info.value.zh and "more than the whole debt" in info.value.en


def test_months_needed_rounds_up_and_format():
    assert months_needed(Decimal(50000), Decimal(1500)) == 34
    assert months_needed(Decimal(3000), Decimal(1000)) == 3
    assert format_yuan(Decimal("12000.5")) == "12,000.50元"
    assert format_yuan(Decimal(50000), "en") == "50,000 yuan"


@pytest.mark.parametrize("text, count", [("20", 20), ("二十", 20), ("几十", 20), ("十几", 10), ("15次", 15)])
def test_counts(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize("text", ["1" * 27, "9" * 400, "123456789012345678901234567890.5", "9亿亿亿亿亿亿"])
def test_huge_amounts_are_re_asked_not_crashed(text):
    with pytest.raises(AmountError):
        parse_amount(text)


@pytest.mark.parametrize("text", ["9" * 400, "1" * 27 + "期", "9" * 40 + "年", "9亿亿亿亿个月"])
def test_huge_month_counts_are_re_asked_not_crashed(text):
    with pytest.raises(AmountError):
        parse_months(text)


def test_a_monthly_payment_that_would_take_decades_is_re_asked_with_the_sixty_month_figure():
    with pytest.raises(AmountError) as info:
        check_monthly(Decimal("0.01"), Decimal("50000"))
    assert "60期" in info.value.zh and "834元" in info.value.zh and "5000000" not in info.value.zh
    check_monthly(Decimal("100"), Decimal("50000"))     # 500 months: long, but the script explains the 60 cap
