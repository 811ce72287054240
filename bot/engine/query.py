"""Question normalisation and colloquial -> legal query expansion.

The words people use ("爆通讯录", "坐牢", "emergency contact") rarely occur in
statutes, so retrieval gets the legal terms appended. The mapping is data in
bot/data/expansions.yaml; this module only applies it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.datafiles import load_yaml
from ingest.normalize import normalize_text

# Longer questions are answered from their beginning, with a note: a pasted essay should not
# crowd out the search (or, with an LLM, run up the bill). Front ends use the same limit.
MAX_QUESTION_CHARS = 2000

_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


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
    return {"typos": data.get("typos") or {}, "expansions": data.get("expansions") or {},
            "english": data.get("english") or {}}


@lru_cache(maxsize=1)
def _typo_pattern() -> re.Pattern | None:
    typos = load_expansions()["typos"]
    if not typos:
        return None
    keys = sorted(typos, key=len, reverse=True)   # longest first: 紧急联络人 before 联络人
    return re.compile("|".join(re.escape(k) for k in keys))


def fix_typos(text: str) -> str:
    pattern = _typo_pattern()
    if pattern is None:
        return text
    typos = load_expansions()["typos"]
    return pattern.sub(lambda m: typos[m.group(0)], text)


def normalize_question(text: str) -> str:
    """Simplified script, half-width digits/letters, no stray spaces between Chinese characters, typos fixed."""
    text = normalize_text(text or "")
    text = _CJK_SPACE.sub("", text.replace("\n", " "))
    return fix_typos(text).strip()


def expansion_terms(text: str) -> list[str]:
    """Legal terms for the colloquial words found in a normalised question (order kept, no repeats)."""
    data = load_expansions()
    lowered = text.lower()
    terms: list[str] = []
    for key, values in data["expansions"].items():
        if key in text:
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
    return Query(original=raw, text=text, expansion=tuple(expansion_terms(text)), truncated=truncated)


__all__ = ["Query", "build_query", "normalize_question", "expansion_terms", "fix_typos",
           "load_expansions", "MAX_QUESTION_CHARS"]
