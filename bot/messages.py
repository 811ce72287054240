"""The message catalogue (bot/data/messages.yaml): every fixed user-facing string, in zh and en.

Simplified Chinese and English are written by hand; Traditional is derived from
Simplified with `bot.language.localize`. Plain text, no markup: front ends escape it.
Status labels and caveat words in Chinese belong to the corpus model
(`ingest.corpus.STATUS_LABELS`, `Document.caveat`); the catalogue holds their English.
"""
from __future__ import annotations

from functools import lru_cache

from bot.datafiles import load_yaml
from bot.language import LANGUAGES, localize
from ingest.corpus import STATUS_LABELS

DEFAULT_LANGUAGE = "zh-Hans"

LANGUAGE_NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English"}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict]:
    return load_yaml("messages.yaml")


def has_string(key: str) -> bool:
    return key in catalogue()


def normalize_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, **params) -> str:
    """The string `key` in `lang` (zh-Hant derived from zh-Hans), formatted with `params`.

    Parameters are substituted after conversion, so user-supplied values are never
    rewritten into another script.
    """
    lang = normalize_language(lang)
    entry = catalogue()[key]
    template = entry["en"] if lang == "en" else localize(entry["zh"], lang)
    return template.format(**params) if params else template


def status_label(status: str, lang: str | None = None) -> str:
    """现行有效 / in force …: the corpus model's label, or its English from the catalogue."""
    if normalize_language(lang) == "en":
        return catalogue().get(f"status_{status}", {}).get("en", status)
    return localize(STATUS_LABELS.get(status, status), normalize_language(lang))


def caveat_text(caveat: str, lang: str | None = None) -> str:
    """A citation's caveat (Chinese words joined by ；, from the corpus model) in the user's language."""
    if normalize_language(lang) == "en":
        words = catalogue()["caveat_words"]["en"]
        return "; ".join(words.get(part, part) for part in caveat.split("；"))
    return localize(caveat, normalize_language(lang))


def language_from_code(code: str | None) -> str:
    """Map Telegram's IETF language_code (zh-hans, zh-TW, en-GB …) to one of ours."""
    code = (code or "").lower()
    if code.startswith("en"):
        return "en"
    if code in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
        return "zh-Hant"
    return DEFAULT_LANGUAGE
