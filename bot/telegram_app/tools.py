"""Access to the advice tools (`bot.tools`), failing with a clear error when one is missing."""
from __future__ import annotations

import importlib
import inspect
import logging

log = logging.getLogger(__name__)

# Modules that register wizards in bot.tools.wizard.WIZARDS when imported.
_WIZARD_MODULES = ("bot.tools",)


class ToolUnavailable(RuntimeError):
    """The advice tool is not installed or failed to load."""


def _wizards() -> dict:
    try:
        from bot.tools.wizard import WIZARDS
    except ImportError as exc:
        raise ToolUnavailable(f"bot.tools.wizard cannot be imported: {exc}") from exc
    for name in _WIZARD_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    return WIZARDS


def get_wizard(name: str, corpus=None):
    """An instance of the wizard registered as `name`."""
    cls = _wizards().get(name)
    if cls is None:
        raise ToolUnavailable(f"no wizard named {name!r} is registered")
    params = inspect.signature(cls).parameters
    if "corpus" in params:
        return cls(corpus=corpus)
    if params and corpus is not None and next(iter(params.values())).default is inspect.Parameter.empty:
        return cls(corpus)
    return cls()


def check_message(text: str, corpus, lang: str):
    try:
        from bot.tools.checker import check_message as check
    except ImportError as exc:
        raise ToolUnavailable(f"bot.tools.checker cannot be imported: {exc}") from exc
    return check(text, corpus, lang)
