"""Build the search index: load → normalise → split → embed → write → switch pointer.

Atomicity: every build writes a NEW Chroma collection and a NEW index folder
named by version, verifies their counts, and only then replaces DATA_DIR/CURRENT
(temp file + os.replace). Readers follow CURRENT, so an ingest killed at any
moment leaves the previous index serving. Old versions are dropped afterwards,
leftovers of killed builds at the start of the next one.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ingest import store
from ingest.cache import EmbeddingCache, text_key
from ingest.cards import card_phrasings
from ingest.chunks import Chunk
from ingest.classifiers import message_training, question_model, scope_model
from ingest.classifiers.clause_vectors import ClauseVectors
from ingest.keyword import KeywordIndex
from ingest.paths import (
    BM25_DIR,
    CARD_VECTORS_FILE,
    CHUNKS_FILE,
    CURRENT_FILE,
    INDEXES_DIR,
    LOCK_FILE,
    MANIFEST_FILE,
    embedding_cache_path,
    read_current,
)
from ingest.sources import Sources, chunk_counts, load_sources, source_counts

# Bump when chunking or indexed text changes, so an unchanged corpus still rebuilds.
CHUNKER_VERSION = 1
EMBED_BATCH = 64
# Test hook: seconds to sleep per embedding batch, so a test can kill an ingest mid-way.
DELAY_ENV = "ZHIQUAN_TEST_EMBED_DELAY"


class IngestLockedError(RuntimeError):
    """Another ingest holds DATA_DIR/ingest.lock."""


class BuildVerificationError(RuntimeError):
    """The freshly written index does not hold what was built; CURRENT was not switched."""


@dataclass
class BuildReport:
    version: str
    collection: str
    chunks: int
    embedded: int                   # chunks embedded by this run (not from the cache)
    changed: bool                   # False: nothing changed, the current index was kept
    model_id: str
    dimension: int
    seconds: float
    per_document: dict[str, int] = field(default_factory=dict)
    per_source: dict[str, int] = field(default_factory=dict)
    manifest_path: Path | None = None

    def summary(self) -> str:
        state = "built new index" if self.changed else "manifest unchanged, index kept"
        return (f"{self.embedded} of {self.chunks} chunks embedded, {state}: version {self.version} "
                f"({self.per_source.get('regulation', 0)} articles/parts, {self.per_source.get('card', 0)} cards, "
                f"{self.per_source.get('guidance', 0)} guidance) model {self.model_id} dim {self.dimension} "
                f"in {self.seconds:.1f}s")


# --- pointer and paths ---------------------------------------------------------

def _write_json_atomic(path: Path, payload: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(str(folder), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def data_tag(data_dir: Path) -> str:
    """Short hash of DATA_DIR: collections of different data dirs on one Chroma server never collide."""
    return hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:6]


@contextmanager
def ingest_lock(data_dir: Path):
    """Exclusive, non-blocking: Chroma is not safe for two writers on one directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_FILE
    fh = open(path, "a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            raise IngestLockedError(f"another ingest is running (lock {path} held by pid {holder}); "
                                    "wait for it to finish and try again") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()   # closing releases the flock


# --- embedding -------------------------------------------------------------------

