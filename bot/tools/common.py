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
from bot.engine.citation_text import render_citations
from bot.engine.citations import make_citation
from bot.engine.claim_quotes import anchor_quote
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
    """Citation for {doc, article, quote?} or (doc, article[, quote]); verified against the corpus.

    A quoted phrase from a list item is shown with the item's lead-in and labelled with its item
    (第五十条第一款第（一）项), by the same quoting function as the answers (`bot.claim_quotes`).
    """
    doc_id, label, quote = (ref["doc"], str(ref["article"]), ref.get("quote")) if isinstance(ref, dict) \
        else (*ref, None)[:3]
    article = corpus.article(doc_id, label)
    if quote is None or article is None:
        return make_citation(corpus, doc_id, label, quote)
    anchored = anchor_quote(article, quote)
    return make_citation(corpus, doc_id, label, anchored.quote, anchored.locator)


def citations_block(citations: list[Citation], lang: str) -> str:
    """The numbered list of the rules a text relies on, one line per article (localise afterwards)."""
    return render_citations(unique(citations), lang)


def unique(citations: list[Citation]) -> list[Citation]:
    """Drop repeated citations of the same article with the same quote, keeping order."""
    seen, out = set(), []
    for c in citations:
        key = (c.doc_id, c.article, c.quote)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
