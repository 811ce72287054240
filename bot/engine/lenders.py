"""Which kind of lender a question is about, and which rules bind that lender.

The vocabulary (brand names, colloquial spellings, the note per lender type, the articles it
relies on) is data in bot/data/lenders.yaml. Brand names never occur in statutes, so the type's
retrieval words are appended to the query; and the answer says which rules apply, e.g. the
credit-card collection rule binds banks' credit-card collection only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from bot.datafiles import data_path
from bot.engine.answers import Citation
from bot.engine.citations import CitationError, make_citation
from ingest.corpus import Corpus

DATA_FILE = data_path("lenders.yaml")


@dataclass(frozen=True)
class LenderType:
    id: str
    label_zh: str
    label_en: str
    names: tuple[str, ...]
    expand: tuple[str, ...]
    note_zh: str
    note_en: str
    cites: tuple[tuple[str, str], ...]
    not_binding: tuple[str, ...]


@dataclass(frozen=True)
class LenderMatch:
    type: LenderType
    name: str          # the word found in the question


@lru_cache(maxsize=1)
def lender_types() -> tuple[LenderType, ...]:
    """Lender types in matching order (most specific first)."""
    with open(DATA_FILE, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    types = data["types"]
    out = []
    for type_id in data["order"]:
        entry = types[type_id]
        out.append(LenderType(
            id=type_id, label_zh=entry["label_zh"], label_en=entry["label_en"],
            names=tuple(sorted((str(n) for n in entry["names"]), key=len, reverse=True)),
            expand=tuple(entry.get("expand") or ()), note_zh=" ".join(entry["note_zh"].split()),
            note_en=" ".join(entry["note_en"].split()),
            cites=tuple((c["doc"], c["article"]) for c in entry.get("cites") or ()),
            not_binding=tuple(entry.get("not_binding") or ())))
    return tuple(out)


def _found(name: str, text: str, lowered: str) -> bool:
    if name.isascii():
        return re.search(rf"\b{re.escape(name.lower())}\b", lowered) is not None
    return name in text


def detect_lender(text: str) -> LenderMatch | None:
    """The lender type named in a normalised (Simplified) question, or None."""
    lowered = text.lower()
    for lender in lender_types():
        for name in lender.names:
            if _found(name, text, lowered):
                return LenderMatch(type=lender, name=name)
    return None


def expansion_terms(text: str) -> list[str]:
    """Retrieval words for the lender named in the question (brand names are not in statutes)."""
    match = detect_lender(text)
    return list(match.type.expand) if match else []


def lender_note(match: LenderMatch, lang: str) -> str:
    """The paragraph saying which rules bind this kind of lender (Simplified or English)."""
    return match.type.note_en if lang == "en" else match.type.note_zh


def lender_citations(match: LenderMatch, corpus: Corpus) -> list[Citation]:
    """Verified citations of the articles the lender note relies on (first sentence quoted)."""
    out = []
    for doc_id, label in match.type.cites:
        try:
            out.append(make_citation(corpus, doc_id, label))
        except CitationError:
            continue
    return out


def binds(match: LenderMatch | None, doc_id: str) -> bool:
    """False when the document's rules bind a different kind of lender than the one asked about."""
    return match is None or doc_id not in match.type.not_binding


__all__ = ["LenderMatch", "LenderType", "binds", "detect_lender", "expansion_terms", "lender_citations",
           "lender_note", "lender_types"]
