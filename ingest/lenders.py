"""The names people use for each kind of creditor (ingest/data/lenders.yaml), and the generic words
the question and scope classifiers read beside them.

Brand names ("京东白条", "安逸花", "还呗") are many and each is rare in the training questions, so a
classifier trained on character n-grams reads a brand it has seen little of as noise. With the kind of
debt added ("网贷", "信用卡"), a question about any brand reads like the questions about that kind of
debt. Training (ingest/classifiers) and the bot (bot/engine/understanding.py) add the words with the
same function. The bot's lender notes (which rules bind which creditor) are in bot/data/lenders.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.datafiles import data_path, load_yaml
from ingest.normalize import normalize_question

LENDERS_FILE = data_path("lenders.yaml")


@dataclass(frozen=True)
class LenderNames:
    id: str
    names: tuple[str, ...]              # longest first
    classifier_words: tuple[str, ...]


@lru_cache(maxsize=1)
def lender_names() -> tuple[LenderNames, ...]:
    """Kinds of creditor in matching order (most specific first)."""
    data = load_yaml("lenders.yaml")
    return tuple(LenderNames(id=type_id,
                             names=tuple(sorted((str(n) for n in data["types"][type_id]["names"]), key=len, reverse=True)),
                             classifier_words=tuple(data["types"][type_id].get("classifier_words") or ()))
                 for type_id in data["order"])


def _found(name: str, text: str, lowered: str) -> bool:
    if name.isascii():
        return re.search(rf"\b{re.escape(name.lower())}\b", lowered) is not None
    return name in text


def find_lender(text: str) -> tuple[LenderNames, str] | None:
    """The kind of creditor a normalised (Simplified) question names, and the name found; or None."""
    lowered = text.lower()
    for lender in lender_names():
        for name in lender.names:
            if _found(name, text, lowered):
                return lender, name
    return None


def with_lender_words(text: str) -> str:
    """A normalised question with its creditor's generic words appended (those it does not already
    contain): the text the classifiers read."""
    found = find_lender(text)
    missing = [w for w in found[0].classifier_words if w not in text] if found else []
    return " ".join((text, *missing)) if missing else text


def classifier_text(question: str) -> str:
    """What the classifiers read of a raw question: normalised, with its creditor's generic words."""
    return with_lender_words(normalize_question(question))


__all__ = ["LENDERS_FILE", "LenderNames", "classifier_text", "find_lender", "lender_names", "with_lender_words"]
