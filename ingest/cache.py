"""Embedding cache keyed by (model id, sha256 of the text), in SQLite under DATA_DIR.

A rebuild with unchanged text re-embeds nothing. Writes are committed per batch,
so vectors computed before an interrupted ingest are kept for the next run.
"""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, sha TEXT NOT NULL, "
                         "dim INTEGER NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (model, sha))")
        self._db.commit()

    def get_many(self, model_id: str, keys: list[str], dimension: int) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            part = unique[start:start + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(f"SELECT sha, dim, vec FROM vectors WHERE model = ? AND sha IN ({marks})",
                                    [model_id, *part])
            for sha, dim, blob in rows:
                if dim == dimension:
                    found[sha] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model_id: str, items: dict[str, np.ndarray]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO vectors (model, sha, dim, vec) VALUES (?, ?, ?, ?)",
            [(model_id, sha, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for sha, v in items.items()])
        self._db.commit()

    def close(self) -> None:
        self._db.close()


__all__ = ["EmbeddingCache", "text_key"]
