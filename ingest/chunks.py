"""Turn documents, guidance and cards into index chunks.

Chunk ids are stable across rebuilds (`reg:{doc_id}:{label}`, `#p2` for split
parts, `card:{id}`, `guide:{n}`) so caches, evaluations and follow-ups can refer
to them. The indexed text starts with 《short title》, the article label and its
heading path, so both keyword and dense search can find an article by name.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ingest.cards import Card
from ingest.corpus import Article, Corpus, Document
from ingest.guidance import GuidanceDoc
from ingest.normalize import normalize_text

MAX_CHARS = 600          # longer articles are split by paragraph
PATH_SEP = " > "


@dataclass
class Chunk:
    id: str
    text: str
    metadata: dict = field(default_factory=dict)


def _article_header(doc: Document, article: Article) -> str:
    path = PATH_SEP.join(article.path)
    return f"《{doc.short_title}》{article.display}" + (f"（{path}）" if path else "")


def _group_paragraphs(paragraphs: list[str], limit: int) -> list[list[str]]:
    """Greedy groups of whole paragraphs, each under `limit` chars where possible."""
    groups: list[list[str]] = [[]]
    size = 0
    for para in paragraphs:
        if groups[-1] and size + len(para) > limit:
            groups.append([])
            size = 0
        groups[-1].append(para)
        size += len(para)
    return groups


def article_chunks(doc: Document, article: Article, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """One chunk per article; an over-long article becomes parts that repeat its header."""
    base_id = f"reg:{doc.id}:{article.label}"
    meta = {**doc.metadata(), "source": "regulation", "article": article.label,
            "article_display": article.display, "article_number": article.number,
            "article_suffix": article.suffix, "path": PATH_SEP.join(article.path), "line": article.line}
    header = _article_header(doc, article)
    if len(article.text) <= max_chars:
        return [Chunk(base_id, normalize_text(f"{header}\n{article.text}"), {**meta, "part": 1, "parts": 1})]
    paragraphs = article.paragraphs
    first, rest = paragraphs[0], paragraphs[1:]
    groups = [[first] + g if i == 0 else g for i, g in enumerate(_group_paragraphs(rest, max_chars - len(first)))]
    chunks = []
    for i, group in enumerate(groups, start=1):
        # Later parts repeat the article label so a part alone still says where it comes from.
        lead = "" if i == 1 else f"{article.label}（续）\n"
        chunk_id = base_id if i == 1 else f"{base_id}#p{i}"
        text = normalize_text(f"{header}\n{lead}" + "\n".join(group))
        chunks.append(Chunk(chunk_id, text, {**meta, "part": i, "parts": len(groups)}))
    return chunks


def regulation_chunks(corpus: Corpus) -> list[Chunk]:
    return [c for doc in corpus.documents.values() for a in doc.articles for c in article_chunks(doc, a)]


def guidance_chunks(docs: list[GuidanceDoc]) -> list[Chunk]:
    chunks, n = [], 0
    for doc in docs:
        for section in doc.sections:
            n += 1
            heading_path = PATH_SEP.join(section.heading_path)
            head = f"{doc.title}" + (f"{PATH_SEP}{heading_path}" if heading_path else "")
            meta = {**doc.metadata(), "source": "guidance", "heading_path": heading_path, "path": heading_path,
                    "article": "", "article_number": 0, "article_suffix": 0}
            chunks.append(Chunk(f"guide:{n}", normalize_text(f"{head}\n{section.text}"), meta))
    return chunks


def card_chunks(cards: list[Card], corpus: Corpus) -> list[Chunk]:
    chunks = []
    for card in cards:
        cites = [{"doc": c.doc_id, "article": c.article} for c in card.cites]
        meta = {"source": "card", "card_id": card.id, "topic": card.topic, "intent": card.intent,
                "audience": card.audience, "cites": json.dumps(cites, ensure_ascii=False),
                "followups": json.dumps(card.followups, ensure_ascii=False),
                "kind": "card", "status": "card", "doc_id": "", "title": card.topic,
                "short_title": card.topic, "article": "", "article_number": 0, "article_suffix": 0}
        text = normalize_text("\n".join(card.questions) + "\n\n" + card.body)
        chunks.append(Chunk(f"card:{card.id}", text, meta))
    return chunks


def all_chunks(corpus: Corpus, guidance: list[GuidanceDoc], cards: list[Card]) -> list[Chunk]:
    chunks = regulation_chunks(corpus) + guidance_chunks(guidance) + card_chunks(cards, corpus)
    seen: set[str] = set()
    for chunk in chunks:
        if chunk.id in seen:  # would silently overwrite in Chroma; corpus validation should prevent it
            raise ValueError(f"duplicate chunk id {chunk.id}")
        seen.add(chunk.id)
        chunk.metadata = {k: ("" if v is None else v) for k, v in chunk.metadata.items()}
    return chunks


__all__ = ["Chunk", "MAX_CHARS", "article_chunks", "regulation_chunks", "guidance_chunks",
           "card_chunks", "all_chunks"]
