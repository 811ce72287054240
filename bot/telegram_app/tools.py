"""Access to the advice tools (`bot.tools`), failing with a clear error when one is missing.

Contract: importing `bot.tools` registers every wizard in `bot.tools.wizard.WIZARDS`;
each is a `FormWizard` subclass constructed as `cls(corpus=corpus)`.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class ToolUnavailable(RuntimeError):
    """The advice tool is not installed or failed to load."""


def _wizards() -> dict:
    try:
        import bot.tools  # noqa: F401  (registers the wizards)
        from bot.tools.wizard import WIZARDS
    except ImportError as exc:
        raise ToolUnavailable(f"bot.tools cannot be imported: {exc}") from exc
    return WIZARDS


def get_wizard(name: str, corpus=None):
    """An instance of the wizard registered as `name`."""
    cls = _wizards().get(name)
    if cls is None:
        raise ToolUnavailable(f"no wizard named {name!r} is registered")
    return cls(corpus=corpus)


def check_message(text: str, corpus, lang: str, recipient: str | None = None):
    try:
        from bot.tools.checker import check_message as check
    except ImportError as exc:
        raise ToolUnavailable(f"bot.tools.checker cannot be imported: {exc}") from exc
    return check(text, corpus, lang, recipient=recipient)
