"""Colloquial -> legal query expansion. Normalisation is ingest's `normalize_question`: the question
classifier was trained on its output, so the bot must normalise with the very same function.

The words people use ("爆通讯录", "坐牢", "emergency contact") rarely occur in
statutes, so retrieval gets the legal terms appended. The mapping is data in
bot/data/expansions.yaml; this module only applies it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.datafiles import load_yaml
from bot.engine.lenders import expansion_terms as lender_terms
from ingest.normalize import fix_typos, normalize_question

# Longer questions are answered from their beginning, with a note: a pasted essay should not
# crowd out the search (or, with an LLM, run up the bill). Front ends use the same limit.
MAX_QUESTION_CHARS = 2000


@dataclass(frozen=True)
class Query:
    original: str
    text: str                       # normalised Simplified question (what the user meant)
    expansion: tuple[str, ...] = field(default_factory=tuple)  # legal terms added for retrieval
    truncated: bool = False

    @property
    def search_text(self) -> str:
        """Question plus expansion terms, for keyword and dense search."""
        return " ".join((self.text, *self.expansion)) if self.expansion else self.text


@lru_cache(maxsize=1)
def load_expansions() -> dict:
    data = load_yaml("expansions.yaml", empty={})
    offence = data.get("collector_offence") or {}
    return {"expansions": data.get("expansions") or {}, "english": data.get("english") or {},
            "collector_offence": (frozenset(offence.get("keys") or ()),
                                  [re.compile(p) for p in offence.get("patterns") or ()])}


def _skipped_keys(text: str, data: dict) -> frozenset[str]:
    """Crime words not expanded to the borrower's offence: the question asks about the collector's."""
    keys, patterns = data["collector_offence"]
    return keys if any(p.search(text) for p in patterns) else frozenset()


def expansion_terms(text: str) -> list[str]:
    """Legal terms for the colloquial words found in a normalised question (order kept, no repeats)."""
    data = load_expansions()
    lowered = text.lower()
    skipped = _skipped_keys(text, data)
    terms: list[str] = []
    for key, values in data["expansions"].items():
        if key in text and key not in skipped:
            terms.extend(values)
    for key, values in data["english"].items():
        if re.search(rf"\b{re.escape(key)}s?\b", lowered):
            terms.extend(values)
    seen = set(text.split())
    out = []
    for term in terms:
        if term not in seen:
            seen.add(term)
            out.append(term)
    return out


def build_query(question: str) -> Query:
    """Normalise, bound the length (long pastes are truncated for retrieval) and expand."""
    raw = question or ""
    truncated = len(raw) > MAX_QUESTION_CHARS
    text = normalize_question(raw[:MAX_QUESTION_CHARS])
    terms = expansion_terms(text)
    terms += [t for t in lender_terms(text) if t not in terms and t not in text]
    return Query(original=raw, text=text, expansion=tuple(terms), truncated=truncated)


__all__ = ["Query", "build_query", "normalize_question", "expansion_terms", "fix_typos",
           "load_expansions", "MAX_QUESTION_CHARS"]
