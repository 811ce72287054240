"""Everything under knowledge/, loaded and validated: the corpus, guidance, cards and their chunks.

`corpus_version` is a digest of every source file; the builder writes it into the
manifest and the engine compares it at start-up, so an edited knowledge/ with a
stale index is reported instead of answering from old text.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ingest.cards import Card, load_cards
from ingest.chunks import Chunk, all_chunks
from ingest.corpus import Corpus, load_corpus
from ingest.guidance import GuidanceDoc, load_guidance


@dataclass
class Sources:
    corpus: Corpus
    guidance: list[GuidanceDoc]
    cards: list[Card]
    chunks: list[Chunk]
    files: dict[str, dict]          # relative path -> {sha256, chunks}
    corpus_version: str


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


@dataclass
class Knowledge:
    """knowledge/ loaded and validated, without chunking (what the engine needs at start-up)."""
    corpus: Corpus
    guidance: list[GuidanceDoc]
    cards: list[Card]
    paths: dict[str, str]           # relative path -> sha256
    corpus_version: str


def load_knowledge(knowledge_dir: Path) -> Knowledge:
    """Load and validate everything under knowledge/; raises CorpusError on bad input."""
    knowledge_dir = Path(knowledge_dir)
    corpus = load_corpus(knowledge_dir)
    guidance = load_guidance(knowledge_dir)
    cards = load_cards(knowledge_dir, corpus)
    paths = {_rel(item.path, knowledge_dir): item.sha256
             for item in [*corpus.documents.values(), *guidance, *cards]}
    digest = hashlib.sha256(json.dumps(dict(sorted(paths.items()))).encode())
    return Knowledge(corpus, guidance, cards, paths, digest.hexdigest()[:16])


def load_sources(knowledge_dir: Path) -> Sources:
    """knowledge/ loaded, validated and split into chunks; raises CorpusError on bad input."""
    knowledge = load_knowledge(knowledge_dir)
    corpus, guidance, cards = knowledge.corpus, knowledge.guidance, knowledge.cards
    chunks = all_chunks(corpus, guidance, cards)
    per_doc = chunk_counts(chunks)
    chunk_count = {**{doc.path: per_doc.get(doc.id, 0) for doc in corpus.documents.values()},
                   **{g.path: per_doc.get(g.id, 0) for g in guidance}, **{card.path: 1 for card in cards}}
    files: dict[str, dict] = {}
    for path, count in chunk_count.items():
        rel = _rel(path, Path(knowledge_dir))
        files[rel] = {"sha256": knowledge.paths[rel], "chunks": count}
    return Sources(corpus, guidance, cards, chunks, files, knowledge.corpus_version)


def chunk_counts(chunks: list[Chunk]) -> dict[str, int]:
    """Chunks per document id (cards counted under card:<id>)."""
    counts: dict[str, int] = {}
    for c in chunks:
        key = c.metadata.get("doc_id") or c.id
        counts[key] = counts.get(key, 0) + 1
    return counts


def source_counts(chunks: list[Chunk]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for c in chunks:
        counts[c.metadata["source"]] = counts.get(c.metadata["source"], 0) + 1
    return counts


__all__ = ["Knowledge", "Sources", "load_knowledge", "load_sources", "chunk_counts", "source_counts"]
