"""The redaction filter masks personal data and bot tokens in real log output."""
import io
import logging

import pytest

from bot.logging_setup import redact, setup_logging

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789_-x"


@pytest.mark.parametrize("raw, kept", [
    ("call 13800138000 now", "call <phone> now"),
    ("手机+86 138 0013 8000。", "手机<phone>。"),
    ("电话8613912345678", "电话<phone>"),
    ("座机010-12345678，或(021)87654321", "座机<phone>，或<phone>"),
    ("+86 10 12345678", "<phone>"),
    ("身份证110101199003071234号", "身份证<id-number>号"),
    ("ID 11010119900307123X end", "ID <id-number> end"),
    ("卡号6222020200112233445", "卡号<card-number>"),
    ("card 6222 0202 0011 2233", "card <card-number>"),
    ("mail zhang.san@example.com.cn", "mail <email>"),
    (f"POST https://api.telegram.org/bot{TOKEN}/getUpdates", "POST https://api.telegram.org/bot<token>/getUpdates"),
    ("GET http://127.0.0.1:9/bot123:short/getMe", "GET http://127.0.0.1:9/bot<token>/getMe"),
    (f"token={TOKEN}", "token=<token>"),
])
def test_redact_masks(raw, kept):
    assert redact(raw) == kept


@pytest.mark.parametrize("harmless", [
    "2026-11-28 12:19:28,123 INFO started in 2.5 s",
    "index version 20261128-121928 with 1532 chunks",
    "《民法典》第一千零三十三条",
    "user 123456789 rate limited",
])
def test_redact_leaves_ordinary_text(harmless):
    assert redact(harmless) == harmless


def _capture(log_content: bool):
    stream = io.StringIO()
    handler = setup_logging(level="DEBUG", log_content=log_content, stream=stream)
    return stream, handler


def test_filter_applies_to_library_loggers_and_tracebacks():
    stream, handler = _capture(log_content=False)
    try:
        logging.getLogger("httpx").info("HTTP Request: POST %s", f"https://x/bot{TOKEN}/sendMessage")
        try:
            raise ValueError("bad input 13800138000")
        except ValueError:
            logging.getLogger("bot.test").exception("failed for %s", "zhang@example.com")
    finally:
        logging.getLogger().removeHandler(handler)
    out = stream.getvalue()
    assert TOKEN not in out and "13800138000" not in out and "zhang@example.com" not in out
    assert "bot<token>/sendMessage" in out and "<phone>" in out and "ValueError" in out


def test_numbers_masked_even_with_log_content():
    stream, handler = _capture(log_content=True)
    try:
        logging.getLogger("bot.test").warning("question: 我的电话13800138000")
    finally:
        logging.getLogger().removeHandler(handler)
    assert "question: 我的电话<phone>" in stream.getvalue()


def test_chained_traceback_and_stack_are_masked():
    """The exception text of every link in a chain, and a logged stack, go through the filter."""
    stream, handler = _capture(log_content=False)
    try:
        try:
            try:
                raise KeyError("user 13912345678 card 6222020200112233445")
            except KeyError as inner:
                raise RuntimeError("lookup failed for 110101199003071234") from inner
        except RuntimeError as exc:
            logging.getLogger("telegram.ext").error("handler crashed", exc_info=exc, stack_info=True)
    finally:
        logging.getLogger().removeHandler(handler)
    out = stream.getvalue()
    for secret in ("13912345678", "6222020200112233445", "110101199003071234"):
        assert secret not in out
    assert "KeyError" in out and "RuntimeError" in out and "Stack (most recent call last)" in out
    assert "<phone>" in out and "<card-number>" in out and "<id-number>" in out
