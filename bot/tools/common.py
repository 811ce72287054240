"""Shared pieces of the advice tools: language, the corpus, citations and the disclaimer.

Chinese text is written in Simplified and converted to Traditional at the edge
(`bot.language.localize`); English is written separately.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from bot import messages
from bot.engine.answers import Citation
from bot.engine.citations import make_citation
from bot.language import localize
from ingest.corpus import Corpus, load_corpus


def to_lang(text: str, lang: str) -> str:
    """Simplified text in the user's script (zh-Hant converted; zh-Hans and en unchanged)."""
    return localize(text, lang) if lang == "zh-Hant" else text


# Control characters (other than tab and newline) carry no meaning and python-docx rejects them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


def strip_control(text: str) -> str:
    return _CONTROL.sub("", text)


def say(zh: str, en: str, lang: str) -> str:
    """The message in the user's language."""
    return en if lang == "en" else to_lang(zh, lang)


def disclaimer(lang: str) -> str:
    """The catalogue's one disclaimer (legal information, no outcome promised, 12348)."""
    return messages.t("disclaimer", lang)


@lru_cache(maxsize=4)
def _load(knowledge_dir: str) -> Corpus:
    return load_corpus(knowledge_dir)


def default_corpus() -> Corpus:
    """The corpus named by the settings, loaded once per process."""
    from bot.config import get_settings

    return _load(str(Path(get_settings().knowledge_dir).resolve()))


def cite(corpus: Corpus, ref: dict | tuple) -> Citation:
    """Citation for {doc, article, quote?} or (doc, article[, quote]); verified against the corpus."""
    if isinstance(ref, dict):
        return make_citation(corpus, ref["doc"], str(ref["article"]), ref.get("quote"))
    return make_citation(corpus, *ref)


def caveat_text(citation: Citation, lang: str) -> str | None:
    if not citation.caveat:
        return None
    # Chinese stays Simplified here: the tools convert their whole text to the user's script at the end.
    return messages.caveat_text(citation.caveat, "en") if lang == "en" else citation.caveat


def citation_line(citation: Citation, lang: str, quotes: list[str] | None = None) -> str:
    """《信用卡业务监督管理办法》第六十八条：“……”（注意：仅收录部分条文）. Localised by the caller."""
    caveat = caveat_text(citation, lang)
    note = ""
    if caveat:
        note = f" (caution: {caveat})" if lang == "en" else f"（注意：{caveat}，请以官方文本为准）"
    quoted = "……".join(f"“{q}”" for q in (quotes or [citation.quote]))
    return f"{citation.display}：{quoted}{note}"


def citations_block(citations: list[Citation], lang: str) -> str:
    """The numbered list of the rules a text relies on, one line per article (localise afterwards)."""
    head = "Rules relied on (quoted from the official text):" if lang == "en" else "依据（原文摘录）："
    grouped: dict[tuple[str, str], list[Citation]] = {}
    for c in unique(citations):
        grouped.setdefault((c.doc_id, c.article), []).append(c)
    lines = [head] + [f"{i}. {citation_line(group[0], lang, [c.quote for c in group])}"
                      for i, group in enumerate(grouped.values(), 1)]
    return "\n".join(lines)


def unique(citations: list[Citation]) -> list[Citation]:
    """Drop repeated citations of the same article with the same quote, keeping order."""
    seen, out = set(), []
    for c in citations:
        key = (c.doc_id, c.article, c.quote)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
