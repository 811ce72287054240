"""Chroma access: embedded PersistentClient under DATA_DIR/chroma, or a server via HttpClient.

We always pass our own vectors and never let Chroma embed: its default embedding
function would try to download a model. Collections are named per index version
(`zq-<version>`) so a rebuild never touches the collection the bot is reading.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

COLLECTION_PREFIX = "zq-"
_WRITE_BATCH = 1000

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


class StoreError(RuntimeError):
    """The vector store cannot be reached or is inconsistent."""


def chroma_path(settings) -> Path:
    return Path(settings.data_dir) / "chroma"


def store_location(settings) -> str:
    """Human-readable place of the store; part of the build fingerprint."""
    if settings.chroma_mode == "http":
        return f"http://{settings.chroma_host}:{settings.chroma_port}"
    return f"embedded:{chroma_path(settings).resolve()}"


def make_client(settings, create: bool = False):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_mode == "http":
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=int(settings.chroma_port),
                                       settings=chroma_settings)
        except Exception as exc:
            raise StoreError(f"cannot reach the Chroma server at {store_location(settings)}: {exc}") from exc
    path = chroma_path(settings)
    if not create and not path.is_dir():
        raise StoreError(f"no Chroma store at {path}")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def collection_name(version: str) -> str:
    return f"{COLLECTION_PREFIX}{version}"


def get_collection(client, name: str):
    # embedding_function=None: query by vector only, never a download.
    return client.get_collection(name, embedding_function=None)


def write_collection(client, name: str, ids: list[str], texts: list[str], metadatas: list[dict],
                     vectors: np.ndarray):
    """Create `name` (cosine space) and fill it; a leftover of the same name is replaced."""
    if name in list_collections(client):
        client.delete_collection(name)
    collection = client.create_collection(name, embedding_function=None,
                                          metadata={"hnsw:space": "cosine"})
    for start in range(0, len(ids), _WRITE_BATCH):
        end = start + _WRITE_BATCH
        collection.add(ids=ids[start:end], documents=texts[start:end], metadatas=metadatas[start:end],
                       embeddings=vectors[start:end])
    return collection


def list_collections(client) -> list[str]:
    return [c if isinstance(c, str) else c.name for c in client.list_collections()]


__all__ = ["StoreError", "make_client", "collection_name", "get_collection", "write_collection",
           "list_collections", "chroma_path", "store_location", "COLLECTION_PREFIX"]
