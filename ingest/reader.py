"""Read side of the index: the API `bot` uses (it never imports the builder).

`open_index(settings)` follows DATA_DIR/CURRENT to the serving version: chunk
texts and metadata are loaded into memory (fast `get`, `keyword`, `all_hits`),
BM25 from its folder, and dense search goes to that version's Chroma collection.
The object is read-only after opening and safe to share between threads; each
call reads one immutable snapshot, which `refresh()` swaps in one assignment.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest import store
from ingest.keyword import KeywordIndex
from ingest.normalize import normalize_text
from ingest.paths import BM25_DIR, CARD_VECTORS_FILE, CHUNKS_FILE, CURRENT_FILE, MANIFEST_FILE, read_current


class IndexMissingError(RuntimeError):
    """No usable index under DATA_DIR (never built, or built for another embedding model)."""


class IndexStaleError(IndexMissingError):
    """The index was built from another version of knowledge/ than the one on disk now."""


@dataclass(frozen=True)
class CardPhrasings:
    """Each answer card's topic and listed questions (normalised) with their vectors, built at ingest."""
    card_ids: list[str]
    texts: list[str]
    vectors: np.ndarray     # (len(texts), dimension), float32


@dataclass
class SearchHit:
    chunk_id: str
    text: str
    metadata: dict
    score: float


class _LazyCollection:
    """A version's Chroma collection, opened on the first dense search.

    Importing chromadb and opening its client is most of the time an index takes to open, and a
    one-off question that needs no dense search (an article lookup, a greeting) should not pay it.
    """

    def __init__(self, settings, name: str):
        self.settings = settings
        self.name = name
        self._collection = None
        self._lock = threading.Lock()

    def get(self):
        if self._collection is None:
            with self._lock:
                if self._collection is None:
                    try:
                        self._collection = store.get_collection(store.make_client(self.settings), self.name)
                    except Exception as exc:  # NotFoundError, connection errors
                        raise _missing(Path(self.settings.data_dir),
                                       f"collection {self.name} unavailable at "
                                       f"{store.store_location(self.settings)}: {exc}") from exc
        return self._collection


@dataclass(frozen=True)
class _Snapshot:
    version: str
    collection_name: str
    manifest: dict
    chunks: dict            # chunk id -> {"text", "metadata"}
    keyword: KeywordIndex
    collection: _LazyCollection
    phrasings: CardPhrasings

    def hit(self, chunk_id: str, score: float) -> SearchHit:
        chunk = self.chunks[chunk_id]
        return SearchHit(chunk_id, chunk["text"], chunk["metadata"], score)


def _missing(data_dir: Path, why: str) -> IndexMissingError:
    return IndexMissingError(f"no search index in {data_dir} ({why}). Build it with `python -m ingest` "
                             f"(or `make index`).")


def _corrupt_pointer(data_dir: Path) -> IndexMissingError:
    path = data_dir / CURRENT_FILE
    return IndexMissingError(f"the index pointer {path} is corrupt or unreadable. Rebuild the index with "
                             f"`python -m ingest` (it rewrites {CURRENT_FILE}).")


def _check_model(manifest: dict, embeddings, data_dir: Path) -> None:
    built = manifest.get("embedding", {})
    if built.get("model_id") != embeddings.model_id or built.get("dimension") != embeddings.dimension:
        raise IndexMissingError(
            f"the index in {data_dir} was built with {built.get('model_id')} ({built.get('dimension')} dims) "
            f"but the settings ask for {embeddings.model_id} ({embeddings.dimension} dims); "
            "rebuild it with `python -m ingest`.")


