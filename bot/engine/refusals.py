"""Requests for unlawful or deceptive help: which kind, and a refusal that explains the legal risk.

Kinds (hiding assets from enforcement, a sham divorce to dodge debts, forged hardship proof,
threatening the collector back), their patterns, explanations and the articles quoted are data in
bot/data/refusals.yaml. Whatever role the asker claims, the request is refused; the articles are
quoted verbatim through bot.engine.citations, so a wrong quote can never be shown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from bot.datafiles import data_path
from bot.engine.answers import Citation
from bot.engine.citation_text import render_citations
from bot.engine.citations import CitationError, make_citation
from bot.engine.composer import Composed, compose_fixed, replies
from bot.engine.intent import is_refusal_exception
from bot.language import localize
from bot.messages import t
from ingest.corpus import Corpus

DATA_FILE = data_path("refusals.yaml")


@dataclass(frozen=True)
class RefusalKind:
    id: str
    patterns: tuple[re.Pattern, ...]
    text_zh: str
    text_en: str
    cites: tuple[tuple[str, str, str | None], ...]   # (doc id, article, quote or None = first sentence)


@lru_cache(maxsize=1)
def _data() -> dict:
    with open(DATA_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def refusal_kinds() -> tuple[RefusalKind, ...]:
    out = []
    for kind_id, entry in _data()["kinds"].items():
        out.append(RefusalKind(
            id=kind_id, patterns=tuple(re.compile(p, re.IGNORECASE) for p in entry["patterns"]),
            text_zh=" ".join(entry["text_zh"].split()), text_en=" ".join(entry["text_en"].split()),
            cites=tuple((c["doc"], c["article"], c.get("quote")) for c in entry.get("cites") or ())))
    return tuple(out)


def refusal_kind(text: str) -> RefusalKind | None:
    """The kind of unlawful request in a normalised (Simplified) question, or None."""
    if is_refusal_exception(text):
        return None
    lowered = text.lower()
    for kind in refusal_kinds():
        if any(p.search(lowered) for p in kind.patterns):
            return kind
    return None


def refusal_citations(kind: RefusalKind, corpus: Corpus) -> list[Citation]:
    out = []
    for doc_id, article, quote in kind.cites:
        try:
            out.append(make_citation(corpus, doc_id, article, quote))
        except CitationError:
            continue    # never show a risk article that cannot be proven verbatim
    return out


def allowed_citation_keys(corpus: Corpus) -> set[tuple[str, str]]:
    """Every article a refusal may cite (the evaluation checks refusals cite nothing else)."""
    keys = set()
    for kind in refusal_kinds():
        for doc_id, article, _ in kind.cites:
            found = corpus.article(doc_id, article)
            if found is not None:
                keys.add((doc_id, found.label))
    return keys


def compose_refusal(kind: RefusalKind | None, lang: str, corpus: Corpus, notes: list[str] | None = None) -> Composed:
    """The kind's explanation, the risk articles quoted verbatim, official help; generic without a kind."""
    if kind is None:
        return compose_fixed("refused", lang, notes)
    wording = _data()["wording"]["en" if lang == "en" else "zh"]
    r = replies()["en" if lang == "en" else "zh"]
    citations = refusal_citations(kind, corpus)
    blocks = [r[n] for n in notes or []] + [kind.text_en if lang == "en" else kind.text_zh]
    if citations:
        blocks.append(render_citations(citations, lang, corpus))
    blocks += [wording["help"], t("disclaimer", "en" if lang == "en" else "zh-Hans")]
    text = "\n\n".join(blocks)
    return Composed(text=text if lang == "en" else localize(text, lang), citations=citations, topic="refused")


__all__ = ["RefusalKind", "allowed_citation_keys", "compose_refusal", "refusal_citations", "refusal_kind",
           "refusal_kinds"]
