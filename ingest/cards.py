"""Load and validate the answer cards in knowledge/cards/*.md.

A card is a short plain-language answer written for this project. Its front
matter lists the colloquial questions it answers and the articles it relies on;
every cite must resolve in the corpus, otherwise the card could make a legal
claim nothing supports.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ingest.corpus import Corpus, CorpusError, read_text, split_front_matter
from ingest.normalize import normalize_text

AUDIENCES = {"borrower", "contact", "both"}
# The engine's intents (docs/ARCHITECTURE.md); a card's optional `intent` must be one of them.
# The first nine are topical (a card answers them); the rest are the engine's non-topical outcomes.
INTENTS = ("contact_rights", "collector_conduct", "privacy", "credit_report", "criminal_risk", "negotiation",
           "complaint", "lawsuit", "scam", "article_lookup", "greeting", "out_of_scope", "refused")
TOPICAL_INTENTS = INTENTS[:9]


@dataclass(frozen=True)
class Cite:
    doc_id: str
    article: str            # label as written in the card (第一千零三十三条, or 一 for items)


@dataclass
class Card:
    id: str
    topic: str
    questions: list[str]
    cites: list[Cite]
    body: str
    path: Path
    audience: str = "both"
    intent: str = ""
    followups: list[str] = field(default_factory=list)
    sha256: str = ""


def card_phrasings(cards: list[Card]) -> list[tuple[str, str]]:
    """(card id, normalised phrasing) for each card's topic and listed questions, in card order.

    The engine matches a question against each phrasing separately: a card indexed as one
    chunk (all its questions plus its body) blurs that signal.
    """
    return [(card.id, normalize_text(phrasing)) for card in cards for phrasing in [card.topic, *card.questions]]


def _line_of(lines: list[str], needle: str, start: int = 0, default: int = 2) -> int:
    """1-based line of the first front-matter line containing needle at or after start."""
    for i in range(start, len(lines)):
        if needle and needle in lines[i]:
            return i + 1
    return default


def _string_list(path: Path, meta: dict, key: str, lines: list[str], required: bool) -> list[str]:
    value = meta.get(key)
    line = _line_of(lines, f"{key}:")
    if value is None and not required:
        return []
    if not isinstance(value, list) or not value:
        raise CorpusError(path, f"'{key}' must be a non-empty list of strings", line)
    bad = [v for v in value if not isinstance(v, str) or not v.strip()]
    if bad:
        raise CorpusError(path, f"'{key}' has an empty or non-text entry: {bad[0]!r}", line)
    return [v.strip() for v in value]


def _cites(path: Path, meta: dict, lines: list[str], corpus: Corpus) -> list[Cite]:
    raw = meta.get("cites")
    cites_line = _line_of(lines, "cites:")
    if not isinstance(raw, list) or not raw:
        raise CorpusError(path, "'cites' must be a non-empty list of {doc, article}", cites_line)
    cites: list[Cite] = []
    search_from = cites_line - 1
    for entry in raw:
        if not isinstance(entry, dict) or not entry.get("doc") or entry.get("article") in (None, ""):
            raise CorpusError(path, f"cite {entry!r} needs both 'doc' and 'article'", cites_line)
        doc_id, label = str(entry["doc"]), str(entry["article"])
        line = _line_of(lines, label, search_from, cites_line)
        search_from = max(search_from, line - 1)
        if doc_id not in corpus:
            raise CorpusError(path, f"cites unknown document {doc_id!r}", _line_of(lines, doc_id, cites_line - 1, cites_line))
        if corpus.article(doc_id, label) is None:
            raise CorpusError(path, f"cites {doc_id} {label}, which does not exist in the corpus", line)
        cites.append(Cite(doc_id, label))
    return cites


def parse_card(path: Path, corpus: Corpus) -> Card:
    text = read_text(path)
    meta, body, _ = split_front_matter(path, text)
    lines = text.lstrip("\ufeff").split("\n")
    for key in ("id", "topic"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise CorpusError(path, f"front matter lacks {key}", _line_of(lines, f"{key}:"))
    if meta["id"] != path.stem:
        raise CorpusError(path, f"id {meta['id']!r} does not match the file name {path.stem!r}",
                          _line_of(lines, "id:"))
    audience = meta.get("audience", "both")
    if audience not in AUDIENCES:
        raise CorpusError(path, f"unknown audience {audience!r} (expected one of {sorted(AUDIENCES)})",
                          _line_of(lines, "audience:"))
    intent = meta.get("intent") or ""
    if intent and intent not in INTENTS:
        raise CorpusError(path, f"unknown intent {intent!r} (expected one of {sorted(INTENTS)})",
                          _line_of(lines, "intent:"))
    if not body.strip():
        raise CorpusError(path, "card has no body text")
    return Card(
        id=meta["id"], topic=meta["topic"].strip(),
        questions=_string_list(path, meta, "questions", lines, required=True),
        cites=_cites(path, meta, lines, corpus), body=body.strip(), path=path,
        audience=audience, intent=str(intent),
        followups=_string_list(path, meta, "followups", lines, required=False),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )


def load_cards(knowledge_dir: Path | str, corpus: Corpus) -> list[Card]:
    """Every knowledge/cards/*.md (but README.md, _*.md); an absent or empty folder means no cards."""
    folder = Path(knowledge_dir) / "cards"
    if not folder.is_dir():
        return []
    return [parse_card(p, corpus) for p in sorted(folder.glob("*.md")) if is_card_file(p)]


def is_card_file(path: Path) -> bool:
    """README.md and files starting with _ document the folder; they are not cards."""
    return path.stem.lower() != "readme" and not path.name.startswith(("_", "."))


__all__ = ["card_phrasings", "Card", "Cite", "load_cards", "parse_card", "AUDIENCES", "INTENTS", "TOPICAL_INTENTS"]
