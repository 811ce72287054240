"""What every classifier trained at ingest shares: saving it with an index version, loading it, and
the fingerprint of its training data (so a change of data or settings retrains it)."""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def fingerprint(seed: str, paths: tuple[Path, ...]) -> str:
    """A short hash of `seed` and the bytes of `paths` (a missing file counts as `missing`)."""
    digest = hashlib.sha256(seed.encode())
    for path in paths:
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()[:16]


def save(pipeline, folder: Path, model_file: str, meta_file: str, meta: dict) -> dict:
    """Write the fitted pipeline and its metadata (classes, sklearn version and `meta`) into `folder`."""
    import joblib
    import sklearn

    joblib.dump(pipeline, folder / model_file)
    meta = {"classes": list(pipeline.classes_), **meta, "sklearn": sklearn.__version__}
    (folder / meta_file).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return meta


def load(folder: Path, model_file: str, what: str):
    """The pipeline stored with an index version, or None when that index has none (the log says why)."""
    import joblib

    path = Path(folder) / model_file
    if not path.is_file():
        log.warning("no %s in the index; rebuild with `python -m ingest`", what)
        return None
    return joblib.load(path)


__all__ = ["fingerprint", "load", "save"]
