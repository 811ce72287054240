"""What every classifier trained at ingest shares: saving it with an index version, loading it, and
the fingerprint of its training data (so a change of data or settings retrains it).

Next to the joblib file goes the same model as plain arrays (`classifiers.linear_text`) when its
shape allows, and loading prefers those: answering then never imports scikit-learn (about a second
of a one-off `python -m bot ask`)."""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from ingest.classifiers import linear_text

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


def arrays_file(model_file: str) -> str:
    """The name of the numpy copy of a model stored as `model_file`."""
    return str(Path(model_file).with_suffix(".npz"))


def save(pipeline, folder: Path, model_file: str, meta_file: str, meta: dict) -> dict:
    """Write the fitted pipeline, its numpy copy when exportable and its metadata (classes, sklearn
    version, whether arrays were written, and `meta`) into `folder`."""
    import joblib
    import sklearn

    joblib.dump(pipeline, folder / model_file)
    exported = linear_text.export(pipeline, folder / arrays_file(model_file))
    meta = {"classes": list(pipeline.classes_), **meta, "sklearn": sklearn.__version__, "arrays": exported}
    (folder / meta_file).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return meta


def load(folder: Path, model_file: str, what: str):
    """The model stored with an index version (its arrays when ingest exported them, else the joblib
    pipeline), or None when that index has none (the log says why)."""
    arrays = Path(folder) / arrays_file(model_file)
    if arrays.is_file():
        return linear_text.LinearTextModel.load(arrays)
    import joblib

    path = Path(folder) / model_file
    if not path.is_file():
        log.warning("no %s in the index; rebuild with `python -m ingest`", what)
        return None
    return joblib.load(path)


__all__ = ["arrays_file", "fingerprint", "load", "save"]