def embed_texts(embeddings, texts: list[str], cache: EmbeddingCache, progress: bool = True) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, from the cache where possible; returns (vectors, newly embedded)."""
    keys = [text_key(text) for text in texts]
    cached = cache.get_many(embeddings.model_id, keys, embeddings.dimension)
    missing: dict[str, str] = {}
    for key, text in zip(keys, texts):
        if key not in cached and key not in missing:
            missing[key] = text
    if missing:
        delay = float(os.environ.get(DELAY_ENV) or 0)
        todo = list(missing.items())
        bar = _progress(len(todo), progress)
        for start in range(0, len(todo), EMBED_BATCH):
            batch = todo[start:start + EMBED_BATCH]
            vectors = embeddings.embed_array([text for _, text in batch])
            fresh = {key: vec for (key, _), vec in zip(batch, vectors)}
            cache.put_many(embeddings.model_id, fresh)
            cached.update(fresh)
            bar.update(len(batch))
            if delay:
                time.sleep(delay)
        bar.close()
    matrix = np.stack([cached[k] for k in keys]) if keys else np.zeros((0, embeddings.dimension), np.float32)
    return matrix.astype(np.float32), len(missing)


def embed_chunks(embeddings, chunks: list[Chunk], cache: EmbeddingCache, progress: bool = True) -> tuple[np.ndarray, int]:
    """Vectors for all chunks, from the cache where possible; returns (vectors, newly embedded)."""
    return embed_texts(embeddings, [c.text for c in chunks], cache, progress)


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="embedding", unit="chunk", file=sys.stderr, disable=not enabled,
                mininterval=0.5)


# --- build -------------------------------------------------------------------------

def _fingerprint(sources: Sources, embeddings, settings) -> str:
    payload = {"corpus": sources.corpus_version, "chunker": CHUNKER_VERSION, "model": embeddings.model_id,
               "dimension": embeddings.dimension, "store": store.store_location(settings),
               **_model_fingerprints(settings)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _current_is_valid(settings, client, current: dict | None, fingerprint: str) -> dict | None:
    """The current manifest when it matches `fingerprint` and its files and collection are intact."""
    if not current:
        return None
    index_dir = Path(settings.data_dir) / current.get("index_dir", "")
    try:
        manifest = json.loads((index_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (manifest.get("fingerprint") != fingerprint or not (index_dir / BM25_DIR).is_dir()
            or not (index_dir / CARD_VECTORS_FILE).is_file()):
        return None
    from chromadb.errors import ChromaError  # chromadb is loaded by now (the client exists)

    try:
        collection = store.get_collection(client, current["collection"])
        if collection.count() != manifest["totals"]["chunks"]:
            return None
    except ChromaError:     # the collection is gone or unreadable: rebuild
        return None
    except KeyError:        # a manifest without totals (written by an older build): rebuild
        return None
    return manifest


def _cleanup(settings, client, keep_version: str | None) -> None:
    """Drop collections and index folders of this DATA_DIR other than `keep_version`."""
    data_dir = Path(settings.data_dir)
    tag = data_tag(data_dir)
    keep = {store.collection_name(f"{tag}-{keep_version}")} if keep_version else set()
    for name in store.list_collections(client):
        if name.startswith(store.collection_name(f"{tag}-")) and name not in keep:
            client.delete_collection(name)
    indexes = data_dir / INDEXES_DIR
    if indexes.is_dir():
        for folder in indexes.iterdir():
            if folder.name != keep_version:
                shutil.rmtree(folder, ignore_errors=True)


def _write_index_dir(folder: Path, chunks: list[Chunk], manifest: dict, phrasings: list[tuple[str, str]],
                     phrasing_vectors: np.ndarray) -> KeywordIndex:
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / CARD_VECTORS_FILE, card_ids=np.array([cid for cid, _ in phrasings], dtype=str),
             texts=np.array([text for _, text in phrasings], dtype=str), vectors=phrasing_vectors)
    with open(folder / CHUNKS_FILE, "w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(json.dumps({"id": c.id, "text": c.text, "metadata": c.metadata}, ensure_ascii=False) + "\n")
    keyword = KeywordIndex.build([c.id for c in chunks], [c.text for c in chunks])
    keyword.save(folder / BM25_DIR)
    _write_json_atomic(folder / MANIFEST_FILE, manifest)
    return keyword


def _verify(folder: Path, collection, n: int, phrasings: int) -> None:
    with np.load(folder / CARD_VECTORS_FILE) as saved:
        if len(saved["card_ids"]) != phrasings or saved["vectors"].shape[0] != phrasings:
            raise BuildVerificationError(f"card-phrasing vectors: built {phrasings}, stored "
                                         f"{saved['vectors'].shape[0]}; previous index kept")
    stored = collection.count()
    lines = sum(1 for _ in open(folder / CHUNKS_FILE, encoding="utf-8"))
    keyword = len(KeywordIndex.load(folder / BM25_DIR))
    if not stored == lines == keyword == n:
        raise BuildVerificationError(f"count mismatch after writing: built {n}, Chroma {stored}, "
                                     f"chunks file {lines}, BM25 {keyword}; previous index kept")


# --- trained models stored with the index (ingest/classifiers) -------------------------

def _model_fingerprints(settings) -> dict:
    """A retrain is a rebuild: the training data of each model is part of the index fingerprint."""
    return {"question_model": question_model.training_fingerprint(settings.knowledge_dir),
            "scope_model": scope_model.training_fingerprint(settings.knowledge_dir),
            "message_model": message_training.training_fingerprint(Path(settings.knowledge_dir))}


def _train_models(settings, sources: Sources, folder: Path) -> None:
    """Train the question and scope classifiers on the train split into the new index folder, before CURRENT switches."""
    question_model.train_and_save(settings.knowledge_dir, sources.cards, folder)
    scope_model.train_and_save(settings.knowledge_dir, sources.cards, folder)


def build_index(settings, force: bool = False, progress: bool = False, embeddings=None) -> BuildReport:
    """Validate knowledge/, then (re)build the index under DATA_DIR and switch CURRENT to it.

    Raises CorpusError on bad input before anything is written, IngestLockedError when another
    ingest runs. Safe to call from a background thread (the Telegram /reload does).
    """
    from ingest.embeddings import make_embeddings

    started = time.perf_counter()
    sources = load_sources(Path(settings.knowledge_dir))
    embeddings = embeddings or make_embeddings(settings)
    fingerprint = _fingerprint(sources, embeddings, settings)
    data_dir = Path(settings.data_dir)
    per_doc, per_source = chunk_counts(sources.chunks), source_counts(sources.chunks)

    with ingest_lock(data_dir):
        current = read_current(data_dir)
        client = store.make_client(settings, create=True)   # fail fast when the server is down
        manifest = None if force else _current_is_valid(settings, client, current, fingerprint)
        if manifest is not None:
            return BuildReport(version=manifest["version"], collection=manifest["collection"],
                               chunks=len(sources.chunks), embedded=0, changed=False,
                               model_id=embeddings.model_id, dimension=embeddings.dimension,
                               seconds=time.perf_counter() - started, per_document=per_doc,
                               per_source=per_source,
                               manifest_path=data_dir / current["index_dir"] / MANIFEST_FILE)
        # Leftovers of killed builds (anything but the serving version) go first.
        _cleanup(settings, client, current.get("version") if current else None)

        cache = EmbeddingCache(embedding_cache_path(settings))
        try:
            vectors, embedded = embed_chunks(embeddings, sources.chunks, cache, progress)
            phrasings = card_phrasings(sources.cards)
            phrasing_vectors, _ = embed_texts(embeddings, [text for _, text in phrasings], cache, progress=False)
        finally:
            cache.close()

        # Random suffix: two builds in one second must never share (and overwrite) a collection.
        version = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{fingerprint[:8]}-{secrets.token_hex(2)}"
        name = store.collection_name(f"{data_tag(data_dir)}-{version}")
        folder = data_dir / INDEXES_DIR / version
        # The message classifier first: the manifest carries its summary. It reads the clauses' sentence
        # embeddings too, from the index's embedder and cache (a rebuild embeds no clause again).
        cache = EmbeddingCache(embedding_cache_path(settings))
        try:
            message_model = message_training.build_message_model(Path(settings.knowledge_dir), folder,
                                                                  ClauseVectors(embeddings, cache))
        finally:
            cache.close()
        manifest = {
            "version": version, "collection": name, "fingerprint": fingerprint,
            "corpus_version": sources.corpus_version, "chunker_version": CHUNKER_VERSION,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "embedding": {"backend": settings.embedding_backend, "model_id": embeddings.model_id,
                          "dimension": embeddings.dimension},
            "store": store.store_location(settings),
            "files": sources.files, "documents": per_doc, "card_phrasings": len(phrasings),
            "totals": {"chunks": len(sources.chunks), "embedded": embedded, **per_source},
            "message_model": message_model,
        }
        _write_index_dir(folder, sources.chunks, manifest, phrasings, phrasing_vectors)
        _train_models(settings, sources, folder)
        collection = store.write_collection(client, name, [c.id for c in sources.chunks],
                                            [c.text for c in sources.chunks],
                                            [c.metadata for c in sources.chunks], vectors)
        _verify(folder, collection, len(sources.chunks), len(phrasings))
        _write_json_atomic(data_dir / CURRENT_FILE, {
            "version": version, "collection": name, "index_dir": f"{INDEXES_DIR}/{version}",
            "store": store.store_location(settings), "built_at": manifest["built_at"]})
        _cleanup(settings, client, version)
        return BuildReport(version=version, collection=name, chunks=len(sources.chunks), embedded=embedded,
                           changed=True, model_id=embeddings.model_id, dimension=embeddings.dimension,
                           seconds=time.perf_counter() - started, per_document=per_doc, per_source=per_source,
                           manifest_path=folder / MANIFEST_FILE)


# load_sources, read_current and CURRENT_FILE are re-exported for callers that build and then inspect.
__all__ = ["build_index", "BuildReport", "IngestLockedError", "BuildVerificationError", "embed_texts",
           "load_sources", "read_current", "CURRENT_FILE", "DELAY_ENV"]
