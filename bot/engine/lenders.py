"""Which kind of lender a question is about, and which rules bind that lender.

The names people use per lender type are ingest's (ingest/data/lenders.yaml; the classifiers read
them too); the note per lender type and the articles it relies on are data in bot/data/lenders.yaml.
Brand names never occur in statutes, so the type's
retrieval words are appended to the query; and the answer says which rules apply, e.g. the
credit-card collection rule binds banks' credit-card collection only.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.datafiles import load_yaml
from bot.engine.answers import Citation
from bot.engine.citations import CitationError, make_citation
from ingest.corpus import Corpus
from ingest.lenders import find_lender, lender_names


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
def lender_types() -> dict[str, LenderType]:
    """Lender types by id."""
    types = load_yaml("lenders.yaml")["types"]
    out = {}
    for lender in lender_names():
        entry = types[lender.id]
        out[lender.id] = LenderType(
            id=lender.id, label_zh=entry["label_zh"], label_en=entry["label_en"], names=lender.names,
            expand=tuple(entry.get("expand") or ()), note_zh=" ".join(entry["note_zh"].split()),
            note_en=" ".join(entry["note_en"].split()),
            cites=tuple((c["doc"], c["article"]) for c in entry.get("cites") or ()),
            not_binding=tuple(entry.get("not_binding") or ()))
    return out


def detect_lender(text: str) -> LenderMatch | None:
    """The lender type named in a normalised (Simplified) question, or None."""
    found = find_lender(text)
    return LenderMatch(type=lender_types()[found[0].id], name=found[1]) if found else None


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
