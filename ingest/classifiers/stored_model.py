"""What every classifier trained at ingest shares: training and saving it with an index version, loading
it, reading its class probabilities (`StoredClassifier`), and the fingerprint of its training data (so a
change of data or settings retrains it).

Next to the joblib file goes the same model as plain arrays (`classifiers.linear_text`) when its
shape allows, and loading prefers those: answering then never imports scikit-learn (about a second
of a one-off `python -m bot ask`)."""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

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


@dataclass(frozen=True)
class ModelSpec:
    """Where a classifier is stored and how it is trained."""
    model_file: str
    meta_file: str
    description: str            # in the log when an index has no such model
    # (knowledge_dir, cards, held_out_urls=frozenset()) -> (texts, labels), minus the held-out source pages
    examples: Callable[..., tuple[list[str], list[str]]]
    fit: Callable[[list[str], list[str]], Any]          # (texts, labels) -> the fitted pipeline
    training_fingerprint: Callable[[Path | str], str]   # changes when the training data or settings do


class StoredClassifier:
    """A text classifier trained by `python -m ingest` and stored with the index version. A subclass says
    where and how (`SPEC`); this class trains, saves and loads it, and gives a question's class probabilities."""

    SPEC: ClassVar[ModelSpec]

    def __init__(self, pipeline):
        self.pipeline = pipeline
        self.classes = list(pipeline.classes_)

    @classmethod
    def trained(cls, knowledge_dir: Path | str, cards: list, held_out_urls: frozenset[str] = frozenset()):
        """The classifier trained exactly as ingest trains it, minus the questions of `held_out_urls`."""
        return cls(cls.SPEC.fit(*cls.SPEC.examples(knowledge_dir, cards, held_out_urls)))

    @classmethod
    def train_and_save(cls, knowledge_dir: Path | str, cards: list, folder: Path) -> dict:
        """Train on the train split and the fixed examples; write the model and its metadata into `folder`."""
        spec = cls.SPEC
        texts, labels = spec.examples(knowledge_dir, cards)
        return save(spec.fit(texts, labels), folder, spec.model_file, spec.meta_file,
                    {"examples": len(texts), "fingerprint": spec.training_fingerprint(knowledge_dir),
                     "splits": ["train"]})

    @classmethod
    def load(cls, folder: Path | None):
        """The model stored with an index version, or None when there is no index or it has none (log says why)."""
        pipeline = load(folder, cls.SPEC.model_file, cls.SPEC.description) if folder is not None else None
        return cls(pipeline) if pipeline is not None else None

    def probabilities(self, text: str):
        """Each class's probability, in `classes` order, for a normalised (Simplified) question."""
        return self.pipeline.predict_proba([text])[0]


__all__ = ["ModelSpec", "StoredClassifier", "arrays_file", "fingerprint", "load", "save"]
