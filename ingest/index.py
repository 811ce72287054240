"""Read side of the index, used by the answer engine.

`open_index(settings)` follows DATA_DIR/CURRENT to the serving version: chunk
texts and metadata are loaded into memory (fast `get`, `keyword`, `all_hits`),
BM25 from its folder, and dense search goes to that version's Chroma collection.
The object is read-only after opening and safe to share between threads.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from ingest import store
from ingest.build import BM25_DIR, CHUNKS_FILE, CURRENT_FILE, MANIFEST_FILE, read_current
from ingest.keyword import KeywordIndex
from ingest.normalize import normalize_text


class IndexMissingError(RuntimeError):
    """No usable index under DATA_DIR (never built, or built for another embedding model)."""


@dataclass
class SearchHit:
    chunk_id: str
    text: str
    metadata: dict
    score: float


def _missing(data_dir: Path, why: str) -> IndexMissingError:
    return IndexMissingError(f"no search index in {data_dir} ({why}). Build it with `python -m ingest` "
                             f"(or `make index`).")


class SearchIndex:
    def __init__(self, settings, current: dict, manifest: dict, chunks: dict[str, dict],
                 keyword: KeywordIndex, collection, embeddings=None):
        self.settings = settings
        self.version: str = current["version"]
        self.collection_name: str = current["collection"]
        self.manifest: dict = manifest
        self._chunks = chunks
        self._keyword = keyword
        self._collection = collection
        self._embeddings = embeddings
        self._embed_lock = threading.Lock()

    # -- contract ------------------------------------------------------------------
    def dense(self, query: str, k: int = 10, where: dict | None = None) -> list[SearchHit]:
        """Nearest chunks by cosine similarity (score = 1 - cosine distance), best first."""
        text = normalize_text(query or "")
        if not text or k <= 0:
            return []
        vector = self.embeddings.embed_array([text])[0]
        result = self._collection.query(query_embeddings=[vector], n_results=min(k, len(self)), where=where,
                                        include=["distances"])
        hits = []
        for chunk_id, distance in zip(result["ids"][0], result["distances"][0]):
            chunk = self._chunks.get(chunk_id)
            if chunk is not None:
                hits.append(SearchHit(chunk_id, chunk["text"], chunk["metadata"], 1.0 - float(distance)))
        return hits

    def keyword(self, query: str, k: int = 10) -> list[SearchHit]:
        """BM25 over jieba tokens, best first; an empty or stopword-only query gives []."""
        return [self._hit(chunk_id, score) for chunk_id, score in self._keyword.search(query or "", k)]

    def get(self, chunk_id: str) -> SearchHit | None:
        return self._hit(chunk_id, 1.0) if chunk_id in self._chunks else None

    def __len__(self) -> int:
        return len(self._chunks)

    # -- extras ---------------------------------------------------------------------
    @property
    def embeddings(self):
        """The query embedder, created on first dense search (opening stays fast)."""
        if self._embeddings is None:
            with self._embed_lock:
                if self._embeddings is None:
                    from ingest.embeddings import make_embeddings

                    embeddings = make_embeddings(self.settings)
                    _check_model(self.manifest, embeddings, Path(self.settings.data_dir))
                    self._embeddings = embeddings
        return self._embeddings

    def all_hits(self, source: str | None = None) -> list[SearchHit]:
        """Every chunk (score 0), optionally only one source: regulation, card or guidance."""
        return [self._hit(cid, 0.0) for cid, c in self._chunks.items()
                if source is None or c["metadata"].get("source") == source]

    def ids(self) -> list[str]:
        return list(self._chunks)

    def _hit(self, chunk_id: str, score: float) -> SearchHit:
        chunk = self._chunks[chunk_id]
        return SearchHit(chunk_id, chunk["text"], chunk["metadata"], score)

    def __repr__(self) -> str:
        return f"SearchIndex(version={self.version!r}, chunks={len(self)})"


def _check_model(manifest: dict, embeddings, data_dir: Path) -> None:
    built = manifest.get("embedding", {})
    if built.get("model_id") != embeddings.model_id or built.get("dimension") != embeddings.dimension:
        raise IndexMissingError(
            f"the index in {data_dir} was built with {built.get('model_id')} ({built.get('dimension')} dims) "
            f"but the settings ask for {embeddings.model_id} ({embeddings.dimension} dims); "
            "rebuild it with `python -m ingest`.")


def open_index(settings, embeddings=None) -> SearchIndex:
    """Open the serving index; raises IndexMissingError with what to do when there is none."""
    data_dir = Path(settings.data_dir)
    current = read_current(data_dir)
    if not current:
        raise _missing(data_dir, f"{CURRENT_FILE} pointer not found")
    folder = data_dir / current["index_dir"]
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        chunks: dict[str, dict] = {}
        with open(folder / CHUNKS_FILE, encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                chunks[row["id"]] = {"text": row["text"], "metadata": row["metadata"]}
        keyword = KeywordIndex.load(folder / BM25_DIR)
    except (OSError, ValueError) as exc:
        raise _missing(data_dir, f"version {current['version']} is incomplete: {exc}") from exc
    try:
        collection = store.get_collection(store.make_client(settings), current["collection"])
    except Exception as exc:  # NotFoundError, connection errors
        raise _missing(data_dir, f"collection {current['collection']} unavailable at "
                                 f"{store.store_location(settings)}: {exc}") from exc
    if embeddings is not None:
        _check_model(manifest, embeddings, data_dir)
    return SearchIndex(settings, current, manifest, chunks, keyword, collection, embeddings)


__all__ = ["SearchHit", "SearchIndex", "open_index", "IndexMissingError"]
