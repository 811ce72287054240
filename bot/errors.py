"""The one base class for errors a user sees: the reason in Simplified Chinese and in English."""
from __future__ import annotations

from bot.language import localize


class BilingualError(ValueError):
    """Bad input explained to the user; `message(lang)` gives the reason in their language."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)    # logs and tracebacks carry the English reason, never the user's text
        self.zh, self.en = zh, en

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else localize(self.zh, lang)


__all__ = ["BilingualError"]