def _load_snapshot(settings) -> _Snapshot:
    data_dir = Path(settings.data_dir)
    current = read_current(data_dir)
    if not current and (data_dir / CURRENT_FILE).exists():
        raise _corrupt_pointer(data_dir)
    if not current:
        raise _missing(data_dir, f"{CURRENT_FILE} pointer not found")
    if not isinstance(current, dict) or not {"index_dir", "version", "collection"} <= set(current):
        raise _corrupt_pointer(data_dir)
    folder = data_dir / current["index_dir"]
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        chunks: dict[str, dict] = {}
        with open(folder / CHUNKS_FILE, encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                chunks[row["id"]] = {"text": row["text"], "metadata": row["metadata"]}
        keyword = KeywordIndex.load(folder / BM25_DIR)
        phrasings = _load_phrasings(folder / CARD_VECTORS_FILE)
    except (OSError, ValueError, KeyError) as exc:
        raise _missing(data_dir, f"version {current['version']} is incomplete: {exc}") from exc
    collection = _LazyCollection(settings, current["collection"])
    return _Snapshot(current["version"], current["collection"], manifest, chunks, keyword, collection, phrasings)


def _load_phrasings(path: Path) -> CardPhrasings:
    with np.load(path) as saved:
        return CardPhrasings([str(c) for c in saved["card_ids"]], [str(t) for t in saved["texts"]],
                             np.asarray(saved["vectors"], dtype=np.float32))


class SearchIndex:
    def __init__(self, settings, snapshot: _Snapshot, embeddings=None):
        self.settings = settings
        self._state = snapshot
        self._embeddings = embeddings
        self._lock = threading.Lock()

    # -- contract ------------------------------------------------------------------
    @property
    def version(self) -> str:
        return self._state.version

    @property
    def manifest(self) -> dict:
        return self._state.manifest

    def dense(self, query: str, k: int = 10, where: dict | None = None) -> list[SearchHit]:
        """Nearest chunks by cosine similarity (score = 1 - cosine distance), best first."""
        text = normalize_text(query or "")
        if not text or k <= 0:
            return []
        vector = self.embeddings.embed_array([text])[0]
        state = self._state
        try:
            result = self._query(state, vector, k, where)
        except Exception:
            # Another process rebuilt the index and dropped our collection: follow CURRENT once.
            if not self.refresh():
                raise
            state = self._state
            result = self._query(state, vector, k, where)
        return [state.hit(cid, 1.0 - float(dist))
                for cid, dist in zip(result["ids"][0], result["distances"][0]) if cid in state.chunks]

    def keyword(self, query: str, k: int = 10) -> list[SearchHit]:
        """BM25 over jieba tokens, best first; an empty or stopword-only query gives []."""
        state = self._state
        return [state.hit(cid, score) for cid, score in state.keyword.search(query or "", k)]

    def get(self, chunk_id: str) -> SearchHit | None:
        state = self._state
        return state.hit(chunk_id, 1.0) if chunk_id in state.chunks else None

    def __len__(self) -> int:
        return len(self._state.chunks)

    def card_phrasings(self) -> CardPhrasings:
        return self._state.phrasings

    def check_corpus_version(self, corpus_version: str) -> None:
        """Raise IndexStaleError when the index was built from another knowledge/ than `corpus_version`."""
        built = self.manifest.get("corpus_version")
        if built != corpus_version:
            raise IndexStaleError(
                f"the search index in {self.settings.data_dir} was built from another version of "
                f"{self.settings.knowledge_dir} (index {built}, files now {corpus_version}); "
                "rebuild it with `python -m ingest` (or `make index`).")

    # -- extras ---------------------------------------------------------------------
    @property
    def collection_name(self) -> str:
        return self._state.collection_name

    @property
    def embeddings(self):
        """The query embedder, created on first dense search (opening stays fast)."""
        if self._embeddings is None:
            with self._lock:
                if self._embeddings is None:
                    from ingest.embeddings import make_embeddings

                    embeddings = make_embeddings(self.settings)
                    _check_model(self.manifest, embeddings, Path(self.settings.data_dir))
                    self._embeddings = embeddings
        return self._embeddings

    def open_collection(self) -> None:
        """Open the Chroma collection now (it is otherwise opened by the first dense search);
        raises IndexMissingError when it is unavailable."""
        self._state.collection.get()

    def refresh(self) -> bool:
        """Switch to the version CURRENT names now; True when it changed."""
        with self._lock:
            current = read_current(Path(self.settings.data_dir))
            if not current or current.get("version") == self._state.version:
                return False
            snapshot = _load_snapshot(self.settings)
            if self._embeddings is not None:
                _check_model(snapshot.manifest, self._embeddings, Path(self.settings.data_dir))
            self._state = snapshot
            return True

    def all_hits(self, source: str | None = None) -> list[SearchHit]:
        """Every chunk (score 0), optionally only one source: regulation, card or guidance."""
        state = self._state
        return [state.hit(cid, 0.0) for cid, c in state.chunks.items()
                if source is None or c["metadata"].get("source") == source]

    def ids(self) -> list[str]:
        return list(self._state.chunks)

    @staticmethod
    def _query(state: _Snapshot, vector, k: int, where: dict | None) -> dict:
        return state.collection.get().query(query_embeddings=[vector], n_results=min(k, len(state.chunks)),
                                      where=where, include=["distances"])

    def __repr__(self) -> str:
        return f"SearchIndex(version={self.version!r}, chunks={len(self)})"


def open_index(settings, embeddings=None) -> SearchIndex:
    """Open the serving index; raises IndexMissingError with what to do when there is none.

    `embeddings` (optional) shares an already loaded embedder; it must match the index's model.
    """
    snapshot = _load_snapshot(settings)
    if embeddings is not None:
        _check_model(snapshot.manifest, embeddings, Path(settings.data_dir))
    return SearchIndex(settings, snapshot, embeddings)


__all__ = ["CardPhrasings", "SearchHit", "SearchIndex", "open_index", "IndexMissingError", "IndexStaleError"]
