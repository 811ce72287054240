"""Logging for every entry point: one stderr handler with a redaction filter.

We never log message text in the first place; the filter is belt and braces
for the things that slip in anyway (httpx logs request URLs, which carry the
bot token; a library may put user input in an exception message).
`LOG_CONTENT=1` lets message text into the logs for debugging; phone, ID and
card numbers and the token are masked even then.
"""
from __future__ import annotations

import logging
import re
import sys

# Order matters: tokens and ID numbers first; phones before card numbers, since
# "+86 138 0013 8000" would otherwise read as a 13-digit card.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Bot token in a Bot API URL path (…/bot123456:AAE…/getUpdates), however short.
    (re.compile(r"(?<=/bot)\d+:[^/\s\"']+"), "<token>"),
    # Bare bot token anywhere else.
    (re.compile(r"(?<![\w])\d{5,}:[A-Za-z0-9_-]{30,}"), "<token>"),
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "<email>"),
    # 18-digit resident ID number (last character may be X).
    (re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])"), "<id-number>"),
    # Mainland mobiles, with or without +86 / 86, optionally grouped 3-4-4.
    (re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)"), "<phone>"),
    # Landlines: +86 area code, or 0-prefixed area code (optionally in brackets).
    (re.compile(r"\+86[ -]?\d{2,4}[ -]?\d{7,8}(?!\d)"), "<phone>"),
    (re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ -]?\d{7,8}(?!\d)"), "<phone>"),
    # Bank-card numbers: 13-19 digits, contiguous or in groups of four.
    (re.compile(r"(?<!\d)(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,4})?)(?!\d)"), "<card-number>"),
]


def redact(text: str) -> str:
    """Mask tokens, e-mail addresses, ID, card and phone numbers in `text`."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactionFilter(logging.Filter):
    """Rewrites each record's message (and formatted traceback) with `redact`.

    Attached to handlers, so it also sees records propagated from library loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# Libraries that log request payloads (and so user text) at DEBUG.
_CHATTY_LOGGERS = ("telegram", "httpcore", "hpack", "tornado.access", "aiohttp.access")

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(settings=None, *, level: str | None = None, log_content: bool | None = None,
                  stream=None) -> logging.Handler:
    """Configure the root logger once for an entry point; return its handler.

    `settings` supplies LOG_LEVEL / LOG_CONTENT; keyword arguments override them.
    """
    level = (level or getattr(settings, "log_level", None) or "INFO").upper()
    if log_content is None:
        log_content = bool(getattr(settings, "log_content", False))
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RedactionFilter())
    # The handler enforces the level too: bm25s sets its own logger to DEBUG when imported.
    handler.setLevel(level)
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_zhiquan", False):
            root.removeHandler(old)
    handler._zhiquan = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    numeric = logging.getLevelName(level)
    if not log_content and isinstance(numeric, int) and numeric < logging.INFO:
        # At DEBUG these libraries dump whole updates (message text included).
        for name in _CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.INFO)
    # httpx logs one INFO line per request (URL with the token, masked above): keep it at
    # WARNING unless debugging, long polling would otherwise log every 10 seconds.
    logging.getLogger("httpx").setLevel(logging.INFO if numeric == logging.DEBUG else logging.WARNING)
    return handler
